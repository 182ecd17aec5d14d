package overseer

import (
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
)

// runHooks is what a run keeps for its StopCommand and PostStop commands.
type runHooks struct {
	env []string // the run's environment, kept only when they need it

	// Guarded by the run's sigMu.
	kill          *time.Timer   // SIGKILL to the run, StopTimeout after its stop began
	stopCommanded bool          // the StopCommand has been started
	closed        bool          // the leader is about to be reaped: no StopCommand starts
	stopDone      chan struct{} // closed once the StopCommand is over
}

// beginStop begins the graceful stop of run r, and returns without
// waiting: it runs the StopCommand if the run has one (once), else sends
// StopSignal to the run's group, and arranges SIGKILL to the group (or
// control group) StopTimeout after the first call, unless the run has
// ended. Every graceful stop goes through it: Stop's, StopAll's, the
// probes', the memory limit's.
func (r *run) beginStop() {
	r.sigMu.Lock()
	if r.reaped {
		r.sigMu.Unlock()
		return
	}
	if r.hooks.kill == nil {
		r.hooks.kill = time.AfterFunc(r.cfg.stopTimeout, func() {
			_ = r.signal(syscall.SIGKILL) // a group already gone needs none
		})
	}
	if r.cfg.hooks.stop() == nil || r.hooks.closed {
		r.stopSignaled = true
		r.sigMu.Unlock()
		_ = r.signal(r.cfg.stopSignal) // a group already gone needs none
		return
	}
	if r.hooks.stopCommanded {
		r.sigMu.Unlock()
		return // it runs already; the SIGKILL is armed
	}
	r.hooks.stopCommanded = true
	r.hooks.stopDone = make(chan struct{})
	r.sigMu.Unlock()
	go r.runStopCommand() // the run's end waits for it (see endHooks)
}

// runStopCommand runs the StopCommand of run r, with MAINPID in its
// environment: the run's MAINPID= if it sent one, else its leader. It is
// bounded by StopTimeout, as the run is. One that cannot be started, or
// fails, is logged, and StopSignal goes to the run's group instead.
func (r *run) runStopCommand() {
	defer close(r.hooks.stopDone)
	c := r.cmd
	c.mu.Lock()
	main := r.mainPID
	c.mu.Unlock()
	if main == 0 {
		main = r.pid
	}
	env := append(slices.Clip(r.hooks.env), "MAINPID="+strconv.Itoa(main))
	h := hookCmd{kind: HookStopCommand, args: r.cfg.hooks.stop()}
	err := c.runHook(h, r.cfg, env, nil, r.cfg.stopTimeout)
	if err == nil {
		return
	}
	if c.logger != nil {
		c.logger.Warn("overseer: the stop command failed: sending the stop signal", "id", c.id, "pid", r.pid, "err", err)
	}
	r.sigMu.Lock()
	if !r.reaped {
		r.stopSignaled = true
		_ = r.signalLocked(r.cfg.stopSignal) // a group already gone needs none
	}
	r.sigMu.Unlock()
}

// awaitStopCommand waits for the run's StopCommand, if one runs, before
// the leader is reaped: the command was given the leader's pid as
// MAINPID, which must not name another process while it runs. From now
// on a stop sends StopSignal instead of starting one. The wait is bounded
// by StopTimeout, as the command is.
func (r *run) awaitStopCommand() {
	r.sigMu.Lock()
	r.hooks.closed = true
	done := r.hooks.stopDone
	r.sigMu.Unlock()
	if done != nil {
		<-done
	}
}

// endHooks is the end of run r for its hooks, once its leader is reaped
// and its output read, before the run counts as ended: the SIGKILL of its
// stop is called off, its StopCommand waited for, and its PostStop
// commands run one after the other, each bounded by StopTimeout, a
// failure logged. ws is how the leader ended, valid when reaped is true.
func (r *run) endHooks(ws syscall.WaitStatus, reaped bool) {
	// Reaped: beginStop changes nothing now, and what it wrote is seen.
	r.sigMu.Lock()
	kill, stopDone := r.hooks.kill, r.hooks.stopDone
	r.sigMu.Unlock()
	if kill != nil {
		kill.Stop()
	}
	if stopDone != nil {
		<-stopDone // bounded by StopTimeout
	}
	post := r.cfg.hooks.post()
	if len(post) == 0 {
		return
	}
	c := r.cmd
	env := append(slices.Clip(r.hooks.env), exitEnv(r.pid, ws, reaped)...)
	for i, args := range post {
		h := hookCmd{kind: HookPostStop, index: i, args: args}
		if err := c.runHook(h, r.cfg, env, nil, r.cfg.stopTimeout); err != nil && c.logger != nil {
			c.logger.Warn("overseer: a PostStop command failed", "id", c.id, "pid", r.pid, "err", err)
		}
	}
}

// exitEnv is what a PostStop command is told of the run that ended, as
// systemd tells ExecStopPost=: MAINPID, the run's leader; EXIT_CODE,
// "exited", "killed" or "dumped"; EXIT_STATUS, the exit code or the
// signal's name ("TERM"). The last two are left out when the leader could
// not be waited for.
func exitEnv(pid int, ws syscall.WaitStatus, reaped bool) []string {
	env := []string{"MAINPID=" + strconv.Itoa(pid)}
	switch {
	case !reaped:
	case ws.Signaled() && ws.CoreDump():
		env = append(env, "EXIT_CODE=dumped", "EXIT_STATUS="+proc.SignalName(ws.Signal()))
	case ws.Signaled():
		env = append(env, "EXIT_CODE=killed", "EXIT_STATUS="+proc.SignalName(ws.Signal()))
	default:
		env = append(env, "EXIT_CODE=exited", "EXIT_STATUS="+strconv.Itoa(ws.ExitStatus()))
	}
	return env
}
