//go:build unix

package overseer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestStress has processes flap while goroutines call every method of the
// Overseer at once on a small set of ids, some of them not registered.
// Under -race it looks for data races; in any mode for panics, deadlocks,
// processes left active after StopAll, and goroutines left behind.
func TestStress(t *testing.T) {
	const (
		flappers   = 8
		workers    = 16
		duration   = time.Second
		maxOpsEach = 20000
	)
	o := newTestOverseer(t)
	useFakeTimer(o, false) // restarts at once: the flappers flap as fast as they can
	ids := make([]string, flappers+4)
	for i := range ids {
		ids[i] = fmt.Sprintf("p%02d", i)
	}

	var cmdsMu sync.Mutex
	var cmds []*Cmd // every Cmd ever added
	for _, id := range ids[:flappers] {
		c := addChild(t, o, id, "exit:1")
		c.Restart = RestartAlways
		c.MaxRestarts = -1
		c.Group = "flap"
		cmds = append(cmds, c)
		require.NoError(t, o.Start(id))
	}

	// allowed fails t unless err is nil or wraps one of the errors that
	// op may meet in a race.
	allowed := func(op, id string, err error, expected ...error) {
		if err == nil {
			return
		}
		for _, e := range expected {
			if errors.Is(err, e) {
				return
			}
		}
		t.Errorf("%s(%s): unexpected error: %v", op, id, err)
	}

	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	var opsDone [workers]int
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for i := 0; i < maxOpsEach && time.Now().Before(deadline); i++ {
				opsDone[w]++
				id := ids[r.IntN(len(ids))]
				switch r.IntN(16) {
				case 0:
					c, err := o.Add(id, childPath, "ready", "sleep")
					allowed("Add", id, err, ErrExists)
					if err == nil {
						cmdsMu.Lock()
						cmds = append(cmds, c)
						cmdsMu.Unlock()
					}
				case 1:
					allowed("Remove", id, o.Remove(id), ErrNotFound, ErrRunning)
				case 2, 3:
					allowed("Start", id, o.Start(id), ErrNotFound, ErrRunning)
				case 4:
					allowed("Stop", id, o.Stop(id), ErrNotFound)
				case 5:
					allowed("Restart", id, o.Restart(id), ErrNotFound, ErrRunning, ErrNotReady) // the new run may be stopped, or fail
				case 6:
					sig := syscall.SIGCONT
					if r.IntN(4) == 0 {
						sig = syscall.SIGKILL
					}
					allowed("Signal", id, o.Signal(id, sig), ErrNotFound, os.ErrProcessDone)
				case 7:
					st, err := o.Status(id)
					allowed("Status", id, err, ErrNotFound)
					if err == nil && st.ID != id {
						t.Errorf("Status(%s) is the status of %s", id, st.ID)
					}
				case 8:
					jp, err := o.ToJSON(id)
					allowed("ToJSON", id, err, ErrNotFound)
					if err == nil && jp.ID != id {
						t.Errorf("ToJSON(%s) is the JSON of %s", id, jp.ID)
					}
				case 9:
					all := o.ToJSONAll()
					if !slices.IsSortedFunc(all, func(a, b JSONProcess) int { return strings.Compare(a.ID, b.ID) }) {
						t.Errorf("ToJSONAll is not sorted by id")
					}
				case 10:
					if list := o.ListAll(); !slices.IsSorted(list) {
						t.Errorf("ListAll is not sorted: %v", list)
					}
					if list := o.ListGroup("flap"); !slices.IsSorted(list) {
						t.Errorf("ListGroup is not sorted: %v", list)
					}
				case 11:
					ch := make(chan Event, r.IntN(4))
					stop := o.Watch(ch)
					select {
					case <-ch:
					default:
					}
					stop()
					close(ch)
				case 12:
					ch := make(chan Line, r.IntN(4))
					stop := o.WatchLogs(ch)
					stop()
					close(ch)
				case 13:
					c, err := o.Cmd(id)
					allowed("Cmd", id, err, ErrNotFound)
					if err == nil {
						_ = c.Lines(0)
						_ = c.ToJSON()
					}
					_ = o.HasProc(id)
					_, _ = o.Dropped()
				case 14:
					ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
					err := o.Supervise(ctx, id)
					cancel()
					if err != nil && !strings.Contains(err.Error(), "gave up") {
						allowed("Supervise", id, err, ErrNotFound, ErrRunning)
					}
				case 15:
					if r.IntN(8) == 0 {
						o.StopAll()
					}
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(waitTimeout):
		buf := make([]byte, 8<<20)
		fmt.Fprintf(os.Stderr, "TestStress: the workers are stuck:\n%s\n", buf[:runtime.Stack(buf, true)])
		panic("TestStress: deadlock")
	}
	total := 0
	for _, n := range opsDone {
		total += n
	}
	t.Logf("%d operations", total)

	within(t, "StopAll", func() { o.StopAll() })
	for _, id := range o.ListAll() {
		st := status(t, o, id)
		assert.True(t, st.State.IsFinal() || st.State == StateInitial, "%s is %v after StopAll", id, st.State)
	}
	assert.Empty(t, activeIDs(o), "active after StopAll")
	cmdsMu.Lock()
	for _, c := range cmds {
		st := c.Status()
		if registered, err := o.Cmd(st.ID); err == nil && registered == c {
			continue
		}
		if isActive(st.State) {
			t.Errorf("BUG: removed process %s (pid %d) is still %v, supervised outside the registry", st.ID, st.PID, st.State)
			c.Stop()
		}
	}
	cmdsMu.Unlock()
	goleak.VerifyNone(t, ignoreGuardian)
}

// After StopAll, nothing of the Overseer is left running, whatever state
// its processes were in.
func TestNoGoroutineAfterStopAll(t *testing.T) {
	o := newTestOverseer(t)
	ft := useFakeTimer(o, true) // backoffs and StartDelays wait for ever
	addChild(t, o, "running", "spawn:2", "lines:500", "sleep")
	addChild(t, o, "backoff", "exit:1")
	addChild(t, o, "finished", "exit:0")
	addChild(t, o, "fatal", "exit:1").MaxRestarts = NoRestarts
	addChild(t, o, "delayed", "sleep").StartDelay = time.Hour
	addChild(t, o, "stubborn", "ignore:TERM", "sleep").StopTimeout = 50 * time.Millisecond
	log := watchEvents(t, o)
	lines := make(chan Line, 10000)
	stopLines := o.WatchLogs(lines)

	errc := goSuperviseAll(context.Background(), o)
	waitState(t, o, "running", StateRunning)
	waitState(t, o, "backoff", StateBackoff)
	waitState(t, o, "finished", StateFinished)
	waitState(t, o, "fatal", StateFatal)
	waitState(t, o, "stubborn", StateRunning)
	eventually(t, func() bool { return len(ft.recorded()) == 2 }, "the backoff and the StartDelay did not begin")

	o.StopAll()
	err := recvErr(t, errc, "SuperviseAll")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fatal: gave up")
	stopLines()
	log.close()
	goleak.VerifyNone(t, ignoreGuardian)
}
