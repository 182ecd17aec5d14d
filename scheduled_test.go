//go:build unix

package overseer

import (
	"context"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 is where the fake clock of the schedule tests begins.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// tickAt is the i-th tick after t0 of everySecond.
func tickAt(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }

// everySecond ticks at every whole second.
type everySecond struct{}

func (everySecond) Next(t time.Time) time.Time { return t.Truncate(time.Second).Add(time.Second) }

// ticksUntil ticks every second up to last, then no more.
type ticksUntil struct{ last time.Time }

func (s ticksUntil) Next(t time.Time) time.Time {
	if n := (everySecond{}).Next(t); !n.After(s.last) {
		return n
	}
	return time.Time{}
}

// fakeClock is the clock of a scheduled Cmd in tests: its time moves only
// when the test sets it, firing the timers due.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*clockTimer
}

type clockTimer struct {
	at time.Time
	ch chan time.Time
}

// useClock makes c tell the time and wait (ticks, backoffs) by a new fake
// clock at t0; call it before the supervision begins.
func useClock(c *Cmd) *fakeClock {
	f := &fakeClock{now: t0}
	c.now, c.timer = f.Now, f.timer
	return f
}

// Now is the clock's time.
func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) timer(d time.Duration) (<-chan time.Time, func() bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ct := &clockTimer{at: f.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		ct.ch <- f.now
	} else {
		f.timers = append(f.timers, ct)
	}
	return ct.ch, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		i := slices.Index(f.timers, ct)
		if i >= 0 {
			f.timers = slices.Delete(f.timers, i, i+1)
		}
		return i >= 0
	}
}

// set moves the clock to t and fires the timers due.
func (f *fakeClock) set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
	f.timers = slices.DeleteFunc(f.timers, func(ct *clockTimer) bool {
		if ct.at.After(t) {
			return false
		}
		ct.ch <- t
		return true
	})
}

// advance moves the clock on by d.
func (f *fakeClock) advance(d time.Duration) { f.set(f.Now().Add(d)) }

// waiting reports whether a timer is set for t.
func (f *fakeClock) waiting(t time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.ContainsFunc(f.timers, func(ct *clockTimer) bool { return ct.at.Equal(t) })
}

// addScheduled registers the test child with ops under id, scheduled every
// second on a fake clock.
func addScheduled(t *testing.T, o *Overseer, id string, ops ...string) (*Cmd, *fakeClock) {
	t.Helper()
	c := addChild(t, o, id, ops...)
	c.Schedule = everySecond{}
	return c, useClock(c)
}

func TestScheduleRunsAtEachTick(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	_, clock := addScheduled(t, o, "job", "exit:0")
	errc := goSupervise(context.Background(), o, "job")

	const n = 3
	for i := 1; i <= n; i++ {
		eventually(t, func() bool { return clock.waiting(tickAt(i)) }, "no wait for tick %d", i)
		st := status(t, o, "job")
		assert.Equal(t, tickAt(i), st.NextRun, "NextRun before tick %d", i)
		if i == 1 {
			assert.Equal(t, StateInitial, st.State, "started before its first tick")
		} else {
			assert.Equal(t, StateFinished, st.State)
		}
		assert.Equal(t, i-1, log.count("job", StateStarting), "runs before tick %d", i)
		clock.set(tickAt(i))
		log.waitCount(t, "job", StateFinished, i)
	}
	notReturned(t, errc, "Supervise")
	eventually(t, func() bool { return status(t, o, "job").NextRun.Equal(tickAt(n + 1)) }, "NextRun after the last tick")
	st := status(t, o, "job")
	assert.Zero(t, st.Skipped)
	assert.Zero(t, st.Restarts, "a tick's run is no restart")
	assert.Equal(t, n, log.count("job", StateStarting))
	var nextRuns []time.Time // as the Events tell them
	for _, ev := range log.of("job") {
		if ev.To == StateFinished || ev.From == ev.To {
			nextRuns = append(nextRuns, ev.NextRun)
		}
	}
	assert.Equal(t, []time.Time{tickAt(1), tickAt(2), tickAt(3), tickAt(4)}, nextRuns, "NextRun at the beginning, then after each run")

	within(t, "Stop during the wait for a tick", func() { require.NoError(t, o.Stop("job")) })
	require.NoError(t, recvErr(t, errc, "Supervise"))
	st = status(t, o, "job")
	assert.Equal(t, StateFinished, st.State, "the state of the last run")
	assert.Zero(t, st.NextRun, "NextRun after the supervision")
}

func TestScheduleSkipsTickDuringRun(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c, clock := addScheduled(t, o, "job", "trapterm:0:bye", "ready", "sleep")
	errc := goSupervise(context.Background(), o, "job")

	eventually(t, func() bool { return clock.waiting(tickAt(1)) }, "no wait for tick 1")
	clock.set(tickAt(1))
	waitLine(t, c, "ready") // the run blocks until the test sends SIGTERM
	assert.Equal(t, tickAt(2), status(t, o, "job").NextRun)

	clock.set(tickAt(2))
	eventually(t, func() bool { return status(t, o, "job").Skipped == 1 }, "tick 2 not counted as skipped")
	st := status(t, o, "job")
	assert.Equal(t, StateRunning, st.State)
	assert.Equal(t, tickAt(3), st.NextRun, "NextRun after a skipped tick")
	assert.Equal(t, 1, log.count("job", StateStarting), "a tick during a run started another")

	require.NoError(t, c.Signal(syscall.SIGTERM)) // the run ends by itself, exit 0
	log.waitCount(t, "job", StateFinished, 1)
	clock.set(tickAt(3))
	log.waitCount(t, "job", StateRunning, 2)
	assert.Equal(t, 1, status(t, o, "job").Skipped)

	require.NoError(t, o.Stop("job"))
	require.NoError(t, recvErr(t, errc, "Supervise"))
}

func TestScheduleRunOnStart(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c, clock := addScheduled(t, o, "job", "exit:0")
	c.RunOnStart = true
	errc := goSupervise(context.Background(), o, "job")

	log.waitCount(t, "job", StateFinished, 1) // the clock has not moved
	eventually(t, func() bool { return clock.waiting(tickAt(1)) }, "no wait for tick 1 after the first run")
	assert.Equal(t, 1, log.count("job", StateStarting))
	assert.Equal(t, tickAt(1), status(t, o, "job").NextRun)

	clock.set(tickAt(1))
	log.waitCount(t, "job", StateFinished, 2)
	require.NoError(t, o.Stop("job"))
	require.NoError(t, recvErr(t, errc, "Supervise"))
}

func TestScheduleStopWhileWaiting(t *testing.T) {
	for _, how := range []string{"Stop", "StopAll", "ctx"} {
		t.Run(how, func(t *testing.T) {
			o := newTestOverseer(t)
			log := watchEvents(t, o)
			_, clock := addScheduled(t, o, "job", "exit:0")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := goSupervise(ctx, o, "job")
			eventually(t, func() bool { return clock.waiting(tickAt(1)) }, "no wait for tick 1")

			within(t, how, func() {
				switch how {
				case "Stop":
					require.NoError(t, o.Stop("job"))
				case "StopAll":
					o.StopAll()
				case "ctx":
					cancel()
				}
				require.NoError(t, recvErr(t, errc, "Supervise"))
			})
			st := status(t, o, "job")
			assert.Equal(t, StateInitial, st.State, "never ran")
			eventually(t, func() bool { return len(log.transitions("job")) >= 2 }, "no Events of NextRun: %v", log.transitions("job"))
			assert.Equal(t, []string{"initial>initial", "initial>initial"}, log.transitions("job"), "the Events of NextRun set, then gone")
			assert.Zero(t, st.NextRun)
			assert.False(t, clock.waiting(tickAt(1)), "the timer of the tick was not stopped")
		})
	}
}

func TestScheduleFailureThenNextTick(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c, clock := addScheduled(t, o, "job", "exit:1")
	c.MaxRestarts = 2
	c.Backoff = Backoff{Min: time.Millisecond, Max: time.Millisecond, NoJitter: true}
	errc := goSupervise(context.Background(), o, "job")

	// The policy's restarts after each tick's failed run, then fatal until
	// the next tick, which starts a new sequence of restarts.
	for i := 1; i <= 2; i++ {
		eventually(t, func() bool { return clock.waiting(tickAt(i)) }, "no wait for tick %d", i)
		clock.set(tickAt(i))
		eventually(t, func() bool {
			clock.advance(time.Millisecond) // the backoffs
			return log.count("job", StateFatal) == i
		}, "tick %d's runs did not end fatal: %v", i, log.transitions("job"))
		st := status(t, o, "job")
		assert.Equal(t, 2*i, st.Restarts)
		require.Error(t, st.Error)
		assert.Contains(t, st.Error.Error(), "gave up after 2 restarts")
		assert.Equal(t, tickAt(i+1), st.NextRun)
	}
	assert.Equal(t, 6, log.count("job", StateStarting))
	assert.Contains(t, log.transitions("job"), "fatal>starting")
	notReturned(t, errc, "Supervise") // fatal does not end a schedule
	require.NoError(t, o.Stop("job"))
	// Stopped while waiting, after a fatal run: its state stays, and
	// Supervise reports it as it reports any fatal end.
	require.Error(t, recvErr(t, errc, "Supervise"))
}

func TestScheduleOver(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c, clock := addScheduled(t, o, "job", "exit:0")
	c.Schedule = ticksUntil{last: tickAt(1)}
	errc := goSupervise(context.Background(), o, "job")
	eventually(t, func() bool { return clock.waiting(tickAt(1)) }, "no wait for tick 1")
	clock.set(tickAt(1))
	require.NoError(t, recvErr(t, errc, "Supervise")) // no tick left after the run
	log.waitCount(t, "job", StateFinished, 1)
	assert.Equal(t, []string{"initial>initial", "initial>starting", "starting>running", "running>finished"}, log.transitions("job"),
		"with the Event of NextRun set at the beginning")
	assert.Zero(t, status(t, o, "job").NextRun)
}

func TestScheduleRestartRunsNow(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	_, clock := addScheduled(t, o, "job", "exit:0")
	errc := goSupervise(context.Background(), o, "job")
	eventually(t, func() bool { return clock.waiting(tickAt(1)) }, "no wait for tick 1")
	require.NoError(t, o.Restart("job"))
	log.waitCount(t, "job", StateFinished, 1)
	eventually(t, func() bool { return clock.waiting(tickAt(1)) }, "the tick is not pending after a Restart")
	assert.Equal(t, tickAt(1), status(t, o, "job").NextRun)
	require.NoError(t, o.Stop("job"))
	require.NoError(t, recvErr(t, errc, "Supervise"))

	// Stopped, no longer supervised: Restart runs it at once and
	// supervises it again, on its schedule.
	require.NoError(t, o.Restart("job"))
	log.waitCount(t, "job", StateFinished, 2)
	eventually(t, func() bool { return clock.waiting(tickAt(1)) }, "not on its schedule after a Restart")
	assert.Equal(t, tickAt(1), status(t, o, "job").NextRun)
	require.NoError(t, o.Stop("job"))
}

func TestScheduleRestartAlwaysInvalid(t *testing.T) {
	o := newTestOverseer(t)
	c, _ := addScheduled(t, o, "job", "exit:0")
	c.Restart = RestartAlways
	err := o.Supervise(context.Background(), "job")
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "Schedule")
	require.ErrorIs(t, o.Start("job"), ErrInvalid)
}
