package overseer

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The liveness check of a run (see Cmd.Liveness), from its readiness to
// its end.
//
// Between tries a run holds a timer and no goroutine: the timer's
// function makes the try on the goroutine the timer starts, and that
// goroutine ends with the try. The timers of all runs fire on a shared
// grid (onGrid), so that a thousand runs checked every 10s wake the host
// 10 times a second at most, not a thousand. Tries of one run never overlap: a try that
// outlives its Timeout counts as failed then, but the next one starts only
// once it has returned (at once, if its Period has passed meanwhile). The
// run's end stops the timer, cancels the try in progress and waits for it,
// and for a stop the check began, up to StopTimeout.

// liveRun is the liveness check of one run. Guarded by cmd.mu.
type liveRun struct {
	cfg    Liveness    // defaults filled in
	probe  *ProbeRun   // the same for every try, so that a Check may keep a place in it
	timer  *time.Timer // starts the next try; nil until the run is ready
	health Health
	passes int   // tries passed in a row
	fails  int   // tries failed in a row
	err    error // *LivenessError once the run is unhealthy: no try follows
	ended  bool  // the run is over: no try starts
	try    *liveTry
	due    bool          // the Period passed during the try in progress: the next one follows it at once
	stop   chan struct{} // closed when the stop the check began has returned; nil for none
}

// liveTry is a try in progress.
type liveTry struct {
	cancel  context.CancelFunc
	settled bool          // its outcome is counted: by its return, or by its Timeout
	done    chan struct{} // closed once Check has returned and its outcome is acted on
}

// newLiveRun returns the liveness check of run r, nil when its Cmd has
// none.
func newLiveRun(r *run) *liveRun {
	if r.cfg.liveness.Check == nil {
		return nil
	}
	return &liveRun{
		cfg:    r.cfg.liveness,
		health: HealthUnknown,
		probe:  &ProbeRun{ID: r.cmd.id, PID: r.pid, r: r},
	}
}

// healthLocked is Status.Health: the run in progress's, HealthUnknown at
// rest, HealthNone without a liveness probe. c.mu is held.
func (c *Cmd) healthLocked() Health {
	if r := c.run; r != nil && r.live != nil {
		return r.live.health
	}
	if c.spec != nil && c.spec.liveness {
		return HealthUnknown
	}
	return HealthNone
}

// startLivenessLocked begins the liveness check of run r, now ready and
// the Cmd's current run: its first try after InitialDelay. c.mu is held.
func (c *Cmd) startLivenessLocked(r *run) {
	lv := r.live
	if lv == nil || lv.timer != nil || lv.ended {
		return
	}
	first := onGrid(time.Now(), lv.cfg.InitialDelay, lv.cfg.Period)
	if first < lv.cfg.InitialDelay {
		first += gridStep(lv.cfg.Period) // never before InitialDelay
	}
	lv.timer = time.AfterFunc(first, func() { c.liveTick(r) })
}

// liveTick is the timer's function: the next try is due.
func (c *Cmd) liveTick(r *run) {
	lv := r.live
	c.mu.Lock()
	switch {
	case lv.ended || lv.err != nil:
		c.mu.Unlock() // nothing changed: no snapshot to publish
		return
	case lv.try != nil:
		lv.due = true // it follows the try in progress
		if lv.try.settled {
			// The try before outlived its Timeout, was counted failed
			// then, and has still not returned: this period fails too,
			// as a missed one does for Kubernetes, so that a Check that
			// hangs for good makes the run unhealthy.
			lv.timer.Reset(onGrid(time.Now(), lv.cfg.Period, lv.cfg.Period))
			c.liveOutcomeLocked(r, fmt.Errorf("the try before has not returned, %v after its Timeout: %w", lv.cfg.Period, context.DeadlineExceeded))
		}
		c.mu.Unlock() // a change observers see is published where it is made
		return
	}
	c.mu.Unlock()
	c.liveTries(r)
}

// liveTries makes tries on the calling goroutine, one after the other
// while the next is due when one returns.
func (c *Cmd) liveTries(r *run) {
	lv := r.live
	for {
		c.mu.Lock()
		if lv.ended || lv.err != nil || lv.try != nil {
			c.mu.Unlock()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), lv.cfg.Timeout)
		t := &liveTry{cancel: cancel, done: make(chan struct{})}
		lv.try, lv.due = t, false
		lv.timer.Reset(onGrid(time.Now(), lv.cfg.Period, lv.cfg.Period)) // from the start of this try
		c.mu.Unlock()

		// A Check that does not heed ctx is failed at its Timeout, and
		// waited for all the same.
		stopTimeout := context.AfterFunc(ctx, func() { c.liveTimedOut(r, t, ctx) })
		err := lv.cfg.Check.Check(ctx, lv.probe)
		stopTimeout()
		timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
		cancel()
		if err != nil && timedOut {
			err = fmt.Errorf("timed out after %v: %w", lv.cfg.Timeout, err)
		}

		c.mu.Lock()
		if !t.settled {
			t.settled = true
			c.liveOutcomeLocked(r, err)
		}
		lv.try = nil
		again := lv.due && !lv.ended && lv.err == nil
		c.mu.Unlock() // a change observers see is published where it is made (setHealthLocked, setState)
		close(t.done)
		if !again {
			return
		}
	}
}

// liveTimedOut counts try t as failed once its Timeout has passed, if it
// has not returned by then; ctx is its context, which is done.
func (c *Cmd) liveTimedOut(r *run, t *liveTry, ctx context.Context) {
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return // cancelled: by its return, or by the end of the run
	}
	c.mu.Lock()
	defer c.mu.Unlock() // a change observers see is published where it is made
	if t.settled || r.live.ended {
		return
	}
	t.settled = true
	c.liveOutcomeLocked(r, fmt.Errorf("timed out after %v: %w", r.live.cfg.Timeout, context.DeadlineExceeded))
}

// liveOutcomeLocked counts the outcome of a try of run r, err nil for a
// pass, and acts on it: the health changes, and after Failures failed
// tries in a row the run is stopped, as a failed one. c.mu is held.
func (c *Cmd) liveOutcomeLocked(r *run, err error) {
	lv := r.live
	if lv.ended || lv.err != nil {
		return
	}
	if err == nil {
		lv.fails = 0
		lv.passes++
		if lv.health != HealthHealthy && lv.passes >= lv.cfg.Successes {
			c.setHealthLocked(r, HealthHealthy)
		}
		return
	}
	lv.passes = 0
	lv.fails++
	if c.logger != nil {
		c.logger.Debug("overseer: liveness try failed", "id", c.id, "pid", r.pid, "fails", lv.fails, "err", err)
	}
	if lv.fails < lv.cfg.Failures {
		return
	}
	if c.run != r || r.stopRequested || r.selfStopping {
		return // going already
	}
	lv.err = &LivenessError{Name: c.name(), Tries: lv.fails, Err: err}
	lv.timer.Stop()
	if c.logger != nil {
		c.logger.Warn("overseer: unhealthy: stopping", "id", c.id, "pid", r.pid, "err", lv.err)
	}
	c.setHealthLocked(r, HealthUnhealthy)
	if c.state == StateRunning || c.state == StateStarting {
		c.setState(StateStopping)
	}
	// The stop goes on a goroutine of its own, which the run's end waits
	// for: it takes the run's signal lock, which is not taken under c.mu,
	// held here.
	stop := make(chan struct{})
	lv.stop = stop
	go func() {
		defer close(stop)
		r.terminate()
	}()
}

// setHealthLocked sets the health of run r, and publishes it when r is the
// Cmd's current run: an event whose From and To are the same state, and a
// change for SuperviseAll's start order. c.mu is held.
func (c *Cmd) setHealthLocked(r *run, h Health) {
	lv := r.live
	if lv.health == h {
		return
	}
	lv.health = h
	if c.run != r {
		return
	}
	c.publishLocked(c.state)
	if c.owner != nil {
		c.owner.notify()
	}
}

// haltLiveness stops the liveness check of run r, whose leader has
// exited: no try starts any more, the one in progress is cancelled, and
// no outcome counts from now on, so that a server that exits by itself is
// not found unhealthy by the tries its going fails. c.mu is not held.
func (r *run) haltLiveness() {
	lv := r.live
	if lv == nil {
		return
	}
	c := r.cmd
	c.mu.Lock()
	lv.ended = true
	if lv.timer != nil {
		lv.timer.Stop()
	}
	if t := lv.try; t != nil {
		t.cancel()
	}
	c.mu.Unlock() // nothing observers see changed
}

// endLiveness ends the liveness check of run r, whose leader is reaped:
// halted (haltLiveness), and the try in progress and the stop the check
// began waited for, up to StopTimeout: a Check is the user's code, and one
// that does not heed its context must not hold up the end of the run. It
// finds the run over when it returns.
func (r *run) endLiveness() {
	lv := r.live
	if lv == nil {
		return
	}
	r.haltLiveness()
	c := r.cmd
	c.mu.Lock()
	var try, stop chan struct{}
	if t := lv.try; t != nil {
		try = t.done
	}
	stop = lv.stop
	c.mu.Unlock() // nothing observers see changed
	if try == nil && stop == nil {
		return
	}
	timer := time.NewTimer(r.cfg.stopTimeout)
	defer timer.Stop()
	for _, ch := range []chan struct{}{try, stop} {
		if ch == nil {
			continue
		}
		select {
		case <-ch:
		case <-timer.C:
			if c.logger != nil {
				c.logger.Warn("overseer: the liveness check did not return when its run ended", "id", c.id, "pid", r.pid)
			}
			return
		}
	}
}

// maxGrid bounds the step of the grid the liveness timers fire on.
const maxGrid = time.Second

// onGrid returns the wait from now until the point of the grid nearest to
// now+d: the grid has a step of a tenth of period, at most maxGrid, and
// is the same for every run whatever its start, its points multiples of
// the step since the Unix epoch. Timers due at the same point fire
// together, on one wakeup of the host: measured with BenchmarkLiveness,
// that divides the cost of the checking itself by five with 1,000 runs,
// where each timer on its own woke the host. A try so comes up to half
// a step early or late, its Period kept on average. The wait is never
// below half a step, so a try is not made at once again.
func onGrid(now time.Time, d, period time.Duration) time.Duration {
	step := gridStep(period)
	if step <= 0 {
		return d
	}
	at := now.Add(d).UnixNano()
	if r := at % int64(step); r < int64(step)/2 {
		at -= r
	} else {
		at += int64(step) - r
	}
	return max(time.Duration(at-now.UnixNano()), step/2)
}

// gridStep is the step of the grid of liveness tries of a Period.
func gridStep(period time.Duration) time.Duration {
	return min(period/10, maxGrid)
}
