//go:build unix

package overseer

import (
	"context"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testBackoff doubles from 10ms, without jitter, so the delays are exact.
var testBackoff = Backoff{Min: ms(10), Max: time.Second, Factor: 2, NoJitter: true}

func TestRestartPolicy(t *testing.T) {
	tests := []struct {
		name         string
		ops          []string
		policy       RestartPolicy
		maxRestarts  int
		successCodes []int
		backoffMax   time.Duration // 0: testBackoff's

		state    State
		exit     int
		restarts int
		delays   []time.Duration
		sig      syscall.Signal // the signal in Status.Error, if any
	}{
		{name: "on-failure gives up", ops: []string{"exit:1"}, policy: RestartOnFailure, maxRestarts: 3,
			state: StateFatal, exit: 1, restarts: 3, delays: []time.Duration{ms(10), ms(20), ms(40)}},
		{name: "on-failure no restart", ops: []string{"exit:1"}, policy: RestartOnFailure, maxRestarts: NoRestarts,
			state: StateFatal, exit: 1, restarts: 0},
		{name: "backoff capped at Max", ops: []string{"exit:2"}, policy: RestartOnFailure, maxRestarts: 5, backoffMax: ms(50),
			state: StateFatal, exit: 2, restarts: 5, delays: []time.Duration{ms(10), ms(20), ms(40), ms(50), ms(50)}},
		{name: "never", ops: []string{"exit:1"}, policy: RestartNever, maxRestarts: 3,
			state: StateFinished, exit: 1},
		{name: "on-failure clean exit", ops: []string{"exit:0"}, policy: RestartOnFailure, maxRestarts: 3,
			state: StateFinished, exit: 0},
		{name: "on-failure success code", ops: []string{"exit:3"}, policy: RestartOnFailure, maxRestarts: 3, successCodes: []int{4, 3},
			state: StateFinished, exit: 3},
		{name: "on-failure other code than the success codes", ops: []string{"exit:5"}, policy: RestartOnFailure, maxRestarts: 1, successCodes: []int{3},
			state: StateFatal, exit: 5, restarts: 1, delays: []time.Duration{ms(10)}},
		{name: "always gives up on failures", ops: []string{"exit:1"}, policy: RestartAlways, maxRestarts: 2,
			state: StateFatal, exit: 1, restarts: 2, delays: []time.Duration{ms(10), ms(20)}},
		{name: "on-failure killed by a signal", ops: []string{"kill:9", "sleep"}, policy: RestartOnFailure, maxRestarts: 1,
			state: StateFatal, exit: -1, restarts: 1, delays: []time.Duration{ms(10)}, sig: syscall.SIGKILL},
		{name: "never killed by a signal", ops: []string{"kill:15", "sleep"}, policy: RestartNever, maxRestarts: 1,
			state: StateInterrupted, exit: -1, sig: syscall.SIGTERM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTestOverseer(t)
			ft := useFakeTimer(o, false)
			log := watchEvents(t, o)
			c := addChild(t, o, "p", tt.ops...)
			c.Restart = tt.policy
			c.MaxRestarts = tt.maxRestarts
			c.SuccessCodes = tt.successCodes
			c.Backoff = testBackoff
			if tt.backoffMax != 0 {
				c.Backoff.Max = tt.backoffMax
			}

			err := o.Supervise(context.Background(), "p")
			st := status(t, o, "p")
			assert.Equal(t, tt.state, st.State)
			assert.Equal(t, tt.exit, st.Exit)
			assert.Equal(t, tt.restarts, st.Restarts)
			assert.Equal(t, tt.delays, ft.recorded())
			log.close()
			assert.Equal(t, runsOf(tt.restarts, tt.state), log.transitions("p"))
			if tt.state == StateFatal {
				require.Error(t, err)
				assert.Equal(t, st.Error, err)
				assert.Contains(t, err.Error(), fmt.Sprintf("p: gave up after %d restarts", tt.restarts))
			} else {
				require.NoError(t, err)
			}
			if tt.sig != 0 {
				var se *SignalError
				require.ErrorAs(t, st.Error, &se)
				assert.Equal(t, tt.sig, se.Signal)
			} else if tt.state != StateFatal {
				assert.NoError(t, st.Error)
			}
		})
	}
}

// A program that cannot be started is a failed run: it is retried with
// backoff, then given up, with the start error kept.
func TestStartFailureIsRetried(t *testing.T) {
	tests := []struct {
		name string
		prog string
		is   error
	}{
		{"no such path", "/nonexistent/overseer-test/prog", fs.ErrNotExist},
		{"not in PATH", "overseer-no-such-program", exec.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTestOverseer(t)
			ft := useFakeTimer(o, false)
			log := watchEvents(t, o)
			c, err := o.Add("p", tt.prog)
			require.NoError(t, err)
			c.MaxRestarts = 2
			c.Backoff = testBackoff

			err = o.Supervise(context.Background(), "p")
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.is)
			assert.Contains(t, err.Error(), "gave up after 2 restarts")
			assert.Contains(t, err.Error(), tt.prog)
			st := status(t, o, "p")
			assert.Equal(t, StateFatal, st.State)
			assert.Equal(t, st.Error, err)
			assert.Zero(t, st.PID)
			assert.Equal(t, -1, st.Exit)
			assert.Equal(t, 2, st.Restarts)
			assert.Equal(t, []time.Duration{ms(10), ms(20)}, ft.recorded(), "each retry waits its backoff")
			log.close()
			assert.Equal(t, []string{
				"initial>starting", "starting>backoff",
				"backoff>starting", "starting>backoff",
				"backoff>starting", "starting>fatal",
			}, log.transitions("p"))
		})
	}
}

func TestUnlimitedRestarts(t *testing.T) {
	const restarts = 20
	o := newTestOverseer(t)
	ft := useFakeTimer(o, false)
	log := watchEvents(t, o)
	c := addChild(t, o, "p", "exit:1")
	c.MaxRestarts = -1
	c.Backoff = testBackoff
	superviseRuns(t, o, log, "p", restarts+1)

	st := status(t, o, "p")
	assert.Equal(t, StateInterrupted, st.State)
	assert.GreaterOrEqual(t, st.Restarts, restarts)
	assert.Zero(t, log.count("p", StateFatal))
	delays := ft.recorded()
	require.GreaterOrEqual(t, len(delays), restarts)
	want := ms(10)
	for i, d := range delays {
		assert.Equal(t, want, d, "delay %d", i)
		want = min(2*want, time.Second)
	}
}

func TestRestartAlwaysRestartsCleanExits(t *testing.T) {
	o := newTestOverseer(t)
	ft := useFakeTimer(o, false)
	log := watchEvents(t, o)
	c := addChild(t, o, "p", "out:run", "exit:0")
	c.Restart = RestartAlways
	c.MaxRestarts = 1 // clean exits are not failures: they do not count
	c.Backoff = testBackoff
	superviseRuns(t, o, log, "p", 4)

	st := status(t, o, "p")
	assert.Equal(t, StateInterrupted, st.State)
	assert.GreaterOrEqual(t, st.Restarts, 3)
	assert.Zero(t, log.count("p", StateFinished))
	assert.Zero(t, log.count("p", StateFatal))
	// Quick runs back off even when they exit 0, so a program that
	// daemonizes does not restart every Min for ever.
	delays := ft.recorded()
	require.GreaterOrEqual(t, len(delays), 3)
	assert.Equal(t, []time.Duration{ms(10), ms(20), ms(40)}, delays[:3])
}

// A clean exit ends a series of failures: the count of restarts in a row
// for MaxRestarts starts again from zero. The backoff does not: it grows
// with every run shorter than ResetAfter.
func TestCleanExitResetsFailures(t *testing.T) {
	t.Run("always", func(t *testing.T) {
		o := newTestOverseer(t)
		ft := useFakeTimer(o, false)
		log := watchEvents(t, o)
		// Two failures, one success, again and again: two restarts in a
		// row at most, never more than MaxRestarts.
		c := addChild(t, o, "p", "exitseq:"+t.TempDir()+"/runs:1,1,0")
		c.Restart = RestartAlways
		c.MaxRestarts = 2
		c.Backoff = testBackoff
		superviseRuns(t, o, log, "p", 8)
		assert.Equal(t, StateInterrupted, status(t, o, "p").State)
		assert.Zero(t, log.count("p", StateFatal))
		delays := ft.recorded()
		require.GreaterOrEqual(t, len(delays), 7)
		assert.Equal(t, []time.Duration{ms(10), ms(20), ms(40), ms(80), ms(160), ms(320), ms(640)}, delays[:7])
	})
	t.Run("on-failure", func(t *testing.T) {
		o := newTestOverseer(t)
		ft := useFakeTimer(o, false)
		log := watchEvents(t, o)
		c := addChild(t, o, "p", "exitseq:"+t.TempDir()+"/runs:1,1,0")
		c.MaxRestarts = 2
		c.Backoff = testBackoff
		require.NoError(t, o.Supervise(context.Background(), "p"))
		st := status(t, o, "p")
		assert.Equal(t, StateFinished, st.State)
		assert.Equal(t, 0, st.Exit)
		assert.Equal(t, 2, st.Restarts)
		assert.Equal(t, []time.Duration{ms(10), ms(20)}, ft.recorded())
		log.close()
		assert.Equal(t, runsOf(2, StateFinished), log.transitions("p"))
		exits := []int{}
		for _, ev := range log.of("p") {
			if ev.From == StateRunning {
				exits = append(exits, ev.Exit)
			}
		}
		assert.Equal(t, []int{1, 1, 0}, exits, "the exit code of each run, in the event that ends it")
	})
}

func TestBackoffJitter(t *testing.T) {
	const n = 6
	o := newTestOverseer(t)
	ft := useFakeTimer(o, false)
	c := addChild(t, o, "p", "exit:1")
	c.MaxRestarts = n
	c.Backoff = Backoff{Min: ms(10), Max: time.Second, Factor: 2}
	require.Error(t, o.Supervise(context.Background(), "p"))

	delays := ft.recorded()
	require.Len(t, delays, n)
	jittered := false
	for i, d := range delays {
		computed := ms(10) << i
		assert.GreaterOrEqual(t, d, ms(10), "delay %d", i)
		assert.LessOrEqual(t, d, computed, "delay %d", i)
		if d != computed {
			jittered = true
		}
	}
	assert.True(t, jittered, "no delay was jittered: %v", delays)
}

// A run that stayed up longer than ResetAfter resets the count of restarts
// in a row: a process that fails only after a while is never given up.
func TestResetAfter(t *testing.T) {
	t.Run("long runs reset the count", func(t *testing.T) {
		o := newTestOverseer(t)
		ft := useFakeTimer(o, false)
		log := watchEvents(t, o)
		c := addChild(t, o, "p", "sleepms:50", "exit:1")
		c.MaxRestarts = 1
		c.ResetAfter = ms(20)
		c.Backoff = testBackoff
		superviseRuns(t, o, log, "p", 4)

		st := status(t, o, "p")
		assert.Equal(t, StateInterrupted, st.State)
		assert.GreaterOrEqual(t, st.Restarts, 3)
		assert.Zero(t, log.count("p", StateFatal))
		for i, d := range ft.recorded() {
			assert.Equal(t, ms(10), d, "delay %d: the backoff is reset too", i)
		}
	})
	t.Run("short runs count", func(t *testing.T) {
		o := newTestOverseer(t)
		useFakeTimer(o, false)
		log := watchEvents(t, o)
		c := addChild(t, o, "p", "sleepms:50", "exit:1")
		c.MaxRestarts = 1
		c.ResetAfter = time.Hour
		c.Backoff = testBackoff
		err := o.Supervise(context.Background(), "p")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "gave up after 1 restarts")
		log.close()
		assert.Equal(t, runsOf(1, StateFatal), log.transitions("p"))
	})
}

func TestStartDelay(t *testing.T) {
	o := newTestOverseer(t)
	ft := useFakeTimer(o, true)
	log := watchEvents(t, o)
	c := addChild(t, o, "p", "exit:1")
	c.StartDelay = 250 * time.Millisecond
	c.MaxRestarts = 1
	c.Backoff = testBackoff
	errc := goSupervise(context.Background(), o, "p")

	eventually(t, func() bool { return len(ft.recorded()) == 1 }, "no StartDelay")
	assert.Equal(t, []time.Duration{250 * time.Millisecond}, ft.recorded())
	st := status(t, o, "p")
	assert.Equal(t, StateStarting, st.State)
	assert.Zero(t, st.PID, "started before the StartDelay")
	assert.Zero(t, log.count("p", StateRunning))
	notReturned(t, errc, "Supervise")

	ft.release() // the StartDelay is over: the first run fails, then a backoff
	eventually(t, func() bool { return len(ft.recorded()) == 2 }, "no backoff")
	ft.release()
	require.Error(t, recvErr(t, errc, "Supervise"))
	assert.Equal(t, []time.Duration{250 * time.Millisecond, ms(10)}, ft.recorded(),
		"the StartDelay is waited once, before the first run only")
	log.close()
	assert.Equal(t, runsOf(1, StateFatal), log.transitions("p"))
}

func TestStopDuringStartDelay(t *testing.T) {
	o := newTestOverseer(t)
	ft := useFakeTimer(o, true)
	log := watchEvents(t, o)
	c := addChild(t, o, "p", "exit:0")
	c.StartDelay = time.Hour
	errc := goSupervise(context.Background(), o, "p")
	eventually(t, func() bool { return len(ft.recorded()) == 1 }, "no StartDelay")

	within(t, "Stop", func() { require.NoError(t, o.Stop("p")) })
	require.NoError(t, recvErr(t, errc, "Supervise"))
	st := status(t, o, "p")
	assert.Equal(t, StateInterrupted, st.State)
	assert.Zero(t, st.PID)
	assert.Equal(t, 1, ft.stopped(), "the timer was not stopped")
	ft.release() // too late: nothing happens
	log.close()
	assert.Equal(t, []string{"initial>starting", "starting>stopping", "stopping>interrupted"}, log.transitions("p"))
	assert.Equal(t, StateInterrupted, status(t, o, "p").State)
}

func TestStopDuringBackoff(t *testing.T) {
	check := func(t *testing.T, o *Overseer, log *eventLog) {
		errc := goSupervise(context.Background(), o, "p")
		st := waitState(t, o, "p", StateBackoff)
		require.Positive(t, st.PID)
		require.Equal(t, 1, log.count("p", StateStarting))

		begin := time.Now()
		within(t, "Stop", func() { require.NoError(t, o.Stop("p")) })
		require.NoError(t, recvErr(t, errc, "Supervise"))
		assert.Less(t, time.Since(begin), 5*time.Second, "Stop waited for the backoff")
		after := status(t, o, "p")
		assert.Equal(t, StateInterrupted, after.State)
		assert.Equal(t, st.PID, after.PID, "a new run was started")
		log.close()
		assert.Equal(t, []string{"initial>starting", "starting>running", "running>backoff", "backoff>interrupted"},
			log.transitions("p"))
	}
	t.Run("fake timer", func(t *testing.T) {
		o := newTestOverseer(t)
		ft := useFakeTimer(o, true)
		log := watchEvents(t, o)
		c := addChild(t, o, "p", "exit:1")
		c.Backoff = testBackoff
		check(t, o, log)
		assert.Equal(t, []time.Duration{ms(10)}, ft.recorded())
		assert.Equal(t, 1, ft.stopped(), "the backoff timer was not stopped")
		ft.release() // too late: nothing happens
		assert.Equal(t, StateInterrupted, status(t, o, "p").State)
	})
	t.Run("real timer", func(t *testing.T) {
		o := newTestOverseer(t)
		log := watchEvents(t, o)
		c := addChild(t, o, "p", "exit:1")
		c.Backoff = Backoff{Min: time.Hour, Max: time.Hour, Factor: 2}
		check(t, o, log)
	})
}

func TestSuperviseAllEmpty(t *testing.T) {
	o := newTestOverseer(t)
	var err error
	within(t, "SuperviseAll", func() { err = o.SuperviseAll(context.Background()) })
	require.NoError(t, err)
}

func TestSuperviseAllFinish(t *testing.T) {
	o := newTestOverseer(t)
	for i := range 4 {
		addChild(t, o, fmt.Sprintf("p%d", i), "sleepms:"+fmt.Sprint(10*i), "exit:0")
	}
	var err error
	within(t, "SuperviseAll", func() { err = o.SuperviseAll(context.Background()) })
	require.NoError(t, err)
	for _, id := range o.ListAll() {
		st := status(t, o, id)
		assert.Equal(t, StateFinished, st.State, id)
		assert.Equal(t, 0, st.Exit, id)
	}
}

func TestSuperviseAllFatal(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, false)
	a := addChild(t, o, "a", "exit:1")
	a.MaxRestarts = NoRestarts
	b := addChild(t, o, "b", "exit:2")
	b.MaxRestarts = 1
	addChild(t, o, "c", "exit:0")
	d := addChild(t, o, "d", "exit:9")
	d.Restart = RestartNever

	err := o.SuperviseAll(context.Background())
	require.Error(t, err)
	for _, id := range []string{"a", "b"} {
		st := status(t, o, id)
		require.Equal(t, StateFatal, st.State, id)
		assert.ErrorIs(t, err, st.Error, id)
		assert.Contains(t, err.Error(), st.Error.Error())
	}
	assert.Contains(t, err.Error(), "a: gave up after 0 restarts")
	assert.Contains(t, err.Error(), "b: gave up after 1 restarts")
	assert.NotContains(t, err.Error(), "overseer: c:")
	assert.NotContains(t, err.Error(), "overseer: d:")
	assert.Equal(t, StateFinished, status(t, o, "c").State)
	assert.Equal(t, StateFinished, status(t, o, "d").State)
	assert.Equal(t, 9, status(t, o, "d").Exit)
}

// A process whose configuration is unusable cannot be supervised: that is
// an error of SuperviseAll's, and the others run.
func TestSuperviseAllInvalidConfig(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "bad", "exit:0").StopSignal = 99
	addChild(t, o, "good", "exit:0")
	err := o.SuperviseAll(context.Background())
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "bad")
	assert.Contains(t, err.Error(), "StopSignal")
	assert.Equal(t, StateFatal, status(t, o, "bad").State, "told by its state, at once")
	assert.Equal(t, StateFinished, status(t, o, "good").State)
}

func TestSuperviseAllCancel(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, true)
	addChild(t, o, "sleeper", "sleep")
	addChild(t, o, "stubborn", "ignore:TERM", "sleep").StopTimeout = ms(100)
	addChild(t, o, "flaky", "exit:1")
	addChild(t, o, "done", "exit:0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goSuperviseAll(ctx, o)
	pids := map[string]int{
		"sleeper":  waitState(t, o, "sleeper", StateRunning).PID,
		"stubborn": waitState(t, o, "stubborn", StateRunning).PID,
		"flaky":    waitState(t, o, "flaky", StateBackoff).PID,
		"done":     waitState(t, o, "done", StateFinished).PID,
	}
	notReturned(t, errc, "SuperviseAll")
	cancel()
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
	for id, pid := range pids {
		st := status(t, o, id)
		want := StateInterrupted
		if id == "done" {
			want = StateFinished
		}
		assert.Equal(t, want, st.State, id)
		assert.Equal(t, pid, st.PID, id)
		assert.True(t, processGone(pid), "%s: pid %d still runs", id, pid)
	}
	assert.Empty(t, activeIDs(o))
}

func TestSuperviseAllPicksUpAdded(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "first", "sleep")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goSuperviseAll(ctx, o)
	waitState(t, o, "first", StateRunning)

	addChild(t, o, "second", "sleep")
	second := waitState(t, o, "second", StateRunning)
	assert.Positive(t, second.PID)
	addChild(t, o, "third", "out:hi", "exit:0")
	waitState(t, o, "third", StateFinished)
	notReturned(t, errc, "SuperviseAll")

	// Once the sleepers are stopped, nothing is active: SuperviseAll is
	// done without ctx.
	require.NoError(t, o.Stop("first"))
	notReturned(t, errc, "SuperviseAll")
	require.NoError(t, o.Stop("second"))
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
	assert.True(t, processGone(second.PID))
}

func TestSuperviseAllDoesNotStartTwice(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	addChild(t, o, "early", "sleep")
	addChild(t, o, "other", "exit:0")
	require.NoError(t, o.Start("early"))
	pid := waitState(t, o, "early", StateRunning).PID

	errc := goSuperviseAll(context.Background(), o)
	waitState(t, o, "other", StateFinished)
	notReturned(t, errc, "SuperviseAll")
	assert.Equal(t, pid, status(t, o, "early").PID)

	// SuperviseAll waits for it as for its own.
	require.NoError(t, o.Stop("early"))
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
	log.close()
	assert.Equal(t, []string{"initial>starting", "starting>running", "running>stopping", "stopping>interrupted"},
		log.transitions("early"))
}

// SuperviseAll counts a run restarted while it waits.
func TestSuperviseAllWaitsForRestarted(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "sleeper", "sleep")
	quick := addChild(t, o, "quick", "exit:0")
	errc := goSuperviseAll(context.Background(), o)
	waitState(t, o, "quick", StateFinished)
	waitState(t, o, "sleeper", StateRunning)

	quick.Args = []string{childPath, "sleep"} // at rest: taken at the next start
	require.NoError(t, o.Restart("quick"))
	waitState(t, o, "quick", StateRunning)
	require.NoError(t, o.Stop("sleeper"))
	notReturned(t, errc, "SuperviseAll")
	require.NoError(t, o.Stop("quick"))
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
	assert.Equal(t, StateInterrupted, status(t, o, "quick").State)
}

// A process removed while SuperviseAll runs is no error of SuperviseAll's:
// it returns nil unless some process ended fatal, whether or not it saw the
// removed process before it went.
func TestSuperviseAllIgnoresRemoved(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "sleeper", "sleep")
	errc := goSuperviseAll(context.Background(), o)
	waitState(t, o, "sleeper", StateRunning)
	deadline := time.Now().Add(500 * time.Millisecond)
	removed := 0
	for i := 0; i < 3000 && time.Now().Before(deadline); i++ {
		id := fmt.Sprintf("x%d", i)
		addChild(t, o, id, "exit:0")
		err := o.Remove(id) // at once: SuperviseAll may or may not have started it
		if err == nil {
			removed++
			continue
		}
		require.ErrorIs(t, err, ErrRunning)
		waitState(t, o, id, StateFinished)
		eventually(t, func() bool { return o.Remove(id) == nil }, "%s cannot be removed", id)
	}
	require.Positive(t, removed, "no process was removed before SuperviseAll started it")
	require.NoError(t, o.Stop("sleeper"))
	if err := recvErr(t, errc, "SuperviseAll"); err != nil {
		lines := strings.Split(err.Error(), "\n")
		t.Errorf("SuperviseAll returned an error of %d lines for %d processes removed while it ran, the first: %s",
			len(lines), removed, lines[0])
	}
}

func TestRestartsCountsRestartsThatHappen(t *testing.T) {
	t.Run("a restart dropped by Stop is not counted", func(t *testing.T) {
		o := newTestOverseer(t)
		useFakeTimer(o, true)
		c := addChild(t, o, "p", "exit:1")
		c.Backoff = testBackoff
		require.NoError(t, o.Start("p"))
		waitState(t, o, "p", StateBackoff)
		require.NoError(t, o.Stop("p"))
		assert.Zero(t, status(t, o, "p").Restarts)
	})
	t.Run("Restart during a backoff replaces the scheduled restart", func(t *testing.T) {
		o := newTestOverseer(t)
		useFakeTimer(o, true)
		log := watchEvents(t, o)
		c := addChild(t, o, "p", "exit:1")
		c.Backoff = testBackoff
		require.NoError(t, o.Start("p"))
		waitState(t, o, "p", StateBackoff)
		require.NoError(t, o.Restart("p"))
		log.waitCount(t, "p", StateBackoff, 2)
		assert.Equal(t, 1, status(t, o, "p").Restarts)
		assert.Equal(t, []string{
			"initial>starting", "starting>running", "running>backoff",
			"backoff>starting", "starting>running", "running>backoff",
		}, log.transitions("p"))
	})
}

func TestSuperviseAllDoesNotRerunEnded(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	addChild(t, o, "job", "exit:0")
	require.NoError(t, o.Supervise(context.Background(), "job"))
	addChild(t, o, "new", "exit:0")
	require.NoError(t, o.SuperviseAll(context.Background()))
	log.close()
	assert.Equal(t, 1, log.count("job", StateStarting), "SuperviseAll ran an ended process again")
	assert.Equal(t, 1, log.count("new", StateStarting))
}

func TestZeroResetAfterMeansTheDefault(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, false)
	c := addChild(t, o, "p", "exit:1")
	c.Backoff = testBackoff
	c.MaxRestarts = 1
	c.ResetAfter = 0 // 10s: these runs are far shorter, so they count in a row
	err := o.Supervise(context.Background(), "p")
	require.Error(t, err)
	st := status(t, o, "p")
	assert.Equal(t, StateFatal, st.State)
	assert.Equal(t, 1, st.Restarts)
}

func TestSuperviseAllReportsOnlyItsOwnFailures(t *testing.T) {
	o := newTestOverseer(t)
	c := addChild(t, o, "old", "exit:1")
	c.MaxRestarts = NoRestarts
	require.Error(t, o.Supervise(context.Background(), "old"))
	addChild(t, o, "new", "exit:0")
	assert.NoError(t, o.SuperviseAll(context.Background()), "a failure from before SuperviseAll was reported")

	done, cancel := context.WithCancel(context.Background())
	cancel()
	addChild(t, o, "late", "sleep")
	require.NoError(t, o.SuperviseAll(done))
	assert.Equal(t, StateInitial, status(t, o, "late").State, "started for a context already done")
}
