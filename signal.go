package overseer

import (
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/overseer-go/overseer/internal/proc"
)

// ParseSignal returns the signal of a name such as "SIGTERM", in any case,
// with or without "SIG" ("term", "HUP"). Numbers are refused, since they
// differ between systems. The error wraps ErrInvalid.
func ParseSignal(name string) (syscall.Signal, error) {
	s := strings.ToUpper(strings.TrimSpace(name))
	switch {
	case s == "":
		return 0, fmt.Errorf("%w: no signal name (such as TERM, HUP, INT, KILL, USR1)", ErrInvalid)
	case strings.Trim(s, "+-0123456789") == "":
		return 0, fmt.Errorf("%w: signal %q: give a name such as TERM, not a number", ErrInvalid, name)
	}
	if !strings.HasPrefix(s, "SIG") {
		s = "SIG" + s
	}
	if sig := proc.SignalNum(s); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("%w: %q is not a signal name (such as TERM, HUP, INT, KILL, USR1)", ErrInvalid, name)
}

// SignalMain sends sig to the main process of the current run alone, not
// to its process group: the process the run named with MAINPID= (see
// Cmd.Notify) while it is a member of the run's group, else the run's
// first process. It is how a reload signal reaches a server that handles
// it in one process while its workers keep the signal's default action, as
// systemd's "kill -HUP $MAINPID" does: gunicorn's arbiter reloads on
// SIGHUP, and its workers would die of it. Errors are as for Signal.
func (c *Cmd) SignalMain(sig syscall.Signal) error {
	_, err := c.signalMain(sig)
	return err
}

// signalMain is SignalMain, returning the pid it sent sig to.
func (c *Cmd) signalMain(sig syscall.Signal) (int, error) {
	if !validSignal(sig) {
		return 0, fmt.Errorf("%w: signal %s: %d is not a signal number (1-%d)", ErrInvalid, c.name(), int(sig), proc.MaxSignal)
	}
	c.mu.Lock()
	r := c.run
	var main int
	if r != nil {
		main = r.mainPID
	}
	c.unlock()
	if r == nil {
		return 0, fmt.Errorf("overseer: signal %s: %w", c.name(), os.ErrProcessDone)
	}
	pid, err := r.signalMain(main, sig)
	if err != nil {
		return 0, fmt.Errorf("overseer: signal %s: %w", c.name(), err)
	}
	return pid, nil
}

// Reached says where Forward sent a signal.
type Reached struct {
	// Group is true when the signal went to the whole process group of
	// the run, false when it went to its main process alone.
	Group bool
	// PID is the process group's id (its first process's pid), or the pid
	// of the main process.
	PID int
}

// Forward passes sig on to the current run the way a supervisor passes on
// a signal it was sent, and says where it went: a signal that ends a
// process (SIGTERM, SIGINT, SIGQUIT, SIGKILL, SIGABRT, or the Cmd's
// StopSignal) or suspends and resumes one (SIGSTOP, SIGTSTP, SIGCONT,
// SIGTTIN, SIGTTOU) goes to the whole process group, as Signal sends it;
// any other (SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM, …), which programs
// take as "reload", "reopen your logs" or "resize", goes to the main
// process alone, as SignalMain sends it. Errors are as for Signal.
func (c *Cmd) Forward(sig syscall.Signal) (Reached, error) {
	c.mu.Lock()
	var stopSignal syscall.Signal // no run: Signal says so
	var pid int
	if c.run != nil {
		stopSignal, pid = c.run.cfg.stopSignal, c.run.pid
	}
	c.unlock()
	if ReachesGroup(sig) || sig == stopSignal {
		return Reached{Group: true, PID: pid}, c.Signal(sig)
	}
	pid, err := c.signalMain(sig)
	return Reached{PID: pid}, err
}

// ReachesGroup reports whether Forward sends sig to the whole process
// group (a signal that ends, suspends or resumes a process) rather than to
// the main process alone. A Cmd's StopSignal reaches the group too.
func ReachesGroup(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGKILL, syscall.SIGABRT:
		return true
	}
	return proc.JobControl(sig)
}

// SignalMain sends sig to the main process of process id alone (see
// Cmd.SignalMain).
func (o *Overseer) SignalMain(id string, sig syscall.Signal) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	return c.SignalMain(sig)
}

// Forward passes sig on to process id as a supervisor does, and says where
// it went: to its group for a signal that ends, suspends or resumes a
// process, to its main process alone for the others (see Cmd.Forward).
func (o *Overseer) Forward(id string, sig syscall.Signal) (Reached, error) {
	c, err := o.Cmd(id)
	if err != nil {
		return Reached{}, err
	}
	return c.Forward(sig)
}
