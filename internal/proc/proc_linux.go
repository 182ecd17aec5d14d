package proc

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Process is the host's handle on one started child.
//
// On Linux the exit is learned through a pidfd (CLONE_PIDFD, set up by
// SysProcAttr) that the Go runtime's netpoller watches, so a waiting run
// parks a goroutine, not an OS thread: a thousand children cost a thousand
// parked goroutines and no threads. The exit is seen before the child is
// reaped, which lets the run kill what is left of the process group while
// the group's id cannot yet be reused.
type Process struct {
	pid   int
	pidfd *os.File // nil when the kernel gave no pidfd (before Linux 5.2)
}

// sysProcAttr puts the child in a process group of its own (in a session
// of its own, with its terminal, for a PTY run) and asks the kernel for a
// pidfd of it in *pidfd.
func sysProcAttr(pidfd *int, pty bool) *syscall.SysProcAttr {
	*pidfd = -1
	if pty {
		return &syscall.SysProcAttr{Setsid: true, Setctty: true, PidFD: pidfd}
	}
	return &syscall.SysProcAttr{Setpgid: true, PidFD: pidfd}
}

// newProcess returns the handle of the started child pid, with the pidfd
// sysProcAttr asked for (-1 for none), which it takes over.
func newProcess(pid, pidfd int) *Process {
	p := &Process{pid: pid}
	if pidfd >= 0 {
		// Non-blocking before os.NewFile, so the file is put in the
		// netpoller.
		if err := unix.SetNonblock(pidfd, true); err == nil {
			p.pidfd = os.NewFile(uintptr(pidfd), "pidfd")
		} else {
			_ = unix.Close(pidfd)
		}
	}
	return p
}

// WaitExit returns once the child has exited; it does not reap it.
func (p *Process) WaitExit() error {
	if p.pidfd == nil {
		return p.waitExitBlocking()
	}
	conn, err := p.pidfd.SyscallConn()
	if err != nil {
		return p.waitExitBlocking()
	}
	var werr error
	err = conn.Read(func(fd uintptr) bool {
		var exited bool
		exited, werr = pidfdExited(int(fd))
		return werr != nil || exited
	})
	if err != nil {
		return err
	}
	if errors.Is(werr, unix.EINVAL) {
		// Linux 5.3 has CLONE_PIDFD but not waitid(P_PIDFD), which came
		// with 5.4.
		return p.waitExitBlocking()
	}
	return werr
}

// pidfdExited reports whether the child of pidfd has exited, without
// waiting and without reaping it.
func pidfdExited(pidfd int) (bool, error) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PIDFD, pidfd, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		// With WNOHANG the kernel leaves si_signo zero while the child
		// runs; SIGCHLD says it has exited.
		return err == nil && info.Signo == int32(unix.SIGCHLD), err
	}
}

// waitExitBlocking is the fallback without a pidfd: it holds an OS thread
// in waitid until the child exits.
func (p *Process) waitExitBlocking() error {
	return waitExitBlocking(p.pid)
}

func waitExitBlocking(pid int) error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// Reap collects the exit status of the child, which has exited, and
// releases the pidfd.
func (p *Process) Reap() (syscall.WaitStatus, error) {
	ws, err := reap(p.pid)
	if p.pidfd != nil {
		_ = p.pidfd.Close()
	}
	return ws, err
}

// liveMember reports whether process pid is a member of process group pgid
// and not a zombie (a signal to a zombie reaches nobody, without error).
func liveMember(pid, pgid int) (bool, error) {
	st, ok := ReadStat(pid)
	if !ok {
		return false, syscall.ESRCH
	}
	return st.State != 'Z' && st.State != 'X' && st.PGRP == pgid, nil
}
