package overseer

import (
	"fmt"
	"slices"
	"time"
)

// timerFunc starts a timer: the channel receives when d has passed, and
// stop cancels it. Tests replace the real one to make restarts fast and
// their delays exact.
type timerFunc func(d time.Duration) (c <-chan time.Time, stop func() bool)

func realTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// supervision keeps one Cmd going under its restart policy. One goroutine
// at a time runs its loop, and none while a run is in progress (see
// loop); Cmd.Stop cancels it and waits for it (done), and the Overseer
// waits for it in Supervise, SuperviseAll and StopAll.
type supervision struct {
	cmd   *Cmd
	timer timerFunc
	now   nowFunc
	done  chan struct{} // closed when the loop has returned
	stop  chan struct{} // closed by cancel
	kick  chan struct{} // ends a wait early for a restart; holds a token only while restart is set

	// Guarded by cmd.mu.
	stopped bool          // cancel was called
	restart bool          // Overseer.Restart asked for a new run now
	inRow   int           // restarts made in a row after failed runs (MaxRestarts)
	quick   int           // restarts in a row after runs shorter than ResetAfter (backoff)
	delay   time.Duration // the backoff before the next start

	// The ticks of a scheduled Cmd (scheduled.go); guarded by cmd.mu.
	sched    Schedule  // Cmd.Schedule as the supervision began; nil for none
	tick     time.Time // the pending tick (Status.NextRun); zero for none
	tickStop func()    // stops the timer counting skipped ticks; nil when none
	tickGen  uint64    // tells a fired timer of that kind it is stale
}

func newSupervision(c *Cmd) *supervision {
	timer := c.timer
	if timer == nil {
		timer = realTimer
	}
	now := c.now
	if now == nil {
		now = time.Now
	}
	return &supervision{
		cmd:   c,
		timer: timer,
		now:   now,
		done:  make(chan struct{}),
		stop:  make(chan struct{}),
		kick:  make(chan struct{}, 1),
	}
}

// cancel stops the supervision: no run is started after it. c.mu is held.
func (s *supervision) cancel() {
	if !s.stopped {
		s.stopped = true
		close(s.stop)
		s.disarmTickLocked()
	}
}

// requestRestart makes the loop start a new run as soon as the current one
// has ended, or at once if it is waiting. c.mu is held.
func (s *supervision) requestRestart() {
	if s.restart {
		return
	}
	s.restart = true
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// takeRestart reports whether a restart was requested, and clears the
// request; the launch it makes counts it (countRestartLocked). c.mu is
// held.
func (s *supervision) takeRestart() bool {
	if !s.restart {
		return false
	}
	s.restart = false
	select {
	case <-s.kick:
	default:
	}
	return true
}

// afterRun applies the restart policy to a run that ended by itself (or
// could not be started) and returns the Cmd's next state: natural when the
// policy does not restart, backoff with s.delay set when it does, fatal with
// Status.Error saying why when a failed run has no restart left. c.mu is
// held. Restarts is counted when the restart happens, in loop.
func (s *supervision) afterRun(c *Cmd, cfg *runConfig, failed bool, ran time.Duration, natural State) State {
	if ran > cfg.resetAfter {
		s.inRow, s.quick = 0, 0
	}
	restart := cfg.restart == RestartAlways || (cfg.restart == RestartOnFailure && failed)
	if !restart {
		return natural
	}
	if failed {
		if cfg.maxRestarts >= 0 && s.inRow >= cfg.maxRestarts {
			c.err = s.gaveUp(c)
			return StateFatal
		}
		s.inRow++
	} else {
		s.inRow = 0
	}
	// The delay grows with every quick run, failed or not, so that a
	// program that exits 0 at once under RestartAlways (one that
	// daemonizes, say) backs off instead of restarting every Min.
	s.quick++
	s.delay = cfg.backoff.delay(s.quick - 1)
	return StateBackoff
}

// gaveUp is the error of a Cmd whose policy has no restart left.
func (s *supervision) gaveUp(c *Cmd) error {
	switch {
	case c.err != nil:
		return fmt.Errorf("overseer: %s: gave up after %d restarts in a row: %w", c.name(), s.inRow, c.err)
	case c.exited:
		return fmt.Errorf("overseer: %s: gave up after %d restarts in a row: last exit code %d", c.name(), s.inRow, c.exit)
	}
	return fmt.Errorf("overseer: %s: gave up after %d restarts in a row", c.name(), s.inRow)
}

// loop starts runs until the policy or a stop says no more. It is the
// goroutine that executes the supervision's starts: first, when set, is
// the first one, prepared by supervise; launched says that supervise
// began one (first is nil when it failed at once).
//
// No goroutine of the loop waits while a run is in progress: the loop
// hands itself to the run (run.resume) and returns, and the run's end
// goes on with it in a goroutine of its own (resume), so that a thousand
// running processes do not hold a thousand parked loops. There is still
// one loop at a time, the only one to act for the supervision.
func (s *supervision) loop(startDelay time.Duration, first *launch, launched bool) {
	c := s.cmd
	if first != nil {
		_ = onOwnStack(func() error { return c.execLaunch(first) }) // the outcome is in the state
	}
	if startDelay > 0 { // supervise has set the state starting
		if !s.sleep(startDelay) {
			s.stoppedWhileWaiting()
			s.finish()
			return
		}
	}
	s.drive(launched, false)
}

// firstTick is the loop of a scheduled supervision that starts no run
// before its first tick.
func (s *supervision) firstTick() {
	if !s.awaitTick() {
		s.finish()
		return
	}
	s.drive(false, false)
}

// drive is the loop from a start on: launched says that the start is made
// already, backoffOver that the next launch is the restart a backoff
// scheduled. It returns once the supervision is over (finished), or once a
// run is in progress, which resumes it when it ends.
func (s *supervision) drive(launched, backoffOver bool) {
	c := s.cmd
	for {
		if !launched {
			over := backoffOver
			if onOwnStack(func() bool { return s.launch(over) }) {
				s.stoppedWhileWaiting()
				s.finish()
				return
			}
		}
		launched = false
		c.mu.Lock()
		// A run is in progress unless it failed to start, or has ended
		// already; it may be stopping. It is this supervision's unless
		// the supervision was detached meanwhile (stopped before its
		// first start, say) and another one has begun: nextLocked then
		// finds it detached, and it ends without waiting for a run that
		// is not its own.
		if r := c.run; r != nil && c.sup == s {
			r.resume = s // its end goes on with the loop; no polling
			c.unlock()
			return
		}
		var goOn bool
		if goOn, backoffOver = s.nextLocked(); !goOn {
			s.finish()
			return
		}
	}
}

// resume goes on with the loop once run r, which the loop handed itself
// to, has ended: runEnded calls it on a goroutine of its own.
func (s *supervision) resume(r *run) {
	c := s.cmd
	c.mu.Lock()
	if next := c.run; c.sup == s && next != nil && next != r {
		// A rolling restart's new run took over: follow it.
		next.resume = s
		c.unlock()
		return
	}
	goOn, backoffOver := s.nextLocked()
	if !goOn {
		s.finish()
		return
	}
	s.drive(false, backoffOver)
}

// nextLocked decides what the loop does once no run is in progress:
// another launch (goOn), after the backoff when backoffOver, which it
// waits; or nothing more. c.mu is held; it releases it.
func (s *supervision) nextLocked() (goOn, backoffOver bool) {
	c := s.cmd
	if c.sup != s {
		// Detached when the run ended for good: the Cmd may be under a
		// new supervision already.
		c.unlock()
		return false, false
	}
	state, delay, restart := c.state, s.delay, s.restart && !s.stopped
	scheduled := s.sched != nil && !s.stopped
	c.detachIfDone()
	c.unlock()
	if restart {
		return true, false
	}
	if state != StateBackoff {
		// Done, unless a schedule starts the next run at its tick.
		return scheduled && s.awaitTick(), false
	}
	if !s.sleep(delay) {
		s.stoppedWhileWaiting()
		return false, false
	}
	return true, true
}

// launch starts the supervision's next run, and reports false, unless the
// supervision is stopped (true): backoffOver says that it is the restart a
// backoff scheduled. The outcome of the start is in the state.
func (s *supervision) launch(backoffOver bool) (stopped bool) {
	c := s.cmd
	c.mu.Lock()
	if s.stopped {
		c.unlock()
		return true
	}
	// Restarts counts the restarts that happen: a requested one, or else
	// the scheduled one (a request during a backoff replaces it).
	kind := notRestart
	switch {
	case s.takeRestart():
		kind = requestedRestart
		if s.sched != nil && s.tickStop == nil {
			// A restart that comes between a run's end and the wait for
			// the next tick: the ticks passed are skipped, never queued,
			// and those during the new run are counted.
			s.skipPassedLocked(s.now())
			s.armTickLocked()
		}
	case backoffOver:
		kind = scheduledRestart
	}
	l, _ := c.prepareLaunchLocked(kind) // a failure is in the state
	c.unlock()
	if l != nil {
		_ = c.execLaunch(l) // the outcome is in the state
	}
	return false
}

// sleep waits d, or until a restart is requested (true, early), or until
// the supervision is cancelled (false).
func (s *supervision) sleep(d time.Duration) bool {
	fired, stop := s.timer(d)
	select {
	case <-fired:
		return true
	case <-s.kick:
		stop()
		s.kick <- struct{}{} // put the token back: takeRestart clears it with the request
		return true
	case <-s.stop:
		stop()
		return false
	}
}

// stoppedWhileWaiting ends the state of a Cmd stopped with no run going:
// during a backoff, or during the StartDelay.
func (s *supervision) stoppedWhileWaiting() {
	c := s.cmd
	c.mu.Lock()
	defer c.unlock()
	switch c.state {
	case StateBackoff:
		c.stopped = true // interrupted on request, whatever the last run was
		c.setState(StateInterrupted)
	case StateStarting:
		if c.run == nil {
			c.stopped = true
			c.setState(StateStopping)
			c.setState(StateInterrupted)
		}
	}
}

// detachIfDone unties a Cmd that is done for good from its supervision, in
// the same step as its final state: whoever sees the final event can start
// it again at once, as a new supervision, instead of finding it still
// supervised or asking a supervision that is about to return. A Cmd whose
// run ended for a requested restart stays. setState calls it with every
// final state; the supervision's loop again when a stop comes after a run
// that ended for a requested restart. A scheduled Cmd stays too, until
// its supervision is cancelled or its schedule is over: it waits for its
// next tick. c.mu is held.
func (c *Cmd) detachIfDone() {
	if s := c.sup; s != nil && c.state.IsFinal() && (!s.restart || s.stopped) && (s.sched == nil || s.stopped) {
		c.sup = nil
	}
}

func (s *supervision) finish() {
	c := s.cmd
	c.mu.Lock()
	if c.sup == s {
		c.sup = nil
		if s.sched != nil && !s.tick.IsZero() {
			c.publishLocked(c.state) // NextRun is gone: an Event of the same state says so
		}
	}
	s.disarmTickLocked()
	notify := c.onIdle
	c.unlock()
	close(s.done)
	if notify != nil {
		notify()
	}
}

// success reports whether an exit code counts as success.
func (cfg *runConfig) success(code int) bool {
	return code == 0 || slices.Contains(cfg.successCodes, code)
}
