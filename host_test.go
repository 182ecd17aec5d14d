//go:build linux

package overseer

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostRun is testdata/host running under a test, with its output read line
// by line.
type hostRun struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // the host's stdout; closed at its end

	mu   sync.Mutex
	seen []string
}

// startHost runs testdata/host with flags, supervising the test child with
// ops, in a process group of its own (as a shell's job would be).
func startHost(t *testing.T, flags []string, ops ...string) *hostRun {
	t.Helper()
	args := append(append(flags, childPath), ops...)
	cmd := exec.Command(hostPath, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	h := &hostRun{cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	go func() {
		defer close(h.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			h.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return h
}

// next returns the host's next line that starts with prefix, without it.
func (h *hostRun) next(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case line, ok := <-h.lines:
			if !ok {
				t.Fatalf("the host ended before printing %q; it printed %q", prefix, h.printed())
			}
			h.mu.Lock()
			h.seen = append(h.seen, line)
			h.mu.Unlock()
			if rest, found := strings.CutPrefix(line, prefix); found {
				return rest
			}
		case <-timeout:
			t.Fatalf("the host did not print %q within %v; it printed %q", prefix, waitTimeout, h.printed())
		}
	}
}

func (h *hostRun) printed() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

func (h *hostRun) pid(t *testing.T, prefix string) int {
	t.Helper()
	pid, err := strconv.Atoi(h.next(t, prefix))
	require.NoError(t, err)
	return pid
}

// killAtEnd makes sure pid is gone when the test ends.
func killAtEnd(t *testing.T, pid int) {
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
}

// A host killed with SIGKILL leaves nothing behind: the guardian kills the
// process group of every run, background grandchildren included.
func TestHostKilledLeavesNothing(t *testing.T) {
	h := startHost(t, nil, "spawn:3", "sleep")
	leader := h.pid(t, "leader:")
	pids := []int{leader}
	for range 3 {
		pids = append(pids, h.pid(t, "out:pid:"))
	}
	for _, pid := range pids {
		killAtEnd(t, pid)
		require.False(t, processGone(pid), "pid %d is not running", pid)
	}

	require.NoError(t, h.cmd.Process.Kill())
	_ = h.cmd.Wait()
	for _, pid := range pids {
		eventually(t, func() bool { return processGone(pid) }, "pid %d outlived its host", pid)
	}
}

// The lifeline reaches end of file when the host is gone, for a descendant
// that escaped every process group the guardian knows.
func TestLifelineEndsWithTheHost(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lifeline")
	// With process groups alone: in cgroup mode the guardian kills the
	// escapee with the rest (TestHostKilledCgroupEscapee).
	h := startHost(t, []string{"-cgroups=off"}, "lifeline:"+file, "sleep")
	h.next(t, "leader:")
	killAtEnd(t, h.pid(t, "out:pid:"))
	_, err := os.Stat(file)
	require.ErrorIs(t, err, os.ErrNotExist, "the lifeline ended while the host lives")

	require.NoError(t, h.cmd.Process.Kill())
	_ = h.cmd.Wait()
	eventually(t, func() bool {
		data, err := os.ReadFile(file)
		return err == nil && string(data) == "eof"
	}, "the escaped descendant did not see the lifeline end")
}

// A child gets the lifeline as fd 3, and none of the host's systemd
// variables.
func TestLifelineAndOwnedVariables(t *testing.T) {
	for _, key := range []string{"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC", "OVERSEER_LIFELINE_FD"} {
		t.Setenv(key, "from-the-host")
	}
	t.Setenv("OVERSEER_TEST_KEPT", "kept")
	c, _ := newChild(t, "lifelinefd", "getenv:NOTIFY_SOCKET", "getenv:LISTEN_FDS", "getenv:LISTEN_PID",
		"getenv:WATCHDOG_USEC", "getenv:OVERSEER_TEST_KEPT")
	require.NoError(t, c.Start())
	st := c.Wait()
	assert.Equal(t, []string{
		"lifeline:3:pipe",
		"NOTIFY_SOCKET unset", "LISTEN_FDS unset", "LISTEN_PID unset", "WATCHDOG_USEC unset",
		"OVERSEER_TEST_KEPT=kept",
	}, st.Stdout)

	// An explicit Env loses them too.
	c, _ = newChild(t, "getenv:NOTIFY_SOCKET", "getenv:A")
	c.Env = []string{"NOTIFY_SOCKET=/run/host.sock", "A=b"}
	require.NoError(t, c.Start())
	assert.Equal(t, []string{"NOTIFY_SOCKET unset", "A=b"}, c.Wait().Stdout)
}

// PR_SET_PDEATHSIG would kill a child when the OS thread that started it
// exits; the guardian does not. Start a child from a thread the runtime then
// retires, and the child lives on.
func TestChildOutlivesItsThread(t *testing.T) {
	c, _ := newChild(t, "sleep")
	tids := make(chan int)
	tid := 0
	for tid == 0 {
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			if syscall.Gettid() == os.Getpid() {
				// The main thread is never retired, only parked: try
				// again on another.
				runtime.UnlockOSThread()
				tids <- 0
				return
			}
			if err := c.Start(); err != nil {
				t.Error(err)
			}
			tids <- syscall.Gettid()
		}()
		tid = <-tids
	}
	task := "/proc/self/task/" + strconv.Itoa(tid)
	eventually(t, func() bool {
		_, err := os.Stat(task)
		return os.IsNotExist(err)
	}, "thread %d was not retired", tid)
	st := c.Status()
	require.Equal(t, StateRunning, st.State)
	assert.False(t, processGone(st.PID), "the child died with the thread that started it")
	c.Stop()
}

// A grandchild that escapes into its own session survives Stop with
// process groups alone, unless the host is the subreaper: then it is
// killed and reaped when its run ends. (In cgroup mode it is killed
// anyway: TestCgroupStopReachesSetsidEscapee.)
func TestSetsidGrandchild(t *testing.T) {
	for _, subreaper := range []bool{false, true} {
		t.Run("subreaper="+strconv.FormatBool(subreaper), func(t *testing.T) {
			flags := []string{"-cgroups=off"}
			if subreaper {
				flags = append(flags, "-subreaper")
			}
			h := startHost(t, flags, "setsid:sleep", "sleep")
			h.next(t, "leader:")
			grandchild := h.pid(t, "out:pid:")
			killAtEnd(t, grandchild)
			require.False(t, processGone(grandchild))

			_, err := io.WriteString(h.stdin, "stop\n")
			require.NoError(t, err)
			h.next(t, "stopped")
			if !subreaper {
				assert.False(t, processGone(grandchild), "without the subreaper a setsid grandchild survives Stop")
				return
			}
			_, err = os.Stat("/proc/" + strconv.Itoa(grandchild))
			assert.True(t, os.IsNotExist(err), "the grandchild is still there (killed and reaped is wanted): %v", err)
		})
	}
}

// A Ctrl-C in the host's terminal reaches the host's process group, not the
// children: the host decides what they get (here, Stop and its SIGTERM).
func TestHostInterruptDoesNotReachChildren(t *testing.T) {
	h := startHost(t, nil, "trapint:child-got-sigint", "trapterm:0:child-got-sigterm", "ready", "sleep")
	leader := h.pid(t, "leader:")
	h.next(t, "out:ready")
	pgid, err := syscall.Getpgid(leader)
	require.NoError(t, err)
	assert.Equal(t, leader, pgid, "the child leads a process group of its own")

	require.NoError(t, syscall.Kill(-h.cmd.Process.Pid, syscall.SIGINT)) // as the terminal does
	h.next(t, "host:interrupt")
	h.next(t, "line:child-got-sigterm")
	h.next(t, "stopped")
	assert.NotContains(t, h.printed(), "line:child-got-sigint")
	assert.NotContains(t, h.printed(), "out:child-got-sigint")
}

// A descendant that escaped the group and holds the output pipe open does
// not keep the run from ending: the rest of the group is killed after
// StopTimeout, what is in the pipe is read, and the run ends pipeGrace
// later, as with os/exec's WaitDelay.
func TestEscapedWriterDoesNotHoldTheRun(t *testing.T) {
	c, _ := newChild(t, "setsidout:out:from-the-escapee+sleep", "exit:0")
	c.StopTimeout = 50 * time.Millisecond
	require.NoError(t, c.Start())
	var st Status
	within(t, "Wait", func() { st = c.Wait() })
	assert.Equal(t, StateFinished, st.State)
	for _, l := range c.Lines(0) {
		if pid, ok := strings.CutPrefix(l.Text, "pid:"); ok {
			n, err := strconv.Atoi(pid)
			require.NoError(t, err)
			killAtEnd(t, n)
			assert.False(t, processGone(n), "the escapee should still be running: it is what holds the pipe")
		}
	}
}
