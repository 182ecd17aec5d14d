package overseer

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Stop stops process id: its supervision ends, a pending restart is
// dropped, and its process group gets StopSignal, then SIGKILL after
// StopTimeout. It returns once the group is gone; on a process that is not
// running it does nothing. Its error is non-nil only for an id that is not
// registered (wrapping ErrNotFound): the stop itself cannot fail (see
// Cmd.Stop).
func (o *Overseer) Stop(id string) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	c.Stop()
	return nil
}

// Restart ends the current run of process id and starts a new one at once,
// under supervision; Status.Restarts counts it. A supervised process stays
// supervised (a Supervise call blocked on it goes on), its run going
// running → stopping → interrupted → starting → running; one waiting in
// backoff starts without waiting further. A process that is not supervised
// is stopped if it runs, then supervised from a new run; one at rest is just
// started. Restart returns once the new run is ready (running; see
// Cmd.Ready), with nil, or once it has ended or failed to start, with an
// error wrapping ErrNotReady that says how (a new run that finishes with a
// success exit code, as a job does, is no error). So "restart, then use
// it" works as with a rolling restart.
//
// A supervised, running process with Listeners is restarted rolling
// instead: the new run starts on the same sockets while the old one serves,
// and once it is ready (see Cmd.Ready) it takes over, with one event from
// running to running carrying its PID, and the old run is stopped
// gracefully. A new run that cannot start, ends, or is not ready within
// ReadyTimeout is stopped, the old run goes on, and Restart returns an
// error wrapping ErrNotReady; one rolling restart at a time (ErrRunning).
func (o *Overseer) Restart(id string) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	return o.restart(c, nil, false)
}

// restart is Restart, onto args when they are set (Upgrade). With
// onlySupervised it restarts a process only while it is supervised, and
// does nothing to one that is not (see Dependency.Restart).
func (o *Overseer) restart(c *Cmd, args []string, onlySupervised bool) error {
	c.mu.Lock()
	if onlySupervised && (c.sup == nil || c.sup.stopped) {
		c.unlock()
		return nil
	}
	if c.canRollLocked() {
		l, old, err := c.prepareRollLocked(args)
		c.unlock()
		if err != nil {
			return err
		}
		return c.roll(l, old, args)
	}
	if args != nil {
		c.Args = args
	}
	restarts := c.restarts
	sup := c.sup
	supervised := sup != nil && !sup.stopped
	wasActive := c.state.active() || sup != nil
	var req stopRequest
	if supervised {
		sup.requestRestart() // the supervision starts the new run once this one has ended
		req = c.requestStopLocked()
	}
	c.unlock()
	if supervised {
		req.wait()
		return o.awaitNewRun(c, restarts+1)
	}
	c.Stop()
	if _, err := o.supervise(context.Background(), c, wasActive, false, false, true); err != nil {
		return err
	}
	if !wasActive {
		restarts-- // a start, not counted as a restart
	}
	return o.awaitNewRun(c, restarts+1)
}

// awaitNewRun waits until the run that a restart of c started, the one that
// makes c's count of restarts reach restarts, is ready (running) or has
// ended: nil for ready, or for an end the policy calls a success; else an
// error wrapping ErrNotReady that says how the new run went. A stop before
// the new run has started ends the wait with an error too.
func (o *Overseer) awaitNewRun(c *Cmd, restarts int) error {
	for {
		changed := o.changes()
		c.mu.Lock()
		st := c.statusLocked(time.Now())
		supervised := c.sup != nil && !c.sup.stopped
		success := c.exited && c.cfg != nil && c.cfg.success(c.exit)
		c.unlock()
		if st.Restarts < restarts {
			if !supervised {
				return fmt.Errorf("%w: %s: stopped before the new run started", ErrNotReady, c.name())
			}
		} else {
			switch st.State {
			case StateRunning:
				return nil
			case StateFinished:
				if success {
					return nil
				}
				return fmt.Errorf("%w: %s: the new run (pid %d) ended with exit code %d", ErrNotReady, c.name(), st.PID, st.Exit)
			case StateBackoff, StateFatal, StateInterrupted:
				if st.State == StateBackoff && success {
					return nil // a job that did its work, to run again under RestartAlways
				}
				if st.PID == 0 {
					return fmt.Errorf("%w: %s: the new run could not be started (%v): %w", ErrNotReady, c.name(), st.State, st.Error)
				}
				if st.Error != nil {
					return fmt.Errorf("%w: %s: the new run (pid %d) is %v: %w", ErrNotReady, c.name(), st.PID, st.State, st.Error)
				}
				if st.Exit >= 0 {
					return fmt.Errorf("%w: %s: the new run (pid %d) is %v after exit code %d", ErrNotReady, c.name(), st.PID, st.State, st.Exit)
				}
				return fmt.Errorf("%w: %s: the new run (pid %d) is %v", ErrNotReady, c.name(), st.PID, st.State)
			}
		}
		<-changed
	}
}

// Upgrade restarts process id onto a new command line, args: a new
// binary, say. For a running process with Listeners it is a rolling
// restart, as Restart's, that keeps the old Args and the old run when the
// new one is not ready (the error wraps ErrNotReady): the new arguments go
// to the new run alone, and Args is set to them only once it has taken
// over. Otherwise Args are replaced and the process restarted as by
// Restart. Either way Upgrade writes Args as its caller would, from the
// caller's goroutine, holding the Cmd's lock: later restarts run the new
// command line, and no background goroutine reads or writes Args; the
// caller must not write Args itself during the call. Empty args are
// ErrInvalid.
func (o *Overseer) Upgrade(id string, args ...string) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	if len(args) == 0 || args[0] == "" {
		return fmt.Errorf("%w: upgrade %s: no program to run", ErrInvalid, id)
	}
	return o.restart(c, slices.Clone(args), false)
}

// Signal sends sig to the process group of process id.
func (o *Overseer) Signal(id string, sig syscall.Signal) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	return c.Signal(sig)
}

// StopAll stops every process and returns when all are gone. A process
// is stopped once every process that depends on it (Cmd.DependsOn) has
// stopped; the others stop in parallel, so StopAll takes about the longest
// chain of StopTimeouts, not their sum. Calling it again is harmless.
// StopAll has no error result: a stop cannot fail (see Cmd.Stop).
func (o *Overseer) StopAll() {
	cmds := o.cmds()
	dependents := stopOrder(cmds)
	stopped := make(map[*Cmd]chan struct{}, len(cmds))
	for _, c := range cmds {
		stopped[c] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for _, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(stopped[c])
			for _, d := range dependents[c] {
				<-stopped[d]
			}
			c.Stop()
		}()
	}
	wg.Wait()
}
