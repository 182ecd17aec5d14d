//go:build !unix

package overseer

import (
	"errors"
	"os"
	"syscall"
)

// Process groups, group signals and the exit handling this package builds
// on are Unix facilities: elsewhere the package compiles, and Start reports
// errors.ErrUnsupported.

const maxSignal = 64

type process struct{ pid int }

func sysProcAttr(pidfd *int, _ bool) *syscall.SysProcAttr { *pidfd = -1; return nil }

func openPTY() (reads, ends []*os.File, err error) { return nil, nil, errors.ErrUnsupported }

func newProcess(pid, _ int) *process { return &process{pid: pid} }

func (p *process) waitExit() error { return errors.ErrUnsupported }

func (p *process) reap() (syscall.WaitStatus, error) {
	var ws syscall.WaitStatus
	return ws, errors.ErrUnsupported
}

func signalGroup(int, syscall.Signal) error { return errors.ErrUnsupported }

func signalMember(int, int, syscall.Signal) error { return errors.ErrUnsupported }

func readRetry(int, []byte) (int, error) { return 0, errors.ErrUnsupported }

func platformSupported() error { return errors.ErrUnsupported }

// host is the process-wide state of Unix systems: none here.
type host struct{}

var theHost host

func (host) lifelineFile() (*os.File, error) { return nil, errors.ErrUnsupported }
func (host) expect(string, []*os.File) error { return errors.ErrUnsupported }
func (host) abandoned(string)                {}
func (host) watch(int, string) error         { return errors.ErrUnsupported }
func (host) release(int)                     {}

// signalNum knows the signals the syscall package names everywhere.
func signalNum(name string) syscall.Signal {
	switch name {
	case "SIGHUP":
		return syscall.SIGHUP
	case "SIGINT":
		return syscall.SIGINT
	case "SIGKILL":
		return syscall.SIGKILL
	case "SIGTERM":
		return syscall.SIGTERM
	}
	return 0
}
