package overseer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// pipeGrace bounds how long the end of a run waits for the output pipes to
// close once the process group is gone. A process that left the group (by
// setsid, say) can hold a pipe open for ever; what it has already written is
// still read, then the run ends without waiting for more — as os/exec's
// WaitDelay does.
const pipeGrace = time.Second

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

	token string // marks the run's descendants under WithSubreaper, else ""

	firstSeq uint64        // the Seq of the output before the run's first line
	notify   *notifySocket // nil unless cfg.notify
}

// startRun executes the program of cfg in a new process group, with its
// output going to two pipes (or one terminal), and returns the run, not yet
// begun. c.mu is held.
func (c *Cmd) startRun(cfg *runConfig) (*run, error) {
	if err := platformSupported(); err != nil {
		return nil, fmt.Errorf("overseer: start %q: %w", cfg.args[0], err)
	}
	if err := checkProgram(cfg); err != nil {
		return nil, fmt.Errorf("overseer: start %q: %w", cfg.args[0], err)
	}
	open := openPipes
	if cfg.pty {
		open = openPTY
	}
	pipes, ends, err := open()
	if err != nil {
		return nil, fmt.Errorf("overseer: start %q: %w", cfg.args[0], err)
	}
	lifeline, err := theHost.lifelineFile()
	if err != nil {
		closeAll(pipes...)
		closeAll(ends...)
		return nil, fmt.Errorf("overseer: start %q: %w", cfg.args[0], err)
	}
	var pidfd int
	ec := exec.Command(cfg.args[0], cfg.args[1:]...)
	ec.Dir = cfg.dir
	// The lifeline is the first fd after the standard three: fd 3, as
	// long as no listening sockets are passed (they would come first, as
	// systemd orders them).
	ec.ExtraFiles = []*os.File{lifeline}
	ec.Env = append(slices.Clip(cfg.env), lifelineEnv+"=3")
	var token string
	if c.subreaper {
		token = newRunToken()
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
	err = ec.Start()
	closeAll(ends...) // the child has its own copies; EOF comes when it and its group close them
	closeAll(lifeline)
	if err != nil {
		closeAll(pipes...)
		return nil, fmt.Errorf("overseer: start %q: %w", cfg.args[0], err)
	}
	if err := theHost.watch(ec.Process.Pid); err != nil && c.logger != nil {
		c.logger.Warn("overseer: the process group is not guarded against the death of the host",
			"id", c.id, "pid", ec.Process.Pid, "err", err)
	}
	r := &run{
		cmd:     c,
		cfg:     cfg,
		pid:     ec.Process.Pid,
		started: time.Now(),
		osProc:  ec.Process,
		proc:    newProcess(ec.Process.Pid, pidfd),
		pipes:   pipes,
		done:    c.done,
		drained: make(chan struct{}),
		token:   token,
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
	go r.wait()
}

// wait owns the run from exec to its end.
func (r *run) wait() {
	werr := r.proc.waitExit()
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
		if r.token != "" {
			endDescendants(r.token, r.pid)
		}
	}
	ws, rerr := r.proc.reap()
	r.reaped = true
	r.sigMu.Unlock()
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
// and SIGKILL after StopTimeout; every caller waits for the end.
func (r *run) stop(first bool) {
	if first {
		r.sigMu.Lock()
		r.stopSignaled = true
		r.sigMu.Unlock()
		_ = r.signal(r.cfg.stopSignal)
		timer := time.NewTimer(r.cfg.stopTimeout)
		select {
		case <-r.done:
			timer.Stop()
			return
		case <-timer.C:
		}
		_ = r.signal(syscall.SIGKILL)
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

// runEnded records how run r ended and moves the Cmd to its next state:
// interrupted after Stop, else what the supervision's policy decides, else
// finished (interrupted when a signal ended the run).
func (c *Cmd) runEnded(r *run, ws syscall.WaitStatus, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.run = nil
	c.stopTime = time.Now()
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
	switch {
	case r.stopRequested:
		next = StateInterrupted
	case c.sup != nil && !c.sup.stopped:
		failed := err != nil || signaled || !r.cfg.success(c.exit)
		next = c.sup.afterRun(c, r.cfg, failed, c.stopTime.Sub(c.startTime), next)
	}
	c.setState(next)
	c.detachIfDone()
	close(r.done)
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
