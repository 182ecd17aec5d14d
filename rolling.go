package overseer

import (
	"fmt"
	"time"
)

// canRollLocked reports whether a restart of c, onto args if set, can be
// rolling: c is supervised and running, with its Listeners open as they
// are configured. c.mu is held.
func (c *Cmd) canRollLocked() bool {
	return c.sup != nil && !c.sup.stopped && c.state == StateRunning &&
		c.run != nil && len(c.run.cfg.listeners) > 0 && c.socks.Same(c.run.cfg.listeners)
}

// prepareRollLocked begins a rolling restart of c, onto args when they are
// set, which canRollLocked allows: it checks the new run's configuration
// and returns its launch, now c.next, and the run it is to replace. c.mu is
// held.
func (c *Cmd) prepareRollLocked(args []string) (*launch, *run, error) {
	if c.next != nil {
		return nil, nil, fmt.Errorf("%w: %s: a rolling restart is in progress", ErrRunning, c.name())
	}
	// The new command line goes to the new run's configuration; Args is
	// written only once that run has taken over, in roll.
	newArgs := c.Args
	if args != nil {
		newArgs = args
	}
	cfg, err := c.configArgs(newArgs)
	if err != nil {
		return nil, nil, err
	}
	if !c.socks.Same(cfg.listeners) {
		return nil, nil, fmt.Errorf("%w: %s: Listeners changed; a rolling restart keeps the sockets (stop and start to change them)", ErrInvalid, c.name())
	}
	if err := c.checkProbeOnSocketsLocked(&cfg); err != nil {
		return nil, nil, err
	}
	env := cfg.takeEnv()
	l := newLaunch(&cfg, env, make(chan struct{}))
	c.next = l
	return l, c.run, nil
}

// roll is a rolling restart, prepared by prepareRollLocked: the new run l
// starts on the Cmd's sockets while the old one serves; once the new run
// is ready it takes over (one event, running to running, with its PID)
// and the old one is stopped gracefully. A new run that cannot start,
// ends, or is not ready in time is stopped, and the old one stays, as do
// the Args: the new arguments (args, when set) go to the new run's
// configuration, and Args is written only once the new run has taken
// over. It returns once the run that lost has ended. c.mu is not held.
func (c *Cmd) roll(l *launch, old *run, args []string) error {
	r, err := c.execHooked(l) // without the lock, as every exec; PreStart first
	l.env = nil               // the exec has it
	c.mu.Lock()
	if err != nil {
		c.next = nil
		close(l.execd)
		c.unlock()
		return fmt.Errorf("%w: %s: the old run (pid %d) goes on: %w", ErrNotReady, c.name(), old.pid, err)
	}
	l.r = r
	r.stopRequested = l.stopRequested // a Stop came during the exec: it ends r
	if l.cfg.ready == nil {
		close(r.decided)
	}
	r.begin()
	close(l.execd)
	c.unlock()

	select {
	case <-r.decided:
	case <-r.done: // it ended before it was ready
	case <-old.done: // the old run ended by itself: the restart policy takes over
	}

	c.mu.Lock()
	var why error
	select {
	case <-r.ended:
		why = fmt.Errorf("it ended before it was ready")
	default:
	}
	switch {
	case r.stopRequested:
		why = fmt.Errorf("stopped")
	case r.readyErr != nil:
		why = r.readyErr
	case c.run != old:
		why = fmt.Errorf("the old run (pid %d) ended meanwhile", old.pid)
	case c.state != StateRunning:
		// It said STOPPING=1: it leaves by itself, and the restart policy
		// decides what comes next, as for any run that ends.
		why = fmt.Errorf("the old run (pid %d) is %v", old.pid, c.state)
	}
	if why != nil {
		var req stopRequest
		req.addRun(r)
		oldGoesOn := c.run == old
		c.unlock()
		req.wait()
		if !oldGoesOn {
			return fmt.Errorf("%w: %s: rolling restart: new run (pid %d) stopped: %w", ErrNotReady, c.name(), r.pid, why)
		}
		if c.logger != nil {
			c.logger.Warn("overseer: rolling restart failed: the old run goes on", "id", c.id, "pid", old.pid, "new", r.pid, "err", why)
		}
		return fmt.Errorf("%w: %s: rolling restart: new run (pid %d): %w; the old run (pid %d) goes on", ErrNotReady, c.name(), r.pid, why, old.pid)
	}

	// The new run takes over.
	c.next = nil
	c.run, c.done, c.cfg, c.spec = r, r.done, l.cfg, configSpec(l.cfg)
	c.program = r.program
	c.out.setLimits(l.cfg.bufferLines, l.cfg.bufferBytes, l.cfg.maxLineBytes)
	c.pid, c.startTime, c.stopTime = r.pid, r.started, time.Time{}
	c.exited, c.err, c.stopped = false, nil, false
	c.statusText, c.mainPID = r.statusText, r.mainPID
	if args != nil {
		// Upgrade's contract: later restarts run the new command line. This
		// is the goroutine of Upgrade's caller, under c.mu (see Upgrade).
		c.Args = args
	}
	c.countRestartLocked(requestedRestart)
	c.setState(StateRunning)
	c.startLivenessLocked(r) // ready, and the Cmd's run now
	var req stopRequest
	req.addRun(old)
	c.unlock()
	req.wait()
	return nil
}
