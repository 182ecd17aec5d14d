package overseer

import (
	"errors"
	"fmt"
	"time"
)

// launch is a start in progress, in three steps: prepared under c.mu (the
// configuration checked, the sockets opened, the state starting), the
// program executed without the lock, and the outcome recorded under the
// lock again. An exec or a stat of Dir that hangs (a hung mount, say) so
// holds up this start and whoever waits for it, and nothing else: Status,
// a Stop (which is recorded and acted on once the exec returns), the
// Overseer's other processes.
type launch struct {
	cfg   *runConfig
	env   []string      // the run's environment (cfg's env, taken out: see takeEnv)
	done  chan struct{} // the run's: closed when it has ended, or when the start failed
	execd chan struct{} // closed once the exec has returned and its outcome is recorded
	// interrupt is closed by the first Stop of the launch, which ends its
	// PreStart command in progress (see execHooked).
	interrupt chan struct{}

	// Guarded by c.mu.
	stopRequested bool // a Stop came while the program was executed
	r             *run // the run the exec started; nil before, and if it failed
}

// restartKind says whether a start is a restart, for Status.Restarts.
type restartKind uint8

// newLaunch returns the launch of a run of cfg in env, which closes done
// when it has ended.
func newLaunch(cfg *runConfig, env []string, done chan struct{}) *launch {
	return &launch{cfg: cfg, env: env, done: done, execd: make(chan struct{}), interrupt: make(chan struct{})}
}

const (
	notRestart       restartKind = iota // a first start
	scheduledRestart                    // the policy's, after a backoff
	requestedRestart                    // Restart or Upgrade: the failures in a row are forgotten
)

// Start starts a run of the Cmd and returns without waiting for it to end.
// It returns an error wrapping ErrRunning if a run is in progress or
// scheduled, one wrapping ErrInvalid if the configuration is unusable (the
// state does not change), and the exec error if the program could not be
// started (the state becomes fatal and Status.Error keeps the error). The
// PreStart commands run first, before it returns: the error of one that
// fails is returned as an exec error is.
//
// Start makes one run; restarts are the work of Overseer.Supervise.
func (c *Cmd) Start() error {
	c.mu.Lock()
	if c.state.active() || c.sup != nil {
		err := fmt.Errorf("%w: %s is %v", ErrRunning, c.name(), c.state)
		c.unlock()
		return err
	}
	l, err := c.prepareLaunchLocked(notRestart)
	c.unlock()
	if l == nil {
		return err
	}
	return c.execLaunch(l)
}

// prepareLaunchLocked begins a start from any state at rest, from backoff,
// or from starting (the supervision's StartDelay): the state becomes
// starting and the launch is returned, for execLaunch to run without the
// lock. An unusable configuration is returned with no launch and no change
// of state from rest; from backoff or starting it ends the start as
// failStartLocked does, as does a listener that cannot be opened. c.mu is
// held.
func (c *Cmd) prepareLaunchLocked(kind restartKind) (*launch, error) {
	cfg, err := c.config()
	return c.prepareLaunchWithLocked(kind, cfg, err)
}

// prepareLaunchWithLocked is prepareLaunchLocked with the configuration
// (or its error) read already, by a caller that needed it first. c.mu is
// held.
func (c *Cmd) prepareLaunchWithLocked(kind restartKind, cfg runConfig, err error) (*launch, error) {
	configured := err == nil
	if !configured && !c.state.active() && (c.sup == nil || c.sup.sched == nil) {
		return nil, err // a caller's mistake: nothing was tried (a tick's start fails as a start)
	}
	if kind != notRestart {
		c.countRestartLocked(kind)
	}
	c.done = make(chan struct{})
	c.pid, c.exited, c.err, c.stopped = 0, false, nil, false
	c.startTime, c.stopTime = time.Now(), time.Time{}
	if c.state != StateStarting {
		c.setState(StateStarting)
	}
	env := cfg.takeEnv()
	if configured {
		c.cfg, c.spec = &cfg, configSpec(&cfg)
		c.out.setLimits(cfg.bufferLines, cfg.bufferBytes, cfg.maxLineBytes)
		err = c.openSocketsLocked(&cfg)
	}
	if err != nil {
		c.failStartLocked(&cfg, configured, err)
		return nil, err
	}
	l := newLaunch(&cfg, env, c.done)
	c.launching = l
	return l, nil
}

// execLaunch executes the program of l, without c.mu, and records the
// outcome. It returns the exec error, which is also in the state. A launch
// stopped before its exec began (a StopAll during SuperviseAll's first
// starts, say) executes nothing: it ends interrupted.
func (c *Cmd) execLaunch(l *launch) error {
	c.mu.Lock()
	if l.stopRequested {
		defer c.unlock()
		c.abandonLaunchLocked(l)
		return nil
	}
	c.mu.Unlock() // nothing changed: no snapshot to publish
	r, err := c.execHooked(l)
	l.env = nil // the exec has it
	c.mu.Lock()
	defer c.unlock()
	if errors.Is(err, errHookStopped) {
		c.abandonLaunchLocked(l) // stopped before the program was executed
		return nil
	}
	defer close(l.execd)
	c.launching = nil
	if err != nil {
		c.failStartLocked(l.cfg, true, err)
		return err
	}
	l.r, c.run = r, r
	c.program = r.program
	c.pid, c.startTime = r.pid, r.started
	c.statusText, c.mainPID = "", 0 // the new run's, once it sends them
	if l.cfg.ready == nil {
		close(r.decided)
	}
	switch {
	case l.stopRequested:
		// Stopping already: the Stop waiting for this exec ends the run.
		r.stopRequested = true
	case l.cfg.ready == nil:
		c.setState(StateRunning)
	} // else starting until the probe passes
	r.begin() // after the running event, so that no line comes before it
	if l.cfg.ready == nil && !r.stopRequested {
		c.startLivenessLocked(r) // ready already
	}
	if c.owner != nil && l.cfg.ready != nil {
		// Executing but not ready, so still starting: no event says so,
		// but a dependent waiting for it to be started may go now.
		c.owner.notify()
	}
	return nil
}

// abandonLaunchLocked ends launch l, stopped before its exec began: the
// state goes from stopping to interrupted, as for a run stopped on request,
// with no process. c.mu is held.
func (c *Cmd) abandonLaunchLocked(l *launch) {
	c.launching = nil
	c.stopped = true
	c.stopTime = time.Now()
	c.setState(StateInterrupted)
	c.releaseSocketsIfDoneLocked()
	c.snapshotLocked() // before done: a waiter sees the end
	close(l.done)
	close(l.execd)
}

// failStartLocked ends a start that could not be made (an exec error, a
// configuration broken since supervision began, a listener that cannot be
// opened): fatal, or, for a supervised Cmd whose configuration is usable,
// what the policy makes of a failed run. c.mu is held.
func (c *Cmd) failStartLocked(cfg *runConfig, configured bool, err error) {
	c.err = err
	c.stopTime = c.startTime
	next := StateFatal
	if c.sup != nil && !c.sup.stopped && configured {
		next = c.sup.afterRun(c, cfg, true, 0, StateFatal)
	}
	c.setState(next)
	c.releaseSocketsIfDoneLocked()
	c.snapshotLocked() // before done: a waiter sees the end
	close(c.done)
}

// countRestartLocked counts a restart in Status.Restarts, just before the
// event of the start it makes. Every restart is counted here: the
// policy's, Restart's and Upgrade's (a requested one also forgets the
// failures in a row, for MaxRestarts and the backoff), and a rolling
// restart's when its new run takes over. c.mu is held.
func (c *Cmd) countRestartLocked(kind restartKind) {
	c.restarts++
	if s := c.sup; kind == requestedRestart && s != nil {
		s.inRow, s.quick = 0, 0
	}
}

// onOwnStack runs f on a goroutine of its own and returns its result. The
// supervision's goroutine waits through StartDelay and backoffs (a
// process in a long backoff keeps it): what it does deep (an exec, an
// event through the subscriptions) it does this way, so that its stack
// stays small (2–3 KiB a process otherwise, measured with the scale
// benchmark when that goroutine also waited through every run).
func onOwnStack[T any](f func() T) T {
	res := make(chan T, 1)
	go func() { res <- f() }()
	return <-res
}
