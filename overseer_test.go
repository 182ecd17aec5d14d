//go:build unix

package overseer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddDefaults(t *testing.T) {
	o := newTestOverseer(t)
	c, err := o.Add("web", childPath, "exit:0")
	require.NoError(t, err)
	assert.Equal(t, []string{childPath, "exit:0"}, c.Args)
	assert.Equal(t, RestartOnFailure, c.Restart)
	assert.Equal(t, 5, c.MaxRestarts)
	assert.Equal(t, 10*time.Second, c.ResetAfter)
	assert.Equal(t, Backoff{Min: 100 * time.Millisecond, Max: 30 * time.Second, Factor: 2}, c.Backoff)
	assert.Equal(t, 10*time.Second, c.StopTimeout)
	assert.Equal(t, syscall.SIGTERM, c.StopSignal)
	assert.Equal(t, 1000, c.BufferLines)
	assert.Equal(t, 4<<20, c.BufferBytes)
	assert.Equal(t, 64<<10, c.MaxLineBytes)
	assert.Zero(t, c.StartDelay)
	assert.Empty(t, c.SuccessCodes)
	assert.Empty(t, c.Group)

	got, err := o.Cmd("web")
	require.NoError(t, err)
	assert.Same(t, c, got)
	st := status(t, o, "web")
	assert.Equal(t, "web", st.ID)
	assert.Equal(t, StateInitial, st.State)
	assert.Zero(t, st.PID)
	assert.Equal(t, -1, st.Exit)
	assert.True(t, o.HasProc("web"))
}

func TestAddInvalid(t *testing.T) {
	tests := []struct {
		name string
		id   string
		args []string
	}{
		{"empty id", "", []string{childPath}},
		{"no args", "a", nil},
		{"empty program", "a", []string{""}},
		{"space", "a b", []string{childPath}},
		{"tab", "a\tb", []string{childPath}},
		{"newline", "a\n", []string{childPath}},
		{"no-break space", "a\u00a0b", []string{childPath}},
		{"slash", "a/b", []string{childPath}},
		{"NUL", "a\x00b", []string{childPath}},
		{"escape", "a\x1b[31m", []string{childPath}},
		{"DEL", "a\x7f", []string{childPath}},
		{"C1 control", "a\u0085b", []string{childPath}},
		{"invalid UTF-8", "a\xffb", []string{childPath}},
		{"truncated UTF-8", "w\xc3", []string{childPath}},
		{"257 bytes", strings.Repeat("a", 257), []string{childPath}},
		{"dot", ".", []string{childPath}},
		{"dot dot", "..", []string{childPath}},
		{"query", "a?b", []string{childPath}},
		{"fragment", "a#b", []string{childPath}},
		{"percent", "a%2F", []string{childPath}},
		{"quote", `a"b`, []string{childPath}},
		{"backslash", `a\b`, []string{childPath}},
		{"129 two-byte runes", strings.Repeat("é", 129), []string{childPath}},
	}
	o := newTestOverseer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := o.Add(tt.id, tt.args...)
			require.ErrorIs(t, err, ErrInvalid)
			assert.Nil(t, c)
			assert.False(t, o.HasProc(tt.id))
		})
	}
	assert.Empty(t, o.ListAll())
}

func TestAddValidIDs(t *testing.T) {
	o := newTestOverseer(t)
	ids := []string{
		"wëb-1",
		"a",
		"web_1.worker:2",
		"api@eu+1",
		"..a",
		"日本語",
		strings.Repeat("a", 256),
		strings.Repeat("é", 128), // 256 bytes
	}
	for _, id := range ids {
		c, err := o.Add(id, childPath)
		require.NoError(t, err, "id %q", id)
		assert.Equal(t, id, c.Status().ID)
		assert.True(t, o.HasProc(id))
	}
	want := slices.Clone(ids)
	slices.Sort(want)
	assert.Equal(t, want, o.ListAll())
}

func TestAddDuplicate(t *testing.T) {
	o := newTestOverseer(t)
	first := addChild(t, o, "web", "exit:0")
	c, err := o.Add("web", childPath, "exit:1")
	require.ErrorIs(t, err, ErrExists)
	assert.Contains(t, err.Error(), "web")
	assert.Nil(t, c)
	got, err := o.Cmd("web")
	require.NoError(t, err)
	assert.Same(t, first, got, "the first registration is kept")
	assert.Equal(t, []string{"web"}, o.ListAll())
}

func TestUnknownID(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "known")
	const id = "ghost-42"
	calls := map[string]func() error{
		"Remove":    func() error { return o.Remove(id) },
		"Start":     func() error { return o.Start(id) },
		"Supervise": func() error { return o.Supervise(context.Background(), id) },
		"Stop":      func() error { return o.Stop(id) },
		"Restart":   func() error { return o.Restart(id) },
		"Signal":    func() error { return o.Signal(id, syscall.SIGTERM) },
		"Status": func() error {
			st, err := o.Status(id)
			assert.Zero(t, st.ID)
			return err
		},
		"ToJSON": func() error {
			jp, err := o.ToJSON(id)
			assert.Zero(t, jp)
			return err
		},
		"Cmd": func() error {
			c, err := o.Cmd(id)
			assert.Nil(t, c)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var err error
			within(t, name, func() { err = call() })
			require.ErrorIs(t, err, ErrNotFound)
			assert.Contains(t, err.Error(), id)
		})
	}
	assert.Equal(t, StateInitial, status(t, o, "known").State, "nothing happened to the others")
}

func TestRemove(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "a", "exit:0")
	addChild(t, o, "b", "exit:0")

	// At rest, never started.
	require.NoError(t, o.Remove("a"))
	assert.False(t, o.HasProc("a"))
	_, err := o.Cmd("a")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, []string{"b"}, o.ListAll())
	require.ErrorIs(t, o.Remove("a"), ErrNotFound)

	// At rest, finished.
	require.NoError(t, o.Supervise(context.Background(), "b"))
	require.NoError(t, o.Remove("b"))
	assert.Empty(t, o.ListAll())

	// The id can be taken again, by a new process.
	c := addChild(t, o, "a", "exit:0")
	assert.Equal(t, StateInitial, c.Status().State)
}

func TestRemoveActive(t *testing.T) {
	o := newTestOverseer(t)
	ft := useFakeTimer(o, true) // backoffs and StartDelays never end
	addChild(t, o, "running", "sleep")
	addChild(t, o, "backoff", "exit:1")
	delayed := addChild(t, o, "delayed", "exit:0")
	delayed.StartDelay = time.Hour
	for _, id := range []string{"running", "backoff", "delayed"} {
		require.NoError(t, o.Start(id))
	}
	waitState(t, o, "running", StateRunning)
	waitState(t, o, "backoff", StateBackoff)
	eventually(t, func() bool { return len(ft.recorded()) == 2 }, "the StartDelay did not begin")
	require.Equal(t, StateStarting, status(t, o, "delayed").State)

	for _, id := range []string{"running", "backoff", "delayed"} {
		err := o.Remove(id)
		require.ErrorIs(t, err, ErrRunning, id)
		assert.Contains(t, err.Error(), id)
		assert.True(t, o.HasProc(id))
		require.NoError(t, o.Stop(id))
		assert.Equal(t, StateInterrupted, status(t, o, id).State)
		require.NoError(t, o.Remove(id), id)
		assert.False(t, o.HasProc(id))
	}
}

// A removed process is detached: what it does is not published.
func TestRemovedProcessIsDetached(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	lines := make(chan Line, 100)
	stopLines := o.WatchLogs(lines)
	defer stopLines()
	c := addChild(t, o, "gone", "out:hello", "exit:0")
	require.NoError(t, o.Remove("gone"))
	require.NoError(t, c.Start())
	wait(t, c)
	assert.Equal(t, []string{"hello"}, c.Status().Stdout)
	log.close()
	assert.Empty(t, log.of("gone"))
	assert.Empty(t, lines)
}

func TestListAllAndGroup(t *testing.T) {
	o := newTestOverseer(t)
	for _, p := range []struct{ id, group string }{
		{"web-2", "web"}, {"db", "data"}, {"web-1", "web"}, {"cache", "data"}, {"lone", ""}, {"web-10", "web"},
	} {
		// Configured before it is registered: a Group set after Add shows
		// from the next start on (see Cmd).
		c := NewCmd(childPath)
		c.Group = p.group
		require.NoError(t, o.AddCmd(p.id, c))
	}
	assert.Equal(t, []string{"cache", "db", "lone", "web-1", "web-10", "web-2"}, o.ListAll())
	assert.Equal(t, []string{"web-1", "web-10", "web-2"}, o.ListGroup("web"))
	assert.Equal(t, []string{"cache", "db"}, o.ListGroup("data"))
	assert.Equal(t, []string{"lone"}, o.ListGroup(""))
	assert.Empty(t, o.ListGroup("nope"))
	assert.Empty(t, o.ListGroup("We"))
}

func TestToJSONAll(t *testing.T) {
	o := newTestOverseer(t)
	assert.Empty(t, o.ToJSONAll())
	for _, id := range []string{"c", "a", "b"} {
		c := NewCmd(childPath, "exit:3") // configured before registration: observers see it at once
		c.Group = "g-" + id
		c.Restart = RestartNever
		require.NoError(t, o.AddCmd(id, c))
	}
	require.NoError(t, o.Supervise(context.Background(), "b"))
	all := o.ToJSONAll()
	require.Len(t, all, 3)
	for i, id := range []string{"a", "b", "c"} {
		assert.Equal(t, id, all[i].ID)
		assert.Equal(t, "g-"+id, all[i].Group)
		assert.Equal(t, childPath+" exit:3", all[i].Cmd)
		jp, err := o.ToJSON(id)
		require.NoError(t, err)
		assert.Equal(t, jp.State, all[i].State)
	}
	assert.Equal(t, StateFinished, all[1].State)
	assert.Equal(t, 3, all[1].Exit)
	assert.Equal(t, StateInitial, all[0].State)
}

func TestStartLaunchesTheFirstRun(t *testing.T) {
	o := newTestOverseer(t)
	ft := useFakeTimer(o, true)
	addChild(t, o, "sleeper", "sleep")
	delayed := addChild(t, o, "delayed", "sleep")
	delayed.StartDelay = time.Hour

	within(t, "Start", func() { require.NoError(t, o.Start("sleeper")) })
	st := status(t, o, "sleeper")
	assert.Equal(t, StateRunning, st.State, "the first run has started when Start returns")
	assert.Positive(t, st.PID)

	// Start returns during the StartDelay, before any exec.
	within(t, "Start", func() { require.NoError(t, o.Start("delayed")) })
	eventually(t, func() bool { return len(ft.recorded()) == 1 }, "the StartDelay did not begin")
	st = status(t, o, "delayed")
	assert.Equal(t, StateStarting, st.State)
	assert.Zero(t, st.PID)

	// A program that cannot start has failed its first run when Start
	// returns, and the policy handles it.
	addChild(t, o, "missing", "sleep").Args[0] = "/nonexistent/program"
	require.NoError(t, o.Start("missing"))
	st = status(t, o, "missing")
	assert.Equal(t, StateBackoff, st.State)
	assert.ErrorIs(t, st.Error, fs.ErrNotExist)
}

func TestStartTwice(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, true)
	addChild(t, o, "sleeper", "sleep")
	addChild(t, o, "flaky", "exit:1")
	require.NoError(t, o.Start("sleeper"))
	require.NoError(t, o.Start("flaky"))
	pid := waitState(t, o, "sleeper", StateRunning).PID
	waitState(t, o, "flaky", StateBackoff)

	for _, id := range []string{"sleeper", "flaky"} {
		err := o.Start(id)
		require.ErrorIs(t, err, ErrRunning, id)
		assert.Contains(t, err.Error(), id)
		err = o.Supervise(context.Background(), id)
		require.ErrorIs(t, err, ErrRunning, id)
	}
	assert.Equal(t, pid, status(t, o, "sleeper").PID, "the run was not replaced")
	assert.Equal(t, StateBackoff, status(t, o, "flaky").State)
}

func TestStartInvalidConfig(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c := addChild(t, o, "bad", "exit:0")
	c.BufferLines = -1
	err := o.Start("bad")
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "BufferLines")
	require.ErrorIs(t, o.Supervise(context.Background(), "bad"), ErrInvalid)
	require.ErrorIs(t, o.Restart("bad"), ErrInvalid)
	assert.Equal(t, StateInitial, status(t, o, "bad").State)

	c.BufferLines = 10
	c.Backoff.Factor = 0.5
	require.ErrorIs(t, o.Start("bad"), ErrInvalid)

	c.Backoff.Factor = 2
	require.NoError(t, o.Supervise(context.Background(), "bad"))
	assert.Equal(t, StateFinished, status(t, o, "bad").State)
	log.close()
	assert.Equal(t, []string{"initial>starting", "starting>running", "running>finished"}, log.transitions("bad"))
}

func TestSupervise(t *testing.T) {
	t.Run("finish", func(t *testing.T) {
		o := newTestOverseer(t)
		addChild(t, o, "p", "out:hi", "exit:0")
		var err error
		within(t, "Supervise", func() { err = o.Supervise(context.Background(), "p") })
		require.NoError(t, err)
		st := status(t, o, "p")
		assert.Equal(t, StateFinished, st.State)
		assert.Equal(t, 0, st.Exit)
		assert.Equal(t, []string{"hi"}, st.Stdout)
	})
	t.Run("stopped by another goroutine", func(t *testing.T) {
		o := newTestOverseer(t)
		addChild(t, o, "p", "sleep")
		errc := goSupervise(context.Background(), o, "p")
		pid := waitState(t, o, "p", StateRunning).PID
		notReturned(t, errc, "Supervise")
		require.NoError(t, o.Stop("p"))
		require.NoError(t, recvErr(t, errc, "Supervise"))
		assert.Equal(t, StateInterrupted, status(t, o, "p").State)
		assert.True(t, processGone(pid))
	})
	t.Run("context cancelled", func(t *testing.T) {
		o := newTestOverseer(t)
		addChild(t, o, "p", "sleep")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		errc := goSupervise(ctx, o, "p")
		pid := waitState(t, o, "p", StateRunning).PID
		notReturned(t, errc, "Supervise")
		cancel()
		require.NoError(t, recvErr(t, errc, "Supervise"))
		st := status(t, o, "p")
		assert.Equal(t, StateInterrupted, st.State)
		assert.Equal(t, pid, st.PID)
		assert.True(t, processGone(pid), "pid %d still runs", pid)
	})
	t.Run("fatal", func(t *testing.T) {
		o := newTestOverseer(t)
		useFakeTimer(o, false)
		addChild(t, o, "p", "exit:7").MaxRestarts = 2
		err := o.Supervise(context.Background(), "p")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "p: gave up after 2 restarts")
		st := status(t, o, "p")
		assert.Equal(t, StateFatal, st.State)
		assert.Equal(t, st.Error, err)
		assert.Equal(t, 7, st.Exit)
	})
}

func TestRestartRunning(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	addChild(t, o, "p", "sleep")
	require.NoError(t, o.Start("p"))
	first := waitState(t, o, "p", StateRunning)
	require.Zero(t, first.Restarts)

	require.NoError(t, o.Restart("p"))
	st := waitState(t, o, "p", StateRunning)
	assert.NotEqual(t, first.PID, st.PID)
	assert.Equal(t, 1, st.Restarts)
	assert.True(t, processGone(first.PID), "the first run still runs")
	log.waitCount(t, "p", StateRunning, 2)
	assert.Equal(t, []string{
		"initial>starting", "starting>running",
		"running>stopping", "stopping>interrupted",
		"interrupted>starting", "starting>running",
	}, log.transitions("p"))

	// The new run is supervised: Stop ends it as usual.
	require.ErrorIs(t, o.Start("p"), ErrRunning)
	require.NoError(t, o.Stop("p"))
	assert.Equal(t, StateInterrupted, status(t, o, "p").State)
}

// Restart supervises the process again: a Supervise that waits for it is
// not done, and still stops it when its ctx is done.
func TestSuperviseFollowsRestart(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "p", "sleep")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goSupervise(ctx, o, "p")
	first := waitState(t, o, "p", StateRunning)
	require.NoError(t, o.Restart("p"))
	second := waitState(t, o, "p", StateRunning)
	require.NotEqual(t, first.PID, second.PID)
	select {
	case err := <-errc:
		t.Errorf("Supervise returned (%v) when the process was restarted, while it runs again", err)
	default:
		cancel()
		require.NoError(t, recvErr(t, errc, "Supervise"))
	}
	cancel()
	st := status(t, o, "p")
	assert.Equal(t, StateInterrupted, st.State, "the end of Supervise's ctx did not stop the restarted process")
	assert.True(t, processGone(second.PID), "pid %d still runs", second.PID)
}

func TestRestartAtRest(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	addChild(t, o, "p", "sleep")
	addChild(t, o, "q", "exit:0")

	require.NoError(t, o.Restart("p"))
	st := waitState(t, o, "p", StateRunning)
	assert.Zero(t, st.Restarts)
	log.waitCount(t, "p", StateRunning, 1)
	assert.Equal(t, []string{"initial>starting", "starting>running"}, log.transitions("p"))

	require.NoError(t, o.Supervise(context.Background(), "q"))
	require.NoError(t, o.Restart("q"))
	log.waitCount(t, "q", StateFinished, 2)
	assert.Zero(t, status(t, o, "q").Restarts)
	assert.Equal(t, []string{
		"initial>starting", "starting>running", "running>finished",
		"finished>starting", "starting>running", "running>finished",
	}, log.transitions("q"))
}

func TestOverseerSignal(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "p", "sleep")
	err := o.Signal("p", syscall.SIGTERM)
	require.ErrorIs(t, err, os.ErrProcessDone, "not running")
	require.NoError(t, o.Start("p"))
	waitState(t, o, "p", StateRunning)
	require.ErrorIs(t, o.Signal("p", 0), ErrInvalid)
	require.ErrorIs(t, o.Signal("p", 65), ErrInvalid)
	require.NoError(t, o.Signal("p", syscall.SIGCONT))
	assert.Equal(t, StateRunning, status(t, o, "p").State)
}

// A run that a signal sent with Signal ended has failed: on-failure restarts
// it.
func TestSignalDeathIsRestarted(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, false)
	log := watchEvents(t, o)
	addChild(t, o, "p", "sleep")
	require.NoError(t, o.Start("p"))
	first := waitState(t, o, "p", StateRunning)
	require.NoError(t, o.Signal("p", syscall.SIGTERM))
	log.waitCount(t, "p", StateRunning, 2)
	st := waitState(t, o, "p", StateRunning)
	assert.NotEqual(t, first.PID, st.PID)
	assert.Equal(t, 1, st.Restarts)
	assert.Equal(t, runsOf(1, StateRunning)[:5], log.transitions("p"))
	require.NoError(t, o.Stop("p"))
	assert.Equal(t, StateInterrupted, status(t, o, "p").State)
}

func TestOverseerSignalReachesTheGroup(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, true) // the restart never comes
	c := addChild(t, o, "p", "spawn:2", "ready", "sleep")
	require.NoError(t, o.Start("p"))
	waitLine(t, c, "ready")
	pids := grandchildren(t, c, 2)
	require.NoError(t, o.Signal("p", syscall.SIGKILL))
	st := waitState(t, o, "p", StateBackoff)
	var se *SignalError
	require.ErrorAs(t, st.Error, &se)
	assert.Equal(t, syscall.SIGKILL, se.Signal)
	for _, pid := range pids {
		eventually(t, func() bool { return processGone(pid) }, "grandchild %d did not get the signal", pid)
	}
	require.NoError(t, o.Stop("p"))
	assert.Equal(t, StateInterrupted, status(t, o, "p").State)
}

func TestStopAllInParallel(t *testing.T) {
	const n = 20
	// Long enough that a second StopAll that waited for it could not pass
	// for one that did not, on a loaded machine.
	const timeout = time.Second
	o := newTestOverseer(t)
	var cmds []*Cmd
	for i := range n {
		id := fmt.Sprintf("p%02d", i)
		c := addChild(t, o, id, "ignore:TERM", "ready", "sleep")
		c.StopTimeout = timeout
		require.NoError(t, o.Start(id))
		cmds = append(cmds, c)
	}
	for _, c := range cmds {
		waitLine(t, c, "ready")
	}

	begin := time.Now()
	o.StopAll()
	elapsed := time.Since(begin)
	assert.GreaterOrEqual(t, elapsed, timeout, "StopAll returned before StopTimeout")
	// One after the other would take n×StopTimeout = 20s.
	assert.Less(t, elapsed, 10*time.Second, "the stops were not made in parallel")
	for _, c := range cmds {
		st := c.Status()
		assert.Equal(t, StateInterrupted, st.State, st.ID)
		var se *SignalError
		if assert.ErrorAs(t, st.Error, &se, st.ID) {
			assert.Equal(t, syscall.SIGKILL, se.Signal)
		}
		assert.True(t, processGone(st.PID), "%s: pid %d still runs", st.ID, st.PID)
	}

	begin = time.Now()
	o.StopAll()
	assert.Less(t, time.Since(begin), timeout, "a second StopAll waited")
	for _, c := range cmds {
		assert.Equal(t, StateInterrupted, c.Status().State)
	}
}

// Remove and Start race: either Remove refuses (the process is running) or
// Start does not find the process. Both succeeding leaves a supervised
// process outside the registry, that StopAll and SuperviseAll cannot see.
func TestRemoveRacesStart(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, true) // an orphan stays in backoff for ever
	deadline := time.Now().Add(500 * time.Millisecond)
	for i := 0; i < 20000 && time.Now().Before(deadline); i++ {
		// A program that cannot start: no process, and under on-failure a
		// supervision that waits in backoff.
		c, err := o.Add("x", "/nonexistent/overseer-test/prog")
		require.NoError(t, err)
		var startErr, restartErr, removeErr error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				startErr = o.Start("x")
			} else {
				restartErr = o.Restart("x")
			}
		}()
		go func() {
			defer wg.Done()
			removeErr = o.Remove("x")
		}()
		wg.Wait()
		if removeErr == nil {
			active := isActive(c.Status().State)
			c.Stop() // the orphan, if any
			if startErr == nil && restartErr == nil || active {
				t.Fatalf("iteration %d: Remove succeeded, and so did Start/Restart (%v, %v): "+
					"the removed process is supervised outside the registry", i, startErr, restartErr)
			}
			assert.ErrorIs(t, errors.Join(startErr, restartErr), ErrNotFound)
			continue
		}
		require.ErrorIs(t, removeErr, ErrRunning)
		require.NoError(t, startErr)
		if restartErr != nil { // Restart says that the new run could not start
			require.ErrorIs(t, restartErr, ErrNotReady)
		}
		require.NoError(t, o.Stop("x"))
		require.NoError(t, o.Remove("x"))
	}
}

func TestLogging(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o := NewOverseer(WithLogger(logger))
	o.onIllegal = func(from, to State) { t.Errorf("illegal transition %v -> %v", from, to) }
	c, err := o.Add("p", childPath, "exit:1")
	require.NoError(t, err)
	c.MaxRestarts = NoRestarts
	require.Error(t, o.Supervise(context.Background(), "p"))
	out := buf.String()
	assert.Contains(t, out, "level=ERROR")
	assert.Contains(t, out, "overseer: fatal")
	assert.Contains(t, out, "id=p")

	// Without a logger nothing is written anywhere: the Cmd has no logger.
	quiet := NewOverseer()
	qc, err := quiet.Add("q", childPath, "exit:1")
	require.NoError(t, err)
	assert.Nil(t, qc.logger)
	assert.Nil(t, quiet.logger)
}

func TestAddCmd(t *testing.T) {
	o := newTestOverseer(t)
	events := watchEvents(t, o)
	// SuperviseAll is running: a Cmd configured before AddCmd starts with
	// its configuration, not the defaults.
	addChild(t, o, "anchor", "sleep")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goSuperviseAll(ctx, o)
	waitState(t, o, "anchor", StateRunning)

	c := NewCmd(childPath, "exit:7")
	c.Restart = RestartNever
	c.Group = "jobs"
	require.NoError(t, o.AddCmd("job", c))
	events.waitCount(t, "job", StateFinished, 1)
	st := status(t, o, "job")
	assert.Equal(t, 7, st.Exit)
	assert.Zero(t, st.Restarts, "the default policy (on-failure) was used")
	assert.Equal(t, []string{"job"}, o.ListGroup("jobs"))

	assert.ErrorIs(t, o.AddCmd("job", NewCmd(childPath)), ErrExists)
	assert.ErrorIs(t, o.AddCmd("nil", nil), ErrInvalid)
	assert.ErrorIs(t, o.AddCmd("again", c), ErrInvalid, "a Cmd registered twice")
	other := NewOverseer()
	assert.ErrorIs(t, other.AddCmd("job", c), ErrInvalid, "a Cmd in two Overseers")

	running := NewCmd(childPath, "sleep")
	require.NoError(t, running.Start())
	defer running.Stop()
	assert.ErrorIs(t, o.AddCmd("running", running), ErrInvalid)

	// Once removed, a Cmd can be registered again.
	require.NoError(t, o.Remove("job"))
	require.NoError(t, other.AddCmd("job", c))

	cancel()
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
}

// A process is at rest for good when its final event arrives: Restart or
// Start right then, while the supervision that saw the end may still be
// returning, begins a new run; it is neither lost nor refused as running.
func TestStartAgainRightAfterTheEnd(t *testing.T) {
	for _, again := range []struct {
		name string
		call func(o *Overseer, id string) error
	}{
		{"Restart", (*Overseer).Restart},
		{"Start", (*Overseer).Start},
	} {
		t.Run(again.name, func(t *testing.T) {
			o := newTestOverseer(t)
			events := make(chan Event, 64)
			stop := o.Watch(events)
			defer stop()
			c := addChild(t, o, "p", "exit:0")
			c.Restart = RestartNever
			require.NoError(t, o.Start("p"))
			const rounds = 300
			for i := 0; i < rounds; {
				select {
				case ev := <-events:
					if !ev.To.IsFinal() {
						continue
					}
					i++
					if i < rounds {
						require.NoError(t, again.call(o, "p"), "round %d", i)
					}
				case <-time.After(waitTimeout):
					t.Fatalf("round %d: no run after %s; state %v", i, again.name, status(t, o, "p").State)
				}
			}
		})
	}
}
