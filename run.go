package overseer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
	"github.com/overseer-go/overseer/internal/sockets"
)

// pipeGrace bounds how long the end of a run waits for the output pipes to
// close once the process group is gone. A process that left the group (by
// setsid, say) can hold a pipe open for ever; what it has already written is
// still read, then the run ends without waiting for more — as os/exec's
// WaitDelay does.
const pipeGrace = time.Second

// maxLeftShown bounds the processes a daemonized warning names.
const maxLeftShown = 5

// run is one execution of a Cmd. One goroutine owns it (wait): it learns of
// the exit, kills what is left of the group, reaps the child, waits for the
// output to drain, records the end and closes done.
type run struct {
	cmd      *Cmd
	cfg      *runConfig
	pid      int
	started  time.Time
	osProc   *os.Process
	proc     *proc.Process
	pipes    []*os.File // read ends: of stdout and stderr, or of the terminal
	pumpList []*pump
	idle     *proc.IdleWatch // the exit and the quiet pipes, nil where the system has none
	pumps    atomic.Int32    // pumps still reading
	drained  chan struct{}   // closed when both pumps have returned
	done     chan struct{}

	stopRequested bool         // guarded by cmd.mu
	resume        *supervision // whose loop goes on when the run ends; guarded by cmd.mu

	sigMu        sync.Mutex // orders signals before the reap, so none reaches a reused pid
	reaped       bool
	stopSignaled bool // StopSignal has gone to the group; guarded by sigMu

	token string // marks the run's descendants (OVERSEER_RUN), "" where unsupported
	// cgroup is the run's control group, nil where it has only its
	// process group. With one, the run's processes are those of the
	// control group: signals reach all of them, and the run ends once it
	// is empty.
	cgroup  *proc.Cgroup
	oomErr  error  // the kernel killed it for its MemoryLimit
	program string // the program file executed, resolved (before the exec wrapper)

	// left are processes the run left behind when its leader exited 0
	// by itself within ResetAfter, after ran: it seems to have daemonized.
	left []int
	ran  time.Duration

	firstSeq uint64        // the Seq of the output before the run's first line
	notify   *notifySocket // nil unless cfg.notify

	// Readiness. decided is closed when the probe has passed (readyErr
	// nil) or failed (readyErr set): at once without a probe. The probe's
	// goroutine is cancelled by probeCancel and closes probeDone.
	ended       chan struct{} // closed once the leader is reaped
	decided     chan struct{}
	readyErr    error // guarded by cmd.mu
	probeCancel context.CancelFunc
	probeDone   chan struct{}

	// Guarded by cmd.mu.
	selfStopping bool   // it sent STOPPING=1
	watchdogErr  error  // it missed its watchdog
	statusText   string // its last STATUS=
	mainPID      int    // its MAINPID=

	usage runUsage // its samples and its MemoryLimit check (usagerun.go)
	live  *liveRun // its liveness check, nil without one (liveness_run.go)
	hooks runHooks // its StopCommand and PostStop (hookstop.go)
}

// startRun executes the program of cfg, in the environment cfgEnv (see
// runConfig.takeEnv), in a new process group, with its
// output going to two pipes (or one terminal), and returns the run, not yet
// begun, which closes done when it has ended. c.mu is not held: the exec
// and the stat of the program may hang, and must hold up nothing else.
// The Cmd's sockets, if cfg has Listeners, are open, and stay so while a
// start is in progress (they change only at rest).
func (c *Cmd) startRun(cfg *runConfig, cfgEnv []string, done chan struct{}) (*run, error) {
	fail := func(err error) (*run, error) {
		return nil, fmt.Errorf("overseer: start %q: %w", cfg.args[0], err)
	}
	if err := proc.Supported(); err != nil {
		return fail(err)
	}
	if err := proc.CheckProgram(cfg.dir, cfg.args[0]); err != nil {
		return fail(err)
	}
	var notify *notifySocket
	if cfg.notify {
		var err error
		if notify, err = openNotifySocket(); err != nil {
			return fail(err)
		}
	}
	cgroup, err := c.newCgroup(cfg.limits)
	if err != nil {
		notify.close()
		return fail(err)
	}
	open := proc.OpenPipes
	if cfg.pty {
		open = proc.OpenPTY
	}
	pipes, ends, err := open()
	if err != nil {
		notify.close()
		removeCgroup(cgroup)
		return fail(err)
	}
	// The listening sockets and the lifeline, as sockets.Layout says
	// (proc.Start adds the lifeline).
	env := append(slices.Clip(cfgEnv), stopSignalEnv+"="+strconv.Itoa(int(cfg.stopSignal)))
	var socks *sockets.Set
	if len(cfg.listeners) > 0 {
		socks = c.socks
	}
	layout := socks.Layout(c.id)
	if notify != nil {
		env = append(env, notify.sock.Env())
	}
	if cfg.watchdog > 0 {
		env = append(env, "WATCHDOG_USEC="+strconv.FormatInt(cfg.watchdog.Microseconds(), 10))
	}
	st, err := proc.Start(proc.Spec{
		Args:      cfg.args,
		Dir:       cfg.dir,
		Env:       env,
		Layout:    layout,
		Listeners: socks.Files(),
		Stdout:    ends[0],
		Stderr:    ends[len(ends)-1], // the terminal's end for a PTY run, where it is unused
		PTY:       cfg.pty,
		Pipes:     pipes,
		// LISTEN_PID and WATCHDOG_PID must be the child's own pid: the
		// exec wrapper sets them (see internal/proc/execwrap_unix.go).
		NeedsWrapper: layout.Listeners() > 0 || cfg.watchdog > 0,
		Cgroup:       cgroup,
		Setup:        cfg.setup,
		BeforeExec:   c.beforeExec,
	})
	proc.CloseAll(ends...) // the child has its own copies; EOF comes when it and its group close them
	if cgroup != nil {
		cgroup.Started()
	}
	if err != nil {
		notify.close()
		proc.CloseAll(pipes...)
		removeCgroup(cgroup)
		return fail(err)
	}
	if st.Unguarded != nil && c.logger != nil {
		c.logger.Warn("overseer: the process group is not guarded against the death of the host",
			"id", c.id, "pid", st.PID, "err", st.Unguarded)
	}
	r := &run{
		cmd:      c,
		cfg:      cfg,
		pid:      st.PID,
		started:  time.Now(),
		osProc:   st.OS,
		proc:     st.Process,
		pipes:    pipes,
		done:     done,
		drained:  make(chan struct{}),
		ended:    make(chan struct{}),
		decided:  make(chan struct{}),
		token:    st.Token,
		program:  st.Program,
		firstSeq: c.out.lastSeq(),
		notify:   notify,
		cgroup:   cgroup,
	}
	r.live = newLiveRun(r)
	return r, nil
}

// removeCgroup removes the control group of a run that did not start, if
// it has one.
func removeCgroup(g *proc.Cgroup) {
	if g != nil {
		g.Remove()
	}
}

// begin starts the goroutines of the run: wait, which owns the others,
// and a pump for each stream. Where the system allows it (see
// proc.IdleWatch), a pump whose pipe is quiet parks it in the run's watch
// and ends its goroutine, and wait, which waits for the exit on the same
// watch, starts it again once the pipe has something: an idle run then
// holds one goroutine, wait's.
func (r *run) begin() {
	c := r.cmd
	r.pumps.Store(int32(len(r.pipes)))
	r.pumpList = make([]*pump, len(r.pipes))
	r.idle = r.proc.WatchIdle(r.pipes)
	for i, s := range []Stream{StreamStdout, StreamStderr}[:len(r.pipes)] {
		raw := r.cfg.stdout
		if s == StreamStderr {
			raw = r.cfg.stderr
		}
		p := newPump(c.id, r.pid, s, r.pipes[i], raw, &c.out, r.cfg.maxLineBytes, c.logger)
		if r.idle != nil {
			p.park = func() bool { return r.idle.Park(i) }
		}
		r.pumpList[i] = p
		if r.idle == nil || !r.idle.Park(i) {
			r.pump(i)
		}
	}
	if r.notify != nil {
		go r.readNotify()
	}
	r.startSampling()
	if r.cfg.ready != nil {
		ctx, cancel := context.WithTimeout(context.Background(), r.cfg.readyTimeout)
		r.probeCancel, r.probeDone = cancel, make(chan struct{})
		go r.probe(ctx)
	}
	go r.wait()
}

// pump starts the goroutine of pump i, for the first time or again after
// it parked. The run's watch calls it under its lock: it must not block.
func (r *run) pump(i int) {
	go func() {
		if r.pumpList[i].run() {
			return // parked: the watch starts it again
		}
		if r.pumps.Add(-1) == 0 {
			close(r.drained)
		}
	}()
}

// probe runs the Cmd's Ready probe on the run, and acts on its outcome.
func (r *run) probe(ctx context.Context) {
	defer close(r.probeDone)
	c := r.cmd
	err := r.cfg.ready.Ready(ctx, &ProbeRun{ID: c.id, PID: r.pid, r: r})
	select {
	case <-r.ended:
		return // the run is over: nothing to decide
	default:
	}
	if err == nil {
		c.runReady(r)
		return
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("%w: %s (pid %d) not ready within %v: %w", ErrNotReady, c.name(), r.pid, r.cfg.readyTimeout, err)
	} else {
		err = fmt.Errorf("%w: %s (pid %d): %w", ErrNotReady, c.name(), r.pid, err)
	}
	if c.runNotReady(r, err) {
		r.terminate()
	}
}

// terminate ends the run: its graceful stop, the StopCommand or StopSignal
// to its group, then SIGKILL after StopTimeout unless it has ended (see
// beginStop). It does not wait, so the run's own goroutines may use it.
func (r *run) terminate() {
	r.beginStop()
}

// wait owns the run from exec to its end. It waits for the exit on a
// shallow stack, so that a thousand idle runs hold a thousand small
// stacks: the end's work (end) has frames ten times as big, and a stack
// that has grown stays grown until a collection shrinks it.
func (r *run) wait() {
	var werr error
	if r.idle != nil {
		// Until the exit, start the pumps whose pipe has something; then
		// every parked one, to read its pipe to the end.
		werr = r.idle.Wait(r.pump)
	} else {
		werr = r.proc.WaitExit()
	}
	r.end(werr)
}

// end ends the run, whose leader has exited (werr nil) or could not be
// waited for.
func (r *run) end(werr error) {
	r.haltLiveness() // its tries fail now: they must not count
	if r.notify != nil {
		r.notify.finish()
	}
	if werr == nil {
		r.sigMu.Lock()
		byItself := !r.stopSignaled && !r.hooks.stopCommanded
		r.sigMu.Unlock()
		r.ran = time.Since(r.started)
		if byItself && r.ran < r.cfg.resetAfter && proc.ExitedCleanly(r.pid) {
			// A quick clean exit that leaves processes running is what a
			// program that daemonizes does: see who is left, before the
			// group is signalled.
			r.left = r.leftBehind()
		}
	}
	if werr == nil {
		// The leader has exited but is not reaped, so its pid, which is
		// the group's id, cannot be reused. What it left in its group (or
		// control group) gets StopSignal and, as under systemd's
		// control-group kill mode, until StopTimeout passes to go.
		r.sigMu.Lock()
		if !r.stopSignaled { // a Stop has sent it already: a second one may mean "hurry" to the program
			r.stopSignaled = true
			_ = r.signalLocked(r.cfg.stopSignal) // none left to signal is what is waited for below
		}
		r.sigMu.Unlock()
		r.awaitRest()
	}
	if r.cgroup != nil {
		// The control group is the run's whatever became of the leader,
		// and no pid is signalled: this needs no r.sigMu, which Signal,
		// a watchdog and the sampler's memory stop take, and holding it
		// through a wait would hold them up.
		r.killCgroup()
	}
	r.awaitStopCommand() // its MAINPID names the leader until the reap
	r.sigMu.Lock()
	if werr == nil { // else the child may be reaped by someone else: its pid is not ours to signal
		r.killRest()
	}
	ws, rerr := r.proc.Reap()
	r.reaped = true
	r.sigMu.Unlock()
	close(r.ended)
	r.stopSampling()
	r.endLiveness()
	if r.probeCancel != nil {
		r.probeCancel()
		// A probe is the user's code: one that does not heed its context
		// must not hold up the end of the run. It finds the run over when
		// it returns.
		timer := time.NewTimer(r.cfg.stopTimeout)
		select {
		case <-r.probeDone:
		case <-timer.C:
			if c := r.cmd; c.logger != nil {
				c.logger.Warn("overseer: the Ready probe did not return when its run ended", "id", c.id, "pid", r.pid)
			}
		}
		timer.Stop()
	}

	// Reaped: the guardian forgets the group. (Before the reap, another
	// run's subreaper could take the exited leader for an adopted orphan.)
	proc.Release(r.pid)
	if g := r.cgroup; g != nil {
		if g.MemoryEnforced() && g.OOMKilled() {
			r.oomErr = fmt.Errorf("%w: %s killed: out of memory (limit %s)", ErrMemoryLimit, r.cmd.name(), formatMiB(uint64(r.cfg.limits.MemoryMax)))
		}
		g.Remove()
	}
	_ = r.osProc.Release()

	// A process outside the group may still hold a pipe: read what is in
	// it, and end the run without waiting for more.
	deadline := time.Now().Add(pipeGrace)
	for _, p := range r.pumpList {
		p.endBy(deadline)
	}
	<-r.drained
	proc.CloseAll(r.pipes...)

	var err error
	if werr != nil || rerr != nil {
		err = fmt.Errorf("overseer: wait for %s (pid %d): %w", r.cmd.name(), r.pid, errors.Join(werr, rerr))
	}
	r.endHooks(ws, werr == nil && rerr == nil) // the StopCommand over, the PostStop commands run
	r.cmd.runEnded(r, ws, err)
}

// stop makes the run end. The first caller sends StopSignal to the group
// and SIGKILL after StopTimeout (see terminate); every caller waits for
// the end.
func (r *run) stop(first bool) {
	if first {
		r.terminate()
	}
	<-r.done
}

// signal sends sig to the run's processes (see signalLocked), unless the
// run is over.
func (r *run) signal(sig syscall.Signal) error {
	r.sigMu.Lock()
	defer r.sigMu.Unlock()
	if r.reaped {
		return os.ErrProcessDone
	}
	err := r.signalLocked(sig)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// signalLocked sends sig to the run's processes: every process of its
// control group (SIGKILL by cgroup.kill), or its process group. r.sigMu
// is held, and the leader is not reaped.
func (r *run) signalLocked(sig syscall.Signal) error {
	switch {
	case r.cgroup == nil:
		return proc.SignalGroup(r.pid, sig)
	case sig == syscall.SIGKILL:
		return r.cgroup.Kill()
	default:
		return r.cgroup.Signal(sig)
	}
}

// signalMain sends sig to the run's main process alone: main (its
// MAINPID=) while that is a member of the run's group, else the leader.
// It returns the pid it sent it to. cmd.mu is not held.
func (r *run) signalMain(main int, sig syscall.Signal) (int, error) {
	r.sigMu.Lock()
	defer r.sigMu.Unlock()
	if r.reaped {
		return 0, os.ErrProcessDone
	}
	if main != 0 && main != r.pid {
		if err := proc.SignalMember(main, r.pid, sig); err == nil {
			return main, nil
		}
		// Gone, or no longer of the group (its pid may be another
		// process's now): the leader stands for the run.
	}
	err := proc.SignalMember(r.pid, r.pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return 0, os.ErrProcessDone
	}
	return r.pid, err
}
