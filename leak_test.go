//go:build linux

package overseer

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// No file descriptor is left behind by runs: thousands of short runs, 20 at
// a time, of every kind (clean exits, failures, output on both streams, runs
// stopped at once, programs that cannot be started, and processes flapping
// under an Overseer) leave the host with the descriptors it had after a
// warm-up, which opens whatever is opened once (the netpoller, the guardian's
// pipe, the lifeline). Goroutines are back to where they were, too.
func TestLeakFileDescriptors(t *testing.T) {
	runs := 9_500 // and 500 more without the garbage collector: 10,000

	dir := t.TempDir()
	notExec := filepath.Join(dir, "not-executable")
	require.NoError(t, os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644))

	shortRuns(t, 200, notExec) // the warm-up
	before := openFDs(t)
	made := shortRuns(t, runs, notExec)
	// The last runs go without the garbage collector, so that a file left
	// open is not closed behind the test's back by its finalizer: a
	// descriptor that only a collection would close counts as left open.
	gcPercent := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(gcPercent)
	made += shortRuns(t, 500, notExec)
	t.Logf("%d runs; %d descriptors open after the warm-up", made, len(before))
	var after []string
	eventually(t, func() bool {
		after = openFDs(t)
		return len(after) <= len(before)
	}, "descriptors left open after %d runs: %d before, %v", made, len(before), testbuild.Later(func() string {
		return fmt.Sprintf("%d after; new ones:\n%s", len(after), strings.Join(newFDs(before, after), "\n"))
	}))
	debug.SetGCPercent(gcPercent)
	goleak.VerifyNone(t, ignoreGuardian)
}

// shortRuns makes at least n runs, 20 at a time, and returns how many it
// made: each of 20 goroutines starts and waits for runs of its own Cmd, and
// processes flap under an Overseer (restarted at once) until the count is
// reached. notExec is a file that is not executable.
func shortRuns(t *testing.T, n int, notExec string) int {
	t.Helper()
	const workers = 20
	var count atomic.Int64

	// The Overseer's processes flap until the workers are done.
	o := newTestOverseer(t)
	useFakeTimer(o, false)
	events := make(chan Event, 1024)
	stopWatch := o.Watch(events)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for ev := range events {
			if ev.To == StateRunning {
				count.Add(1)
			}
		}
	}()
	flappers := [][]string{{"exit:0"}, {"out:up", "exit:1"}, {"err:down", "kill:9"}}
	for i, ops := range flappers {
		id := fmt.Sprintf("flap%d", i)
		c := addChild(t, o, id, ops...)
		c.Restart, c.MaxRestarts = RestartAlways, -1
		require.NoError(t, o.Start(id))
	}

	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c *Cmd
			switch w % 4 {
			case 0:
				c = NewCmd(childPath, "out:hello", "err:world", "exit:3")
			case 1:
				c = NewCmd(childPath, "sleep") // stopped at once
			default:
				c = NewCmd(childPath, "exit:0")
			}
			// Starts that fail, now and then: the program is missing, is
			// not executable (exec fails after the pipes are made), or
			// the directory is missing.
			badDir := NewCmd(childPath, "exit:0")
			badDir.Dir = notExec + "-missing"
			bad := []*Cmd{NewCmd(childPath + "-missing"), NewCmd(notExec), badDir}
			for _, c := range append(bad, c) {
				watchCmd(t, c)
			}
			for i := 0; count.Add(1) <= int64(n); i++ {
				err := c.Start()
				assert.NoError(t, err)
				if w%4 == 1 {
					c.Stop()
				}
				select {
				case <-c.Done():
				case <-time.After(waitTimeout):
					t.Errorf("a run did not end within %v: %+v", waitTimeout, c.Status())
					return
				}
				if st := c.Status(); !st.State.IsFinal() {
					t.Errorf("a run ended %v", st.State)
				}
				if t.Failed() {
					return
				}
				if i%4 == 0 {
					b := bad[(i/4)%len(bad)]
					assert.Error(t, b.Start(), "%v", b.Args)
					assert.Equal(t, StateFatal, b.Status().State, "%v", b.Args)
				}
			}
		}()
	}
	wg.Wait()
	o.StopAll()
	stopWatch()
	close(events)
	<-watched
	assert.Empty(t, activeIDs(o))
	return int(count.Load())
}

// openFDs returns the host's open file descriptors, each as "fd -> target".
func openFDs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	var fds []string
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil {
			continue // the descriptor of the directory being read, closed since
		}
		fds = append(fds, e.Name()+" -> "+target)
	}
	return fds
}

// newFDs returns the descriptors of after that are not in before.
func newFDs(before, after []string) []string {
	old := map[string]bool{}
	for _, fd := range before {
		old[fd] = true
	}
	var out []string
	for _, fd := range after {
		if !old[fd] {
			out = append(out, fd)
		}
	}
	return out
}

// No run leaves a zombie: after runs that exit and leave processes in their
// group, restarts, Stop during a run and during a backoff, a Stop that must
// escalate to SIGKILL, a process that gives up, and StopAll, no child of the
// host is defunct, no process the Overseer started is still a child of the
// host, and every grandchild is gone.
func TestLeakNoZombies(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	quick := Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond}
	lines := make(chan Line, 1<<12)
	stopLines := o.WatchLogs(lines)
	var grandMu sync.Mutex
	var grand []int // the pids of every grandchild
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for l := range lines {
			if s, ok := strings.CutPrefix(l.Text, "pid:"); ok {
				pid, err := strconv.Atoi(s)
				if err == nil {
					grandMu.Lock()
					grand = append(grand, pid)
					grandMu.Unlock()
				}
			}
		}
	}()

	// A run whose leader exits and leaves grandchildren in its group,
	// outside any Overseer.
	bare, _ := newChild(t, "spawn:2", "exit:0")
	ran := map[int]bool{} // the pids of every run
	for range 3 {
		require.NoError(t, bare.Start())
		ran[wait(t, bare).PID] = true
	}
	bareGrand := grandchildren(t, bare, 6)

	// Restarted by request, then stopped.
	spawner := addChild(t, o, "spawner", "spawn:3", "ready", "sleep")
	spawner.Restart = RestartAlways
	ready := func(id string, n int) {
		t.Helper()
		eventually(t, func() bool {
			runs := 0
			for _, l := range status(t, o, id).Stdout {
				if l == "ready" {
					runs++
				}
			}
			return runs == n
		}, "%s is not ready %d times", id, n)
	}
	require.NoError(t, o.Start("spawner"))
	ready("spawner", 1)
	require.NoError(t, o.Restart("spawner"))
	ready("spawner", 2)
	require.NoError(t, o.Stop("spawner"))

	// Flapping, its leader exiting with grandchildren behind; left to
	// StopAll.
	flapper := addChild(t, o, "flapper", "spawn:2", "exit:1")
	flapper.Restart, flapper.MaxRestarts, flapper.Backoff = RestartAlways, -1, quick
	require.NoError(t, o.Start("flapper"))
	log.waitCount(t, "flapper", StateRunning, 5)

	// Gives up after two restarts.
	fatal := addChild(t, o, "fatal", "spawn:1", "exit:1")
	fatal.MaxRestarts, fatal.Backoff = 2, quick
	require.NoError(t, o.Start("fatal"))
	waitState(t, o, "fatal", StateFatal)

	// Ignores SIGTERM: StopAll kills it.
	stubborn := addChild(t, o, "stubborn", "ignore:TERM", "spawn:2", "ready", "sleep")
	stubborn.StopTimeout = 50 * time.Millisecond
	require.NoError(t, o.Start("stubborn"))
	ready("stubborn", 1)

	// Stopped in its backoff.
	waiting := addChild(t, o, "waiting", "spawn:1", "exit:1")
	waiting.Backoff = Backoff{Min: time.Hour, Max: time.Hour}
	require.NoError(t, o.Start("waiting"))
	waitState(t, o, "waiting", StateBackoff)
	require.NoError(t, o.Stop("waiting"))

	addChild(t, o, "never", "exit:0") // never started

	within(t, "StopAll", func() { o.StopAll() })
	assert.Empty(t, activeIDs(o), "active after StopAll")

	// Everything the Overseer ran has been reaped: none of its pids is
	// a child of the host any more, and no child of the host is defunct.
	assert.Empty(t, defunctChildren(t), "zombie children of the host")
	for _, id := range o.ListAll() {
		for _, ev := range log.of(id) {
			if ev.PID > 0 {
				ran[ev.PID] = true
			}
		}
	}
	for pid := range ran {
		if ppid, state, ok := procStat(pid); ok && ppid == os.Getpid() {
			t.Errorf("pid %d, which the Overseer ran, is still a child of the host (state %c)", pid, state)
		}
	}

	stopLines()
	close(lines)
	<-collected
	grandMu.Lock()
	all := append(grand, bareGrand...)
	grandMu.Unlock()
	require.NotEmpty(t, all)
	for _, pid := range all {
		eventually(t, func() bool { return processGone(pid) }, "grandchild %d is still running", pid)
	}
	assert.Empty(t, defunctChildren(t), "zombie children of the host")
}

// defunctChildren returns the children of the host that are zombies, each as
// "pid (command)".
func defunctChildren(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, state, ok := procStat(pid); ok && ppid == os.Getpid() && state == 'Z' {
			out = append(out, fmt.Sprintf("%d (%s)", pid, procComm(pid)))
		}
	}
	return out
}

// procStat returns the parent and the state of process pid, and false if it
// is gone.
func procStat(pid int) (ppid int, state byte, ok bool) {
	st, ok := proc.ReadStat(pid)
	return st.PPID, st.State, ok
}

func procComm(pid int) string {
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(comm))
}
