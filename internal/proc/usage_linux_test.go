package proc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/internal/testbuild"
)

func TestParseStat(t *testing.T) {
	// A comm with spaces and parentheses, as a program may name itself.
	line := "4242 (a b) (c)) S 1 4240 4240 0 -1 4194560 100 0 0 0 " +
		"7 3 11 2 20 0 5 0 123456 1000000 321 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	st, ok := parseStat([]byte(line))
	require.True(t, ok)
	assert.Equal(t, statFields{state: 'S', pgrp: 4240, ticks: 7 + 3 + 11 + 2, threads: 5, rss: 321}, st)

	for _, bad := range []string{"", "4242 (x", "4242 (x) S 1 2", "4242 (x) S 1 x 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24"} {
		_, ok := parseStat([]byte(bad))
		assert.False(t, ok, "%q", bad)
	}
}

// startChild starts the test binary in mode, in a process group of its
// own, and kills and reaps it when t ends.
func startChild(t *testing.T, mode string) *exec.Cmd {
	t.Helper()
	c := exec.Command(os.Args[0])
	c.Env = append(os.Environ(), modeEnv+"="+mode, "GORACE=atexit_sleep_ms=0")
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, c.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL) // ESRCH if a test killed it already
		_ = c.Wait()                                      // killed: its status says nothing
	})
	return c
}

// A sweep reads every group asked for, in one pass: the members' count,
// threads, memory and CPU; a group without members reads as zero.
func TestGroupSweep(t *testing.T) {
	sleeper := startChild(t, modeSleep).Process.Pid
	spinner := startChild(t, modeSpin).Process.Pid
	var s GroupSweep
	defer s.Close()
	pgids := []int{sleeper, spinner, 0x7ffffff0} // the last is no group
	out := make([]Usage, len(pgids))
	testbuild.Eventually(t, func() bool {
		require.NoError(t, s.Sweep(pgids, out, false))
		return out[1].CPU > 0
	}, "the spinning child used no CPU: %+v", out)
	for i := range 2 {
		assert.Equal(t, 1, out[i].Tasks, "group %d", pgids[i])
		assert.GreaterOrEqual(t, out[i].Threads, 1, "group %d", pgids[i])
		assert.NotZero(t, out[i].Memory, "group %d", pgids[i])
		assert.Equal(t, -1, out[i].FDs, "group %d", pgids[i])
	}
	assert.Equal(t, Usage{FDs: -1}, out[2])
	assert.False(t, out[0].Time.IsZero())

	u, err := GroupUsage(sleeper, true)
	require.NoError(t, err)
	assert.Equal(t, 1, u.Tasks)
	assert.GreaterOrEqual(t, u.FDs, 3, "stdin, stdout and stderr at least")

	require.Error(t, s.Sweep(pgids, out[:1], false), "a result per group")
}

// A killed member that is not reaped (a zombie) no longer counts as a
// process, nor do its threads or memory.
func TestGroupSweepZombie(t *testing.T) {
	c := startChild(t, modeSleep)
	pid := c.Process.Pid
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	testbuild.Eventually(t, func() bool {
		st, ok := ReadStat(pid)
		return ok && st.State == 'Z'
	}, "pid %d did not become a zombie", pid)
	u, err := GroupUsage(pid, false)
	require.NoError(t, err)
	assert.Zero(t, u.Tasks)
	assert.Zero(t, u.Threads)
	assert.Zero(t, u.Memory)
}

// writableCgroup2 returns a new control group under the host's cgroup2
// mount, removed when t ends, or skips t with the reason there is none.
func writableCgroup2(t *testing.T) string {
	t.Helper()
	mount, _, err := cgroup2Mount()
	if err != nil {
		t.Skipf("no cgroup2 hierarchy: %v", err)
	}
	dir := filepath.Join(mount, "overseer-proc-test."+strconv.Itoa(os.Getpid())+"."+strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("no writable cgroup2 hierarchy: %v", err)
	}
	t.Cleanup(func() {
		// Its processes are killed by their own cleanups, registered
		// later and so run first; rmdir fails while one is left.
		testbuild.Eventually(t, func() bool {
			err := os.Remove(dir)
			return err == nil || errors.Is(err, os.ErrNotExist)
		}, "cannot remove %s", dir)
	})
	return dir
}

// The readings of a control group: its processes and threads, its CPU
// (cpu.stat's usage_usec, there without the cpu controller), its memory
// (memory.current where the memory controller is enabled, else the
// members' resident sets).
func TestCgroupUsage(t *testing.T) {
	dir := writableCgroup2(t)
	spinner := startChild(t, modeSpin).Process.Pid
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(spinner)), 0o644))

	pids, err := CgroupProcs(dir)
	require.NoError(t, err)
	assert.Equal(t, []int{spinner}, pids)
	threads, err := CgroupThreads(dir)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, threads, 1)
	var cpu time.Duration
	testbuild.Eventually(t, func() bool {
		cpu, err = CgroupCPU(dir)
		require.NoError(t, err)
		return cpu > 0
	}, "the spinning child used no CPU in %s", dir)
	memory, charged, err := CgroupMemory(dir)
	require.NoError(t, err)
	if charged {
		assert.NotZero(t, memory)
	} else {
		t.Logf("%s has no memory.current: the memory controller is not enabled for it", dir)
	}

	u, err := CgroupUsage(dir, true)
	require.NoError(t, err)
	assert.Equal(t, 1, u.Tasks)
	assert.Equal(t, threads, u.Threads)
	assert.GreaterOrEqual(t, u.CPU, cpu)
	assert.NotZero(t, u.Memory)
	assert.GreaterOrEqual(t, u.FDs, 3)
	u, err = CgroupUsage(dir, false)
	require.NoError(t, err)
	assert.Equal(t, -1, u.FDs)

	// Empty: no process, and the CPU of those gone is kept.
	require.NoError(t, syscall.Kill(spinner, syscall.SIGKILL))
	testbuild.Eventually(t, func() bool {
		pids, err := CgroupProcs(dir)
		require.NoError(t, err)
		return len(pids) == 0
	}, "%s is not empty after the kill", dir)
	u, err = CgroupUsage(dir, false)
	require.NoError(t, err)
	assert.Zero(t, u.Tasks)
	assert.GreaterOrEqual(t, u.CPU, cpu)

	_, err = CgroupUsage(filepath.Join(dir, "nonexistent"), false)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// openFDs counts the host's open descriptors of stat files of /proc.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err == nil && strings.HasPrefix(target, "/proc/") && strings.HasSuffix(target, "/stat") {
			n++
		}
	}
	return n
}

// A sweep keeps the stat file of each member open between passes, and
// closes it when the member is gone, or no longer in a group asked for;
// Close closes them all.
func TestGroupSweepKeepsMembersOpen(t *testing.T) {
	a := startChild(t, modeSleep)
	b := startChild(t, modeSleep).Process.Pid
	var s GroupSweep
	defer s.Close()
	before := openFDs(t) // 0, unless a test before left some
	out := make([]Usage, 2)
	require.NoError(t, s.Sweep([]int{a.Process.Pid, b}, out, false))
	assert.Equal(t, 1, out[0].Tasks)
	assert.Equal(t, 1, out[1].Tasks)
	assert.Equal(t, before+2, openFDs(t), "a stat file per member")
	require.NoError(t, s.Sweep([]int{a.Process.Pid, b}, out, false))
	assert.Equal(t, before+2, openFDs(t), "the same files, read again")
	assert.Equal(t, 1, out[0].Tasks)

	require.NoError(t, a.Process.Kill())
	_ = a.Wait() // killed: its status says nothing
	require.NoError(t, s.Sweep([]int{a.Process.Pid, b}, out, false))
	assert.Zero(t, out[0].Tasks)
	assert.Equal(t, 1, out[1].Tasks)
	assert.Equal(t, before+1, openFDs(t), "the file of a process gone is closed")

	require.NoError(t, s.Sweep([]int{a.Process.Pid}, out[:1], false))
	assert.Equal(t, before, openFDs(t), "the file of a member of a group no longer asked for is closed")
	require.NoError(t, s.Sweep([]int{b}, out[:1], false))
	assert.Equal(t, 1, out[0].Tasks, "a leader is read again, its group asked for again")
	s.Close()
	assert.Equal(t, before, openFDs(t))
}

// A process the sweep found in no group asked for is counted once its
// group is: a run's leader, and what it made before its group was asked
// for (the pass after).
func TestGroupSweepLateGroup(t *testing.T) {
	var s GroupSweep
	defer s.Close()
	// The host starts a child in a group of its own: a run whose group
	// the sweep has not been asked for yet.
	host := startChild(t, modeHost)
	var child int
	testbuild.Eventually(t, func() bool {
		for _, pid := range Pids() {
			if st, ok := ReadStat(pid); ok && st.PPID == host.Process.Pid {
				child = pid
				return true
			}
		}
		return false
	}, "the host started no child")
	out := make([]Usage, 1)
	require.NoError(t, s.Sweep([]int{host.Process.Pid}, out, false)) // the child is in no group asked for
	assert.Equal(t, 1, out[0].Tasks, "the host alone")
	require.NoError(t, s.Sweep([]int{child}, out, false))
	assert.Equal(t, 1, out[0].Tasks, "the child, its group's leader, is read again")
}

// A CgroupSweep reads its groups again from the files it keeps open: a
// process that joins is counted, one that leaves is not, and the files of
// a group not read in a pass are closed at its end.
func TestCgroupSweep(t *testing.T) {
	dir := writableCgroup2(t)
	a := startChild(t, modeSleep).Process.Pid
	// b keeps running once it has joined: a group whose CPU time has not
	// moved keeps its last reading (CgroupSweep.reuse), and a process
	// moved in by a write to cgroup.procs (a run's never is) does not
	// move it until it runs there.
	b := startChild(t, modeSpin)
	join := func(pid int) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644))
	}
	join(a)
	var s CgroupSweep
	defer s.Close()
	before := openFDs(t)
	u, err := s.Read(dir, false)
	require.NoError(t, err)
	assert.Equal(t, 1, u.Tasks)
	assert.Equal(t, before+1, openFDs(t), "the member's stat file is kept")
	s.End()

	join(b.Process.Pid)
	testbuild.Eventually(t, func() bool { // once its CPU time is charged to the group
		u, err = s.Read(dir, false)
		require.NoError(t, err)
		s.End()
		return u.Tasks == 2
	}, "the process that joined is not counted: %+v", testbuild.Later(func() string { return fmt.Sprint(u) }))

	require.NoError(t, b.Process.Kill())
	_ = b.Wait() // killed: its status says nothing
	u, err = s.Read(dir, false)
	require.NoError(t, err)
	assert.Equal(t, 1, u.Tasks)
	assert.Equal(t, before+1, openFDs(t), "the stat file of a process gone is closed")
	s.End()

	s.End() // a pass that did not read the group
	assert.Equal(t, before, openFDs(t))
	u, err = s.Read(dir, true)
	require.NoError(t, err)
	assert.Equal(t, 1, u.Tasks)
	assert.GreaterOrEqual(t, u.FDs, 3)
}

// A member whose CPU clock has not moved keeps what the last read of its
// stat file found, without a read, for idleRefresh passes at most; one
// whose clock has moved, or cannot be read, is read again.
func TestGroupSweepIdle(t *testing.T) {
	pid := startChild(t, modeSleep).Process.Pid
	clock, clocked := time.Duration(42), true
	s := GroupSweep{clock: func(p int) (time.Duration, bool) {
		if p != pid {
			return processCPU(p)
		}
		return clock, clocked
	}}
	defer s.Close()
	out := make([]Usage, 1)
	sweep := func() uint64 {
		t.Helper()
		reads := s.reads
		require.NoError(t, s.Sweep([]int{pid}, out, false))
		return s.reads - reads
	}
	require.EqualValues(t, 1, sweep())
	first := out[0]
	require.Equal(t, 1, first.Tasks)
	for pass := 2; pass <= idleRefresh; pass++ {
		require.Zero(t, sweep(), "pass %d: an idle member is not read", pass)
		assert.Equal(t, first.Tasks, out[0].Tasks)
		assert.Equal(t, first.Threads, out[0].Threads)
		assert.Equal(t, first.Memory, out[0].Memory)
		assert.Equal(t, first.CPU, out[0].CPU)
		assert.True(t, out[0].Time.After(first.Time), "pass %d: a reading of now", pass)
	}
	assert.EqualValues(t, 1, sweep(), "read again after %d passes", idleRefresh)
	assert.Zero(t, sweep())
	clock++
	assert.EqualValues(t, 1, sweep(), "its clock moved")
	assert.Zero(t, sweep())
	clocked = false
	assert.EqualValues(t, 1, sweep(), "no clock")
	assert.EqualValues(t, 1, sweep(), "no clock")
	clocked = true
	assert.EqualValues(t, 1, sweep(), "the clock is back, and known at the read")
	assert.Zero(t, sweep())
	assert.Equal(t, 1, out[0].Tasks)
}

// A process whose first thread waits while another runs is read again
// at every pass: its CPU clock is that of all its threads (the first
// thread's /proc/pid/schedstat would not move).
func TestGroupSweepBusyThread(t *testing.T) {
	pid := startChild(t, modeSpinThread).Process.Pid
	var s GroupSweep
	defer s.Close()
	out := make([]Usage, 1)
	require.NoError(t, s.Sweep([]int{pid}, out, false))
	require.Equal(t, 1, out[0].Tasks)
	// Rounds, so that some come once the first thread has settled.
	for round := range 5 {
		before := out[0].CPU
		var now Usage
		testbuild.Eventually(t, func() bool {
			var err error
			now, err = GroupUsage(pid, false) // read in full
			require.NoError(t, err)
			return now.CPU > before
		}, "the spinning thread used no CPU")
		reads := s.reads
		require.NoError(t, s.Sweep([]int{pid}, out, false))
		assert.EqualValues(t, 1, s.reads-reads, "round %d: read again", round)
		assert.GreaterOrEqual(t, out[0].CPU, now.CPU, "round %d: the CPU of its busy thread", round)
	}
	leader, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(pid) + "/schedstat")
	require.NoError(t, err)
	t.Logf("first thread's schedstat: %s, the process's CPU: %v", strings.TrimSpace(string(leader)), out[0].CPU)
}

// processCPU reads the CPU clock of any process, and of none when the
// pid is no process.
func TestProcessCPU(t *testing.T) {
	pid := startChild(t, modeSpin).Process.Pid
	var cpu time.Duration
	testbuild.Eventually(t, func() bool {
		var ok bool
		cpu, ok = processCPU(pid)
		require.True(t, ok)
		return cpu > 0
	}, "the spinning child used no CPU")
	u, err := GroupUsage(pid, false)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, cpu+clockTick, u.CPU-clockTick, "about what its stat says")
	_, ok := processCPU(0x3ffff0) // above any pid_max
	assert.False(t, ok)
}
