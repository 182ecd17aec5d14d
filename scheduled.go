package overseer

import (
	"sync"
	"time"
)

// The ticks of a scheduled Cmd (Cmd.Schedule) under supervision.
//
// Between runs, the supervision's loop waits for the next tick
// (awaitTick) as it waits through a backoff: on its timer, a requested
// restart, or its cancellation. From the start a tick makes until the
// loop waits again (the run, and the backoffs and restarts the policy
// makes after failures), a timer counts the ticks that come as skipped,
// never queued (armTickLocked, tickDuringRun): a runtime timer, with no
// goroutine waiting on it, so a run in progress holds no goroutine more
// than an unscheduled one.
//
// tick is the pending tick, shown as Status.NextRun; the Cmd counts the
// skipped ones (Cmd.skipped, Status.Skipped).

// maxSkipCount bounds how many passed ticks skipPassedLocked counts one
// by one: past it (a host suspended for a long time), the next tick is
// taken from now.
const maxSkipCount = 10000

// nowFunc tells the time; tests replace time.Now with their clock.
type nowFunc func() time.Time

// beginSchedule sets up the ticks of a supervision of a scheduled Cmd,
// before its loop begins, and reports whether the loop starts a run at
// once (RunOnStart). c.mu is held.
func (s *supervision) beginSchedule(sched Schedule, runOnStart bool) bool {
	s.sched = sched
	s.tick = s.nextTick(s.now())
	if runOnStart {
		s.armTickLocked() // the first run is in progress from now on
	}
	return runOnStart
}

// nextTick is the first tick of the schedule after t, zero for none. A
// Schedule that does not go forward has no tick left: it would make the
// loop spin.
func (s *supervision) nextTick(t time.Time) time.Time {
	n := s.sched.Next(t)
	if !n.After(t) {
		return time.Time{}
	}
	return n
}

// awaitTick waits, with no run in progress, for the next tick. It reports
// true when the loop is to launch: at the tick (then the tick after it is
// pending), or at once for a requested restart (the tick stays pending).
// It reports false when the supervision is cancelled or the schedule has
// no tick left. The ticks that came during the run that ended were
// counted as skipped by the timer (tickDuringRun); a tick that came after
// it ended, before this wait, starts a run at once.
func (s *supervision) awaitTick() bool {
	c := s.cmd
	c.mu.Lock()
	s.disarmTickLocked()
	tick, stopped := s.tick, s.stopped
	c.unlock()
	if stopped || tick.IsZero() {
		return false
	}
	if !s.sleep(tick.Sub(s.now())) {
		return false
	}
	c.mu.Lock()
	defer c.unlock()
	if !s.restart { // the tick: the restart a request makes takes none
		// A timer that fires a little early (the wall clock set back) or
		// late (a suspended host) is the tick all the same.
		s.tick = s.nextTick(later(s.now(), tick))
		s.inRow, s.quick = 0, 0 // each tick begins a new sequence for MaxRestarts
	}
	s.armTickLocked()
	return true
}

// armTickLocked starts the timer that counts the ticks coming while runs
// are in progress, for the pending tick. c.mu is held.
func (s *supervision) armTickLocked() {
	s.disarmTickLocked()
	if s.tick.IsZero() || s.stopped {
		return
	}
	gen := s.tickGen
	s.tickStop = s.afterFunc(s.tick.Sub(s.now()), func() { s.tickDuringRun(gen) })
}

// disarmTickLocked stops that timer; one that has fired already finds its
// generation gone, and does nothing. c.mu is held.
func (s *supervision) disarmTickLocked() {
	s.tickGen++
	if s.tickStop != nil {
		s.tickStop()
		s.tickStop = nil
	}
}

// tickDuringRun counts the tick that came while a run was in progress, and
// arms the timer for the next one. It publishes the change as an Event of
// the same state, so that observers see Skipped and NextRun move. A tick
// that finds the run ended (the loop on its way to awaitTick) is left
// pending: awaitTick starts its run.
func (s *supervision) tickDuringRun(gen uint64) {
	c := s.cmd
	c.mu.Lock()
	defer c.unlock()
	if gen != s.tickGen || s.stopped {
		return
	}
	s.tickStop = nil
	if !c.state.active() {
		return
	}
	if s.skipPassedLocked(s.now()) {
		c.publishLocked(c.state)
	}
	s.armTickLocked()
}

// skipPassedLocked counts the ticks up to now as skipped, makes the first
// tick after now pending, and reports whether it counted any. c.mu is
// held.
func (s *supervision) skipPassedLocked(now time.Time) bool {
	c := s.cmd
	n := 0
	for !s.tick.IsZero() && !s.tick.After(now) {
		if n++; n > maxSkipCount {
			s.tick = s.nextTick(now)
			break
		}
		if c.logger != nil {
			c.logger.Info("overseer: scheduled tick skipped: a run is in progress", "id", c.id, "tick", s.tick)
		}
		s.tick = s.nextTick(s.tick)
	}
	c.skipped += min(n, maxSkipCount)
	return n > 0
}

// afterFunc calls f on a goroutine of its own once d has passed, unless
// the stop function it returns is called first. With real time it is
// time.AfterFunc; with a test's timer (Cmd.timer), a goroutine waits on
// it until it fires or is stopped, and stop stops that timer before it
// returns.
func (s *supervision) afterFunc(d time.Duration, f func()) (stop func()) {
	if s.cmd.timer == nil {
		t := time.AfterFunc(d, f)
		return func() { t.Stop() }
	}
	fired, stopTimer := s.timer(d)
	quit := make(chan struct{})
	go func() {
		select {
		case <-fired:
			f()
		case <-quit:
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			stopTimer()
			close(quit)
		})
	}
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
