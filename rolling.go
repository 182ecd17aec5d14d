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

// rollLocked is a rolling restart, onto args when they are set: a new run
// starts on the Cmd's sockets while the old one serves; once the new run
// is ready it takes over (one event, running to running, with its PID)
// and the old one is stopped gracefully. A new run that cannot start, ends,
// or is not ready in time is stopped, and the old one stays, as do the
// Args: the new arguments go to the new run's configuration, and Args is
// written only once the new run has taken over. It returns once the run that lost has ended. c.mu is held, and
// released.
func (c *Cmd) rollLocked(args []string) error {
	if c.next != nil {
		c.unlock()
		return fmt.Errorf("%w: %s: a rolling restart is in progress", ErrRunning, c.name())
	}
	// The new command line goes to the new run's configuration; Args is
	// written only once that run has taken over, below.
	newArgs := c.Args
	if args != nil {
		newArgs = args
	}
	cfg, err := c.configArgs(newArgs)
	if err != nil {
		c.unlock()
		return err
	}
	if !c.socks.Same(cfg.listeners) {
		c.unlock()
		return fmt.Errorf("%w: %s: Listeners changed; a rolling restart keeps the sockets (stop and start to change them)", ErrInvalid, c.name())
	}
	if err := c.checkProbeOnSocketsLocked(&cfg); err != nil {
		c.unlock()
		return err
	}
	old, program := c.run, c.program
	r, err := c.startRun(&cfg, make(chan struct{}))
	if err != nil {
		c.program = program
		c.unlock()
		return fmt.Errorf("%w: %s: the old run (pid %d) goes on: %w", ErrNotReady, c.name(), old.pid, err)
	}
	c.next = r
	if cfg.ready == nil {
		close(r.decided)
	}
	r.begin()
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
		if c.run == old {
			c.program = program
		}
		first := !r.stopRequested
		r.stopRequested = true
		oldGoesOn := c.run == old
		c.unlock()
		r.stop(first)
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
	c.run, c.done, c.cfg, c.spec = r, r.done, &cfg, configSpec(&cfg)
	c.out.setLimits(cfg.bufferLines, cfg.bufferBytes, cfg.maxLineBytes)
	c.pid, c.startTime, c.stopTime = r.pid, r.started, time.Time{}
	c.exited, c.err, c.stopped = false, nil, false
	c.statusText, c.mainPID = r.statusText, r.mainPID
	if args != nil {
		// Upgrade's contract: later restarts run the new command line. This
		// is the goroutine of Upgrade's caller, under c.mu (see Upgrade).
		c.Args = args
	}
	c.restarts++
	c.sup.inRow, c.sup.quick = 0, 0
	c.setState(StateRunning)
	first := !old.stopRequested
	old.stopRequested = true
	c.unlock()
	old.stop(first)
	return nil
}
