package overseer

import (
	"context"
	"syscall"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
)

// The end of a run's other processes, once its leader has exited: by its
// control group, where it has one, else by its process group.

// awaitRest waits, up to StopTimeout, for the run's other processes to
// go, once they have had StopSignal: until its control group is empty, or
// without one, until the output pipes close (a process that left the
// group may hold them open: it does not count).
func (r *run) awaitRest() {
	if r.cgroup != nil {
		ctx, cancel := context.WithTimeout(context.Background(), r.cfg.stopTimeout)
		defer cancel()
		if err := r.cgroup.WaitEmpty(ctx); err != nil && ctx.Err() == nil {
			r.warn("overseer: cannot wait for the control group to empty", err)
			<-ctx.Done() // as without one: StopTimeout, then SIGKILL
		}
		return
	}
	timer := time.NewTimer(r.cfg.stopTimeout)
	defer timer.Stop()
	select {
	case <-r.drained:
	case <-timer.C:
	}
}

// killCgroup kills what is left in the run's control group, and waits for
// it to empty: SIGKILL cannot be refused, but a process in an
// uninterruptible sleep dies only when it wakes, which is waited for up to
// StopTimeout.
func (r *run) killCgroup() {
	if err := r.cgroup.Kill(); err != nil {
		r.warn("overseer: cannot kill the control group", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.stopTimeout)
	defer cancel()
	if err := r.cgroup.WaitEmpty(ctx); err != nil {
		r.warn("overseer: the control group is not empty after SIGKILL", err)
	}
}

// killRest sends SIGKILL to what is left of the run's process group (in
// cgroup mode, killCgroup has), and under a subreaper host ends what the
// leader left: those that left the group are killed (by their mark; in
// cgroup mode they are dead already), and all are reaped. r.sigMu is
// held, and the leader is not reaped.
func (r *run) killRest() {
	if r.cgroup == nil {
		_ = proc.SignalGroup(r.pid, syscall.SIGKILL) // ESRCH: nothing left
	}
	if c := r.cmd; c.subreaper && r.token != "" {
		proc.EndDescendants(r.token, r.pid)
	}
}

// leftBehind returns the processes the run's leader left running when it
// exited, at most maxLeftShown.
func (r *run) leftBehind() []int {
	if r.cgroup == nil {
		return proc.LeftBehind(proc.NewRunTrace(r.token, r.pipes), r.pid, maxLeftShown, r.cmd.subreaper)
	}
	pids, err := r.cgroup.Procs()
	if err != nil {
		return nil
	}
	var left []int
	for _, pid := range pids {
		if pid != r.pid && len(left) < maxLeftShown {
			left = append(left, pid)
		}
	}
	return left
}

// warn logs a failure of the end of the run, if the Cmd has a logger.
func (r *run) warn(msg string, err error) {
	if c := r.cmd; c.logger != nil {
		c.logger.Warn(msg, "id", c.id, "pid", r.pid, "cgroup", r.cgroup.Dir(), "err", err)
	}
}
