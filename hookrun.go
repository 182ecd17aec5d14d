package overseer

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
)

// errHookStopped ends a start whose PreStart commands a Stop ended: the
// start is abandoned, interrupted, rather than failed.
var errHookStopped = errors.New("overseer: stopped during the PreStart commands")

// runHook runs the hook command h as the process of cfg would run (its
// Dir, its Setup: limits, niceness, umask, user), in the environment env,
// in a process group of its own, its output going to the Cmd's rings as
// Lines marked h.kind, and waits for it. What it leaves in its group when
// it exits is killed.
//
// When stop is closed, the command gets StopSignal and, StopTimeout later,
// SIGKILL, and runHook returns errHookStopped. When limit is not zero, the
// command gets SIGKILL once it has run that long. Otherwise it returns nil
// for an exit 0, else an error that names the command and says how it
// failed. c.mu is not held.
func (c *Cmd) runHook(h hookCmd, cfg *runConfig, env []string, stop <-chan struct{}, limit time.Duration) error {
	fail := func(err error) error {
		return &HookError{Name: c.name(), Hook: h.kind, Index: h.index, Command: h.line(), Err: err}
	}
	pipes, ends, err := proc.OpenPipes()
	if err != nil {
		return fail(err)
	}
	st, err := proc.Start(proc.Spec{
		Args:   h.args,
		Dir:    cfg.dir,
		Env:    env,
		Stdout: ends[0],
		Stderr: ends[1],
		Pipes:  pipes,
		Setup:  cfg.setup,
	})
	proc.CloseAll(ends...) // the child has its own copies
	if err != nil {
		proc.CloseAll(pipes...)
		return fail(err)
	}
	var pumps sync.WaitGroup
	ps := make([]*pump, len(pipes))
	for i, s := range []Stream{StreamStdout, StreamStderr} {
		raw := cfg.stdout // the process's writers get the hook's bytes too (log files)
		if s == StreamStderr {
			raw = cfg.stderr
		}
		p := newPump(c.id, st.PID, s, pipes[i], raw, &c.out, cfg.maxLineBytes, c.logger)
		p.hook = h.kind
		ps[i] = p
		pumps.Go(func() { p.run() }) // no park: a hook is short-lived
	}
	exited := make(chan error, 1)
	go func() { exited <- st.Process.WaitExit() }()

	// Every signal goes from this goroutine, before the reap: none can
	// reach a group whose id was reused.
	var killAt, stopKill <-chan time.Time // at limit; StopTimeout after a stop
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		killAt = t.C
	}
	var (
		werr     error
		stopped  bool
		timedOut bool
	)
wait:
	for {
		select {
		case werr = <-exited:
			break wait
		case <-stop:
			stop, stopped = nil, true
			_ = proc.SignalGroup(st.PID, cfg.stopSignal) // ESRCH: gone already
			t := time.NewTimer(cfg.stopTimeout)          // SIGKILL then, or at limit if that comes first
			defer t.Stop()
			stopKill = t.C
		case <-killAt:
			killAt, timedOut = nil, !stopped
			_ = proc.SignalGroup(st.PID, syscall.SIGKILL) // ESRCH: gone already
		case <-stopKill:
			stopKill, killAt = nil, nil
			_ = proc.SignalGroup(st.PID, syscall.SIGKILL) // ESRCH: gone already
		}
	}
	if werr == nil { // else it may be reaped by someone else: its pid is not ours to signal
		_ = proc.SignalGroup(st.PID, syscall.SIGKILL) // what it left; ESRCH: nothing
		if c.subreaper && st.Token != "" {
			proc.EndDescendants(st.Token, st.PID)
		}
	}
	ws, rerr := st.Process.Reap()
	proc.Release(st.PID)
	_ = st.OS.Release() // reaped through st.Process: nothing to release but the handle

	// A process that left the group may hold a pipe: read what is in it,
	// and go on without waiting for more, as a run's end does.
	deadline := time.Now().Add(pipeGrace)
	for _, p := range ps {
		p.endBy(deadline)
	}
	pumps.Wait()
	proc.CloseAll(pipes...)

	switch {
	case stopped:
		return errHookStopped
	case werr != nil || rerr != nil:
		return fail(fmt.Errorf("wait (pid %d): %w", st.PID, errors.Join(werr, rerr)))
	case timedOut:
		return fail(fmt.Errorf("killed after %v", limit))
	case ws.Signaled():
		return fail(fmt.Errorf("killed by signal %d (%v)", int(ws.Signal()), ws.Signal()))
	case ws.ExitStatus() != 0:
		return fail(fmt.Errorf("exit status %d", ws.ExitStatus()))
	}
	return nil
}
