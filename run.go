package overseer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

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
	proc     *process
	pipes    []*os.File // read ends: of stdout and stderr, or of the terminal
	pumpList []*pump
	pumps    atomic.Int32  // pumps still reading
	drained  chan struct{} // closed when both pumps have returned
	done     chan struct{}

	stopRequested bool // guarded by cmd.mu

	sigMu        sync.Mutex // orders signals before the reap, so none reaches a reused pid
	reaped       bool
	stopSignaled bool // StopSignal has gone to the group; guarded by sigMu

	token string // marks the run's descendants (OVERSEER_RUN), "" where unsupported

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
}

// startRun executes the program of cfg in a new process group, with its
// output going to two pipes (or one terminal), and returns the run, not yet
// begun, which closes done when it has ended. c.mu is held; the Cmd's
// sockets, if cfg has Listeners, are open.
func (c *Cmd) startRun(cfg *runConfig, done chan struct{}) (*run, error) {
	fail := func(err error) (*run, error) {
		return nil, fmt.Errorf("overseer: start %q: %w", cfg.args[0], err)
	}
	if err := platformSupported(); err != nil {
		return fail(err)
	}
	if err := checkProgram(cfg); err != nil {
		return fail(err)
	}
	var notify *notifySocket
	if cfg.notify {
		var err error
		if notify, err = openNotifySocket(); err != nil {
			return fail(err)
		}
	}
	open := openPipes
	if cfg.pty {
		open = openPTY
	}
	pipes, ends, err := open()
	if err != nil {
		notify.close()
		return fail(err)
	}
	lifeline, err := theHost.lifelineFile()
	if err != nil {
		notify.close()
		closeAll(pipes...)
		closeAll(ends...)
		return fail(err)
	}
	abandon := func(err error) (*run, error) {
		notify.close()
		closeAll(pipes...)
		closeAll(ends...)
		closeAll(lifeline)
		return fail(err)
	}
	var pidfd int
	ec := exec.Command(cfg.args[0], cfg.args[1:]...)
	ec.Dir = cfg.dir
	program := ec.Path // found in PATH; the wrapper may take its place
	ec.Env = append(slices.Clip(cfg.env), stopSignalEnv+"="+strconv.Itoa(int(cfg.stopSignal)))
	// The listening sockets and the lifeline, as sockets.Layout says.
	var socks *sockets.Set
	if len(cfg.listeners) > 0 {
		socks = c.socks
	}
	layout := socks.Layout(c.id)
	ec.ExtraFiles = layout.ExtraFiles(socks.Files(), lifeline)
	ec.Env = append(ec.Env, layout.Env()...)
	if notify != nil {
		ec.Env = append(ec.Env, notify.sock.Env())
	}
	if cfg.watchdog > 0 {
		ec.Env = append(ec.Env, "WATCHDOG_USEC="+strconv.FormatInt(cfg.watchdog.Microseconds(), 10))
	}
	if layout.Listeners() > 0 || cfg.watchdog > 0 {
		// LISTEN_PID and WATCHDOG_PID must be the child's own pid: the
		// exec wrapper sets them (see execwrap_unix.go).
		if ec.Err == nil {
			// What exec would refuse, the wrapper could only report as an
			// exit status: check it here, so that Start fails with it.
			if err := checkExecutable(absIn(cfg.dir, ec.Path)); err != nil {
				return abandon(err)
			}
			exe, err := executable()
			if err != nil {
				return abandon(fmt.Errorf("the exec wrapper for LISTEN_PID: %w", err))
			}
			ec.Env = append(ec.Env, execEnv+"="+ec.Path)
			ec.Path = exe
		}
	}
	// Every descendant carries the run's mark, so that what leaves the
	// group can still be found: by the subreaper, and to tell a program
	// that went to the background.
	token := newRunToken()
	if token != "" {
		ec.Env = append(ec.Env, runTokenEnv+"="+token)
	}
	if cfg.pty {
		// The terminal is the child's standard input and output and its
		// controlling terminal, in a session of its own (whose id is also
		// its process group's).
		ec.Stdin, ec.Stdout, ec.Stderr = ends[0], ends[0], ends[0]
	} else {
		ec.Stdout, ec.Stderr = ends[0], ends[1]
	}
	ec.SysProcAttr = sysProcAttr(&pidfd, cfg.pty)
	// The guardian hears of the start before the fork, so that a host
	// killed before it learns the group's id leaves nothing behind either.
	unguarded := theHost.expect(token, pipes)
	if c.beforeExec != nil {
		c.beforeExec() // a test's stand-in for an exec that hangs
	}
	err = ec.Start()
	closeAll(ends...) // the child has its own copies; EOF comes when it and its group close them
	closeAll(lifeline)
	if err != nil {
		theHost.abandoned(token)
		notify.close()
		closeAll(pipes...)
		return fail(err)
	}
	c.program = absIn(cfg.dir, program)
	if err := theHost.watch(ec.Process.Pid, token); err != nil {
		unguarded = err
	}
	if unguarded != nil && c.logger != nil {
		c.logger.Warn("overseer: the process group is not guarded against the death of the host",
			"id", c.id, "pid", ec.Process.Pid, "err", unguarded)
	}
	r := &run{
		cmd:      c,
		cfg:      cfg,
		pid:      ec.Process.Pid,
		started:  time.Now(),
		osProc:   ec.Process,
		proc:     newProcess(ec.Process.Pid, pidfd),
		pipes:    pipes,
		done:     done,
		drained:  make(chan struct{}),
		ended:    make(chan struct{}),
		decided:  make(chan struct{}),
		token:    token,
		firstSeq: c.out.lastSeq(),
		notify:   notify,
	}
	return r, nil
}

// begin starts the goroutines of the run: a pump for each stream, and wait,
// which owns them.
func (r *run) begin() {
	c := r.cmd
	r.pumps.Store(int32(len(r.pipes)))
	r.pumpList = make([]*pump, len(r.pipes))
	for i, s := range []Stream{StreamStdout, StreamStderr}[:len(r.pipes)] {
		raw := r.cfg.stdout
		if s == StreamStderr {
			raw = r.cfg.stderr
		}
		p := newPump(c.id, r.pid, s, r.pipes[i], raw, &c.out, r.cfg.maxLineBytes, c.logger)
		r.pumpList[i] = p
		go func() {
			p.run()
			if r.pumps.Add(-1) == 0 {
				close(r.drained)
			}
		}()
	}
	if r.notify != nil {
		go r.readNotify()
	}
	if r.cfg.ready != nil {
		ctx, cancel := context.WithTimeout(context.Background(), r.cfg.readyTimeout)
		r.probeCancel, r.probeDone = cancel, make(chan struct{})
		go r.probe(ctx)
	}
	go r.wait()
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

// terminate ends the run: StopSignal to its group, then SIGKILL after
// StopTimeout unless it has ended. It does not wait for the end of the
// run, only for the leader's reaping, so the run's own goroutines may use it.
func (r *run) terminate() {
	r.sigMu.Lock()
	r.stopSignaled = true
	r.sigMu.Unlock()
	_ = r.signal(r.cfg.stopSignal)
	timer := time.NewTimer(r.cfg.stopTimeout)
	defer timer.Stop()
	select {
	case <-r.ended:
	case <-timer.C:
		_ = r.signal(syscall.SIGKILL)
	}
}

// wait owns the run from exec to its end.
func (r *run) wait() {
	werr := r.proc.waitExit()
	if r.notify != nil {
		r.notify.finish()
	}
	if werr == nil {
		r.sigMu.Lock()
		byItself := !r.stopSignaled
		r.sigMu.Unlock()
		r.ran = time.Since(r.started)
		if byItself && r.ran < r.cfg.resetAfter && exitedCleanly(r.pid) {
			// A quick clean exit that leaves processes running is what a
			// program that daemonizes does: see who is left, before the
			// group is signalled.
			r.left = leftBehind(newRunTrace(r.token, r.pipes), r.pid, maxLeftShown, r.cmd.subreaper)
		}
	}
	if werr == nil {
		// The leader has exited but is not reaped, so its pid, which is
		// the group's id, cannot be reused. What it left in its group gets
		// StopSignal and, as under systemd's control-group kill mode, until
		// the output pipes close or StopTimeout passes to go.
		r.sigMu.Lock()
		if !r.stopSignaled { // a Stop has sent it already: a second one may mean "hurry" to the program
			r.stopSignaled = true
			_ = signalGroup(r.pid, r.cfg.stopSignal)
		}
		r.sigMu.Unlock()
		timer := time.NewTimer(r.cfg.stopTimeout)
		select {
		case <-r.drained:
		case <-timer.C:
		}
		timer.Stop()
	}
	r.sigMu.Lock()
	if werr == nil { // else the child may be reaped by someone else: its pid is not ours to signal
		_ = signalGroup(r.pid, syscall.SIGKILL)
		if c := r.cmd; c.subreaper && r.token != "" {
			endDescendants(r.token, r.pid)
		}
	}
	ws, rerr := r.proc.reap()
	r.reaped = true
	r.sigMu.Unlock()
	close(r.ended)
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
	theHost.release(r.pid)
	_ = r.osProc.Release()

	// A process outside the group may still hold a pipe: read what is in
	// it, and end the run without waiting for more.
	deadline := time.Now().Add(pipeGrace)
	for _, p := range r.pumpList {
		p.endBy(deadline)
	}
	<-r.drained
	closeAll(r.pipes...)

	var err error
	if werr != nil || rerr != nil {
		err = fmt.Errorf("overseer: wait for %s (pid %d): %w", r.cmd.name(), r.pid, errors.Join(werr, rerr))
	}
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

// signal sends sig to the run's process group, unless the run is over.
func (r *run) signal(sig syscall.Signal) error {
	r.sigMu.Lock()
	defer r.sigMu.Unlock()
	if r.reaped {
		return os.ErrProcessDone
	}
	err := signalGroup(r.pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
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
		if err := signalMember(main, r.pid, sig); err == nil {
			return main, nil
		}
		// Gone, or no longer of the group (its pid may be another
		// process's now): the leader stands for the run.
	}
	err := signalMember(r.pid, r.pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return 0, os.ErrProcessDone
	}
	return r.pid, err
}

// runEnded records how run r ended and moves the Cmd to its next state:
// interrupted after Stop, else what the supervision's policy decides, else
// finished (interrupted when a signal ended the run).
func (c *Cmd) runEnded(r *run, ws syscall.WaitStatus, err error) {
	c.mu.Lock()
	defer c.unlock()
	if c.run != r {
		// The other run of a rolling restart: the old one, retired, or a
		// new one that never took over. The Cmd's state is not theirs.
		if c.next == r {
			c.next = nil
		}
		close(r.done)
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
	case r.readyErr != nil && !r.stopRequested:
		c.err, failed, next = r.readyErr, true, StateFatal
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
	c.detachIfDone()
	c.releaseSocketsIfDoneLocked()
	c.snapshotLocked() // before done: a waiter sees the end
	close(r.done)
}

// daemonizedWarning is Event.Warning for run r, whose leader exited 0
// after r.ran and left the processes r.left running.
func daemonizedWarning(r *run) string {
	pids := make([]string, len(r.left))
	for i, pid := range r.left {
		pids[i] = strconv.Itoa(pid)
	}
	return fmt.Sprintf("exited 0 after %v and left processes running (pid %s): it seems to have gone to the background. "+
		"Keep it in the foreground (nginx: daemon off; redis-server: --daemonize no; supervisord, php-fpm: --nodaemon; "+
		"many programs: -f or --foreground): what it leaves in its process group is stopped with it, and what leaves the group is out of reach",
		r.ran.Round(time.Millisecond), strings.Join(pids, ", "))
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

// checkProgram finds the errors that exec would report without naming
// what is wrong: a working directory that is missing or not a directory,
// and a program path that is a directory.
func checkProgram(cfg *runConfig) error {
	if cfg.dir != "" {
		fi, err := os.Stat(cfg.dir)
		if err != nil {
			return fmt.Errorf("working directory: %w", err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("working directory: %w", &fs.PathError{Op: "chdir", Path: cfg.dir, Err: syscall.ENOTDIR})
		}
	}
	prog := cfg.args[0]
	if !strings.Contains(prog, "/") {
		return nil // exec's PATH lookup names the program in its errors
	}
	if !filepath.IsAbs(prog) && cfg.dir != "" {
		prog = filepath.Join(cfg.dir, prog)
	}
	if fi, err := os.Stat(prog); err == nil && fi.IsDir() {
		return &fs.PathError{Op: "exec", Path: cfg.args[0], Err: syscall.EISDIR}
	}
	return nil
}

// checkExecutable returns the error exec would give for a program file that
// is missing, not a regular file, or not executable.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &fs.PathError{Op: "exec", Path: path, Err: syscall.EACCES}
	}
	if err := canExecute(path); err != nil {
		return &fs.PathError{Op: "exec", Path: path, Err: err}
	}
	return nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			_ = f.Close()
		}
	}
}

// openPipes makes the pipes of stdout and stderr: the read ends for the
// pumps, the write ends for the child.
func openPipes() (reads, ends []*os.File, err error) {
	for range 2 {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(reads...)
			closeAll(ends...)
			return nil, nil, err
		}
		reads, ends = append(reads, r), append(ends, w)
	}
	return reads, ends, nil
}
