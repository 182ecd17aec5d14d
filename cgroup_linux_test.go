package overseer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/internal/proc"
)

// needCgroups skips t where the host cannot make control groups: where no
// cgroup2 hierarchy is mounted writable for it. CI's machines are root
// with cgroup2 mounted (the unified mount of a hybrid host), so it runs
// there.
func needCgroups(t *testing.T) *proc.Cgroups {
	t.Helper()
	cs, err := proc.OpenCgroups()
	if err != nil {
		t.Skipf("this host cannot make control groups (not root, or no writable cgroup2 mount): %v", err)
	}
	return cs
}

// escapeePID returns the pid the run printed as "pid:N": its setsid
// escapee's.
func escapeePID(t *testing.T, c *Cmd) int {
	t.Helper()
	var pid int
	eventually(t, func() bool {
		for _, l := range c.Lines(0) {
			if s, ok := strings.CutPrefix(l.Text, "pid:"); ok {
				n, err := strconv.Atoi(s)
				require.NoError(t, err)
				pid = n
				return true
			}
		}
		return false
	}, "no pid:N line (the escapee's pid)")
	return pid
}

// A child that setsid()s a grandchild out of its process group: in cgroup
// mode Stop kills it with the rest of the run, as the control group holds
// it; with process groups alone it survives Stop (the documented hole that
// WithSubreaper or control groups close).
func TestCgroupStopReachesSetsidEscapee(t *testing.T) {
	cs := needCgroups(t)
	for _, mode := range []CgroupMode{CgroupAuto, CgroupOff} {
		name := map[CgroupMode]string{CgroupAuto: "cgroup", CgroupOff: "process-group"}[mode]
		t.Run(name, func(t *testing.T) {
			o := NewOverseer(WithCgroups(mode))
			t.Cleanup(func() { o.StopAll() })
			c := addChild(t, o, "esc", "setsid:sleep", "sleep")
			require.NoError(t, o.Start("esc"))
			escapee := escapeePID(t, c)
			killAtEnd(t, escapee)
			st := status(t, o, "esc")
			if mode == CgroupOff {
				assert.Empty(t, st.Cgroup)
			} else {
				require.NotEmpty(t, st.Cgroup)
				assert.Equal(t, cs.Dir(), filepath.Dir(st.Cgroup))
				procs, err := os.ReadFile(filepath.Join(st.Cgroup, "cgroup.procs"))
				require.NoError(t, err)
				assert.Contains(t, strings.Fields(string(procs)), strconv.Itoa(escapee), "the escapee is in the run's control group")
			}
			require.NoError(t, o.Stop("esc"))
			if mode == CgroupOff {
				assert.False(t, processGone(escapee), "with process groups alone, a setsid grandchild survives Stop")
				return
			}
			assert.True(t, processGone(escapee), "the escapee survived Stop in cgroup mode")
			_, err := os.Stat(st.Cgroup)
			assert.True(t, os.IsNotExist(err), "the run's control group is removed at its end: %v", err)
		})
	}
}

// A double-forked daemon (the leader exits at once, its grandchild lives
// on outside the group) is ended with the run: the run lasts until the
// control group is empty, and the daemon gets StopSignal, then SIGKILL.
func TestCgroupRunEndsWhenGroupEmpty(t *testing.T) {
	needCgroups(t)
	o := newTestOverseer(t)
	c := addChild(t, o, "daemon", "setsid:trapterm:0:bye+sleep", "exit:0")
	c.StopTimeout = waitTimeout // the daemon goes at its StopSignal: never waited for this long
	require.NoError(t, o.Start("daemon"))
	escapee := escapeePID(t, c)
	killAtEnd(t, escapee)
	var st Status
	within(t, "Wait", func() { st = c.Wait() })
	assert.True(t, processGone(escapee), "the daemon outlived its run")
	assert.Equal(t, 0, st.Exit)
	assert.Empty(t, st.Cgroup, "a run at rest has no control group")
}

// The leader's own quick exit ends the run without waiting for
// StopTimeout: an exited, unreaped leader does not keep its control group
// populated.
func TestCgroupQuickExit(t *testing.T) {
	needCgroups(t)
	o := newTestOverseer(t)
	c := addChild(t, o, "quick", "exit:3")
	c.StopTimeout = time.Hour
	c.Restart = RestartNever
	require.NoError(t, o.Start("quick"))
	var st Status
	within(t, "Wait", func() { st = c.Wait() })
	assert.Equal(t, 3, st.Exit)
}

// A host killed with SIGKILL, in cgroup mode, leaves nothing behind even
// of a grandchild that escaped its process group (setsid), which only the
// control group still holds: the guardian kills what is in the host's
// control group for runs, and removes it.
func TestHostKilledCgroupEscapee(t *testing.T) {
	needCgroups(t)
	h := startHost(t, nil, "setsid:sleep", "sleep")
	h.next(t, "leader:")
	escapee := h.pid(t, "out:pid:")
	killAtEnd(t, escapee)
	own, err := os.ReadFile("/proc/" + strconv.Itoa(h.cmd.Process.Pid) + "/cgroup")
	require.NoError(t, err)
	require.False(t, processGone(escapee))

	require.NoError(t, h.cmd.Process.Kill())
	_ = h.cmd.Wait() // killed: its status says so, and nothing else
	eventually(t, func() bool { return processGone(escapee) }, "the escapee %d outlived its host", escapee)
	// The host's control group for runs goes with it.
	self, err := os.ReadFile("/proc/self/cgroup")
	require.NoError(t, err)
	require.Equal(t, string(self), string(own), "the host runs in the test's control group")
	cs := needCgroups(t)
	dir := filepath.Join(filepath.Dir(cs.Dir()), "overseer."+strconv.Itoa(h.cmd.Process.Pid))
	eventually(t, func() bool {
		_, err := os.Stat(dir)
		return os.IsNotExist(err)
	}, "%s outlived its host", dir)
}

// Overseer.Cgroup says which mode is in use.
func TestOverseerCgroupMode(t *testing.T) {
	cs := needCgroups(t)
	dir, err := NewOverseer().Cgroup()
	require.NoError(t, err)
	assert.Equal(t, cs.Dir(), dir)
	assert.Equal(t, "overseer."+strconv.Itoa(os.Getpid()), filepath.Base(dir))

	dir, err = NewOverseer(WithCgroups(CgroupOff)).Cgroup()
	assert.NoError(t, err)
	assert.Empty(t, dir)

	_, err = NewOverseer(WithCgroups(CgroupRequired)).Add("x", childPath)
	assert.NoError(t, err, "control groups are available: CgroupRequired takes them")
}

// CPUQuota and TasksMax need their controllers: where the runs' control
// groups have them, the limits are in cpu.max and pids.max; where not, the
// start fails with an error that names the controller, never a silent
// no-op. Outside a control group (CgroupOff) they fail the same way.
func TestCgroupControllerLimits(t *testing.T) {
	cs := needCgroups(t)
	for _, tc := range []struct {
		name, controller, file, want string
		set                          func(*Cmd)
	}{
		{"CPUQuota", "cpu", "cpu.max", "50000 100000", func(c *Cmd) { c.CPUQuota = 0.5 }},
		{"TasksMax", "pids", "pids.max", "64", func(c *Cmd) { c.TasksMax = 64 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newTestOverseer(t)
			c := addChild(t, o, "limited", "sleep")
			tc.set(c)
			err := c.Start() // returns the start's error, where Overseer.Start would retry
			if !cs.HasController(tc.controller) {
				require.Error(t, err)
				assert.True(t, errors.Is(err, errors.ErrUnsupported), "%v", err)
				assert.ErrorIs(t, err, proc.ErrNoController)
				assert.Contains(t, err.Error(), tc.controller+" controller")
				assert.Contains(t, err.Error(), tc.name)
				return
			}
			require.NoError(t, err)
			data, err := os.ReadFile(filepath.Join(status(t, o, "limited").Cgroup, tc.file))
			require.NoError(t, err)
			assert.Equal(t, tc.want, strings.TrimSpace(string(data)))
		})
		t.Run(tc.name+"/CgroupOff", func(t *testing.T) {
			o := NewOverseer(WithCgroups(CgroupOff))
			c := addChild(t, o, "limited", "sleep")
			tc.set(c)
			err := c.Start()
			require.Error(t, err)
			assert.True(t, errors.Is(err, errors.ErrUnsupported), "%v", err)
			assert.Contains(t, err.Error(), tc.name)
		})
	}
}

// Signal reaches every process of the run's control group in cgroup mode,
// the escapee included.
func TestCgroupSignalReachesAll(t *testing.T) {
	needCgroups(t)
	o := newTestOverseer(t)
	c := addChild(t, o, "sig", "setsidout:trapterm:0:escapee-got-term+out:escapee-ready+sleep",
		"trapterm:0:leader-got-term", "out:leader-ready", "sleep")
	c.Restart = RestartNever
	require.NoError(t, o.Start("sig"))
	killAtEnd(t, escapeePID(t, c))
	waitLine(t, c, "escapee-ready") // its trap is set
	waitLine(t, c, "leader-ready")
	require.NoError(t, o.Signal("sig", syscall.SIGTERM))
	waitLine(t, c, "escapee-got-term")
	waitLine(t, c, "leader-got-term")
}

// Where the runs' control groups have the memory controller, MemoryLimit
// is memory.max, enforced by the kernel: a run above it is killed whole
// (memory.oom.group) and ends with the reason, under the restart policy
// as a failure. TestMemoryLimitRestarts tries the sampled enforcement,
// which hosts without the controller (such as a hybrid host, where memory
// is a v1 hierarchy) use.
func TestMemoryLimitKernel(t *testing.T) {
	cs := needCgroups(t)
	if !cs.HasController("memory") {
		t.Skipf("the runs' control groups have no memory controller here (the host's group %s does not hand it down), so the kernel's enforcement cannot be tried; TestMemoryLimitRestarts tries the sampled one", filepath.Dir(cs.Dir()))
	}
	o := newTestOverseer(t)
	useFakeTimer(o, false)
	log := watchEvents(t, o)
	c := addChild(t, o, "mem", "alloc:8", "out:small", "sleepms:100", "alloc:64", "sleep")
	c.MemoryLimit = 32 << 20
	c.MaxRestarts = 1
	errc := goSupervise(context.Background(), o, "mem")
	err := recvErr(t, errc, "Supervise")
	require.ErrorIs(t, err, ErrMemoryLimit)
	st := status(t, o, "mem")
	require.Equal(t, StateFatal, st.State)
	assert.Contains(t, st.Error.Error(), "mem killed: out of memory (limit 32 MiB)")
	log.close()
	for _, ev := range log.of("mem") {
		if ev.To == StateBackoff || ev.To == StateFatal {
			assert.Contains(t, ev.Error, "out of memory (limit 32 MiB)", "%+v", ev)
		}
	}
}
