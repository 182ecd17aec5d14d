//go:build !unix

package proc

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// Process groups, group signals and the exit handling this package is made
// of are Unix facilities. Off Unix (Windows, wasip1) the package compiles
// so that a program importing it builds everywhere, and Supported reports
// errors.ErrUnsupported, which a caller checks before it reaches any of
// these stubs: every stub the package needs off Unix is in this file, so
// that it shows at a glance what such a platform lacks, but for those of
// what only Linux has, which other Unixes lack too (the x_nolinux.go
// files: control groups and usage).

// errUnsupported is what the stubs return, in case one is reached.
var errUnsupported = errors.ErrUnsupported

// Supported returns errors.ErrUnsupported: no process can be run here.
func Supported() error { return errUnsupported }

// The process (proc_linux.go, proc_unix.go).

// MaxSignal is the largest signal number a caller accepts.
const MaxSignal = 64

// SignalName returns the number of sig: there are no names here.
func SignalName(sig syscall.Signal) string { return strconv.Itoa(int(sig)) }

// Process is the handle of a child, which cannot be started here.
type Process struct{ pid int }

// sysProcAttr returns nil.
func sysProcAttr(pidfd *int, _ bool) *syscall.SysProcAttr { *pidfd = -1; return nil }

// newProcess returns a handle that can neither wait nor reap.
func newProcess(pid, _ int) *Process { return &Process{pid: pid} }

// WaitExit returns errors.ErrUnsupported.
func (p *Process) WaitExit() error { return errUnsupported }

// Reap returns errors.ErrUnsupported.
func (p *Process) Reap() (syscall.WaitStatus, error) {
	var ws syscall.WaitStatus
	return ws, errUnsupported
}

// OpenPTY returns errors.ErrUnsupported.
func OpenPTY() (reads, ends []*os.File, err error) { return nil, nil, errUnsupported }

// Signals, reading and access (sys_unix.go).

// SignalGroup returns errors.ErrUnsupported.
func SignalGroup(int, syscall.Signal) error { return errUnsupported }

// SignalMember returns errors.ErrUnsupported.
func SignalMember(int, int, syscall.Signal) error { return errUnsupported }

// ReadRetry returns errors.ErrUnsupported.
func ReadRetry(int, []byte) (int, error) { return 0, errUnsupported }

func canExecute(string) error { return errUnsupported }

// JobControl reports false.
func JobControl(syscall.Signal) bool { return false }

// SignalNum knows the signals the syscall package names everywhere.
func SignalNum(name string) syscall.Signal {
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

// The guardian and the lifeline (guardian_host_unix.go, lifeline_unix.go).

// lifeline returns errors.ErrUnsupported.
func lifeline() (*os.File, error) { return nil, errUnsupported }

// expect returns errors.ErrUnsupported.
func expect(string, []*os.File) error { return errUnsupported }

// abandoned does nothing.
func abandoned(string) {}

// watchGroup returns errors.ErrUnsupported.
func watchGroup(int, string) error { return errUnsupported }

// Release does nothing.
func Release(int) {}

// executable returns errors.ErrUnsupported.
func executable() (string, error) { return "", errUnsupported }

// What a run leaves behind (daemon_linux.go, subreaper_linux.go).

// ExitedCleanly reports false.
func ExitedCleanly(int) bool { return false }

// RunTrace is empty.
type RunTrace struct{}

// NewRunTrace returns the empty trace.
func NewRunTrace(string, []*os.File) RunTrace { return RunTrace{} }

// LeftBehind finds nothing.
func LeftBehind(RunTrace, int, int, bool) []int { return nil }

// BecomeSubreaper returns errors.ErrUnsupported.
func BecomeSubreaper() error { return errUnsupported }

// newRunToken returns "".
func newRunToken() string { return "" }

// EndDescendants does nothing.
func EndDescendants(string, int) {}

// IdleWatch is Linux's watch of a child's exit and idle pipes.
type IdleWatch struct{}

// WatchIdle returns nil.
func (p *Process) WatchIdle([]*os.File) *IdleWatch { return nil }

// Park returns false.
func (*IdleWatch) Park(int) bool { return false }

// Wait returns errUnsupported.
func (*IdleWatch) Wait(func(int)) error { return errUnsupported }

// The exec wrapper's Setup (execwrap_unix.go, rlimit_linux.go).

// Rlimit returns errors.ErrUnsupported.
func Rlimit(string) (int, error) { return 0, errUnsupported }

// setCredential does nothing: no child runs here.
func setCredential(*syscall.SysProcAttr, *Cred) {}
