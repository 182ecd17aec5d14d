//go:build unix

package proc

import (
	"errors"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// MaxSignal is the largest signal number a Cmd accepts (Linux's SIGRTMAX;
// the kernel rejects what it does not know with EINVAL).
const MaxSignal = 64

// SignalName returns the name of sig without its SIG prefix, as systemd
// writes it in EXIT_STATUS ("TERM"), or its number when it has none.
func SignalName(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return strings.TrimPrefix(name, "SIG")
	}
	return strconv.Itoa(int(sig))
}

// SignalGroup sends sig to every process in the process group pgid.
func SignalGroup(pgid int, sig syscall.Signal) error {
	return syscall.Kill(-pgid, sig)
}

// SignalMember sends sig to process pid if it is a live member of process
// group pgid, and returns ESRCH if it is not (any more).
func SignalMember(pid, pgid int, sig syscall.Signal) error {
	if pid != pgid {
		member, err := liveMember(pid, pgid)
		if err != nil {
			return err
		}
		if !member {
			return syscall.ESRCH
		}
	}
	return syscall.Kill(pid, sig)
}

// ReadRetry is read(2) retried on EINTR.
func ReadRetry(fd int, buf []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, buf)
		if !errors.Is(err, syscall.EINTR) {
			return max(n, 0), err
		}
	}
}

// reap collects the exit status of pid, which has exited.
func reap(pid int) (syscall.WaitStatus, error) {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if !errors.Is(err, syscall.EINTR) {
			return ws, err
		}
	}
}

// Supported returns nil: processes can be run here.
func Supported() error { return nil }

// SignalNum returns the signal named name ("SIGTERM"), or 0 for none.
func SignalNum(name string) syscall.Signal { return unix.SignalNum(name) }

// JobControl reports whether sig suspends or resumes a process (the
// signals of job control, which reach the whole group).
func JobControl(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGSTOP, syscall.SIGTSTP, syscall.SIGCONT, syscall.SIGTTIN, syscall.SIGTTOU:
		return true
	}
	return false
}

// canExecute returns the error of access(2) for the program file at path,
// as exec would find it: nil if this user may execute it.
func canExecute(path string) error { return unix.Access(path, unix.X_OK) }
