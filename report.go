package overseer

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// What a run's goroutines report to its Cmd: its end (the run's waiter),
// its readiness (the probe). They change nothing themselves: these
// methods make the change, under c.mu, as the notification reader's do
// (notify.go).

// runEnded records how run r ended and moves the Cmd to its next state:
// interrupted after Stop, else what the supervision's policy decides, else
// finished (interrupted when a signal ended the run).
func (c *Cmd) runEnded(r *run, ws syscall.WaitStatus, err error) {
	c.mu.Lock()
	defer c.unlock()
	if c.run != r {
		// The other run of a rolling restart: the old one, retired, or a
		// new one that never took over. The Cmd's state is not theirs.
		if c.next != nil && c.next.r == r {
			c.next = nil
		}
		close(r.done)
		r.resumeSupervision()
		return
	}
	c.run = nil
	c.stopTime = time.Now()
	c.stopped = r.stopRequested || r.selfStopping
	// What the run said of itself (STATUS=, MAINPID=) ends with it.
	c.statusText, c.mainPID = "", 0
	signaled := false
	switch {
	case err != nil:
		c.err = err
	case ws.Signaled():
		c.err = &SignalError{Signal: ws.Signal()}
		signaled = true
	default:
		c.exit, c.exited = ws.ExitStatus(), true
	}
	next := StateFinished
	if signaled {
		next = StateInterrupted
	}
	failed := err != nil || signaled || !r.cfg.success(c.exit)
	switch {
	case r.usage.limit.err != nil && !r.stopRequested:
		failed, next = c.stoppedForLocked(r, r.usage.limit.err)
	case r.readyErr != nil && !r.stopRequested:
		c.err, failed, next = r.readyErr, true, StateFatal
	case r.live != nil && r.live.err != nil && !r.stopRequested:
		failed, next = c.stoppedForLocked(r, r.live.err)
	case r.oomErr != nil && !r.stopRequested:
		c.err, failed, next = r.oomErr, true, StateFatal // its SIGKILL says less
	case r.watchdogErr != nil && !r.stopRequested:
		failed, next = true, StateFatal
		if c.err == nil {
			c.err = r.watchdogErr // it caught SIGABRT and exited (a Go program does, with 2)
		} else {
			c.err = fmt.Errorf("%w (%w)", r.watchdogErr, c.err)
		}
	case r.selfStopping:
		failed = false // it said it was going: an end, not a failure
	}
	switch {
	case r.stopRequested:
		next = StateInterrupted
	case c.sup != nil && !c.sup.stopped:
		next = c.sup.afterRun(c, r.cfg, failed, c.stopTime.Sub(c.startTime), next)
	}
	if len(r.left) > 0 && c.exited && c.exit == 0 && !c.warnedDaemon {
		c.warnedDaemon = true
		c.warning = daemonizedWarning(r)
		if c.logger != nil {
			c.logger.Warn("overseer: "+c.warning, "id", c.id, "pid", r.pid, "left", r.left)
		}
	}
	c.setState(next)
	c.warning = "" // told once, with the change of state
	c.releaseSocketsIfDoneLocked()
	c.snapshotLocked() // before done: a waiter sees the end
	close(r.done)
	r.resumeSupervision()
}

// resumeSupervision goes on with the supervision's loop that waits for
// the end of run r, if one does, on a goroutine of its own: it does what
// comes next, a backoff or a restart, as the loop's only goroutine.
// c.mu is held.
func (r *run) resumeSupervision() {
	if s := r.resume; s != nil {
		r.resume = nil
		go s.resume(r)
	}
}

// daemonizedWarning is Event.Warning for run r, whose leader exited 0
// after r.ran and left the processes r.left running.
func daemonizedWarning(r *run) string {
	pids := make([]string, len(r.left))
	for i, pid := range r.left {
		pids[i] = strconv.Itoa(pid)
	}
	// In its control group, what it left is stopped with the run; in its
	// process group alone, what left the group goes on unseen.
	fate := "what it leaves in its process group is stopped with it, and what leaves the group is out of reach"
	if r.cgroup != nil {
		fate = "what it left was stopped with it, as the run's control group holds it"
	}
	return fmt.Sprintf("exited 0 after %v and left processes running (pid %s): it seems to have gone to the background. "+
		"Keep it in the foreground (nginx: daemon off; redis-server: --daemonize no; supervisord, php-fpm: --nodaemon; "+
		"many programs: -f or --foreground): %s",
		r.ran.Round(time.Millisecond), strings.Join(pids, ", "), fate)
}

// runReady makes run r ready: the Cmd's state goes from starting to
// running, or, for the new run of a rolling restart, the restart goes on.
func (c *Cmd) runReady(r *run) {
	c.mu.Lock()
	defer c.unlock()
	select {
	case <-r.ended:
		return // the run is over
	case <-r.decided:
		return
	default:
	}
	close(r.decided)
	if c.run == r && c.state == StateStarting {
		c.setState(StateRunning)
		c.startLivenessLocked(r)
	}
}

// runNotReady records that run r will not be ready, and reports whether
// the caller must end it: it is the Cmd's current run, not already being
// stopped. (The new run of a rolling restart is ended by the restart.)
func (c *Cmd) runNotReady(r *run, err error) bool {
	c.mu.Lock()
	defer c.unlock()
	select {
	case <-r.ended:
		return false // the run is over
	case <-r.decided:
		return false
	default:
	}
	r.readyErr = err
	close(r.decided)
	if c.run != r || r.stopRequested || r.selfStopping {
		return false
	}
	if c.logger != nil {
		c.logger.Warn("overseer: not ready: stopping", "id", c.id, "pid", r.pid, "err", err)
	}
	if c.state == StateStarting {
		c.setState(StateStopping)
	}
	return true
}
