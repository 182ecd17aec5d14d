//go:build unix && !linux

package proc

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Process is the host's handle on one started child.
//
// Outside Linux there is no pollable process handle that the Go runtime
// watches, so waitExit holds an OS thread in wait4 until the child exits,
// as os/exec does; it reaps the child at the same time, so the group is
// killed just after the reap rather than just before.
type Process struct {
	pid    int
	status syscall.WaitStatus
	err    error
}

// sysProcAttr puts the child in a process group of its own.
func sysProcAttr(pidfd *int, pty bool) *syscall.SysProcAttr {
	*pidfd = -1
	if pty {
		return &syscall.SysProcAttr{Setsid: true, Setctty: true}
	}
	return &syscall.SysProcAttr{Setpgid: true}
}

// newProcess returns the handle of the started child pid.
func newProcess(pid, _ int) *Process { return &Process{pid: pid} }

// WaitExit returns once the child has exited, reaping it.
func (p *Process) WaitExit() error {
	p.status, p.err = reap(p.pid)
	return p.err
}

// Reap returns the exit status WaitExit collected.
func (p *Process) Reap() (syscall.WaitStatus, error) { return p.status, p.err }

// liveMember reports whether process pid is a member of process group pgid.
// A zombie counts: telling one apart takes a look this platform does not
// offer without cgo.
func liveMember(pid, pgid int) (bool, error) {
	g, err := unix.Getpgid(pid)
	if err != nil {
		return false, err
	}
	return g == pgid, nil
}

// IdleWatch is Linux's watch of a child's exit and idle pipes; there is
// none here (see WatchIdle).
type IdleWatch struct{}

// WatchIdle returns nil: without a pidfd, the exit holds a thread of its
// own, and each pipe a goroutine.
func (p *Process) WatchIdle([]*os.File) *IdleWatch { return nil }

// Park is never called: there is no watch.
func (*IdleWatch) Park(int) bool { return false }

// Wait is never called: there is no watch.
func (*IdleWatch) Wait(func(int)) error { return errors.ErrUnsupported }
