//go:build !unix

package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Process groups, group signals and the exit handling this package is made
// of are Unix facilities. Off Unix (Windows, wasip1) the package compiles
// so that a program importing it builds everywhere, and Supported reports
// errors.ErrUnsupported, which a caller checks before it reaches any of
// these stubs: every stub the package needs off Unix is in this file, so
// that it shows at a glance what such a platform lacks.

// errUnsupported is what the stubs return, in case one is reached.
var errUnsupported = errors.ErrUnsupported

// Supported returns errors.ErrUnsupported: no process can be run here.
func Supported() error { return errUnsupported }

// The process (proc_linux.go, proc_unix.go).

// MaxSignal is the largest signal number a caller accepts.
const MaxSignal = 64

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

// Cgroups is where a host makes the control groups of its runs: Linux
// only.
type Cgroups struct{}

// OpenCgroups returns an error wrapping errors.ErrUnsupported.
func OpenCgroups() (*Cgroups, error) {
	return nil, fmt.Errorf("overseer: no control groups: they are Linux's: %w", errors.ErrUnsupported)
}

// Dir returns "".
func (*Cgroups) Dir() string { return "" }

// Controllers returns nil.
func (*Cgroups) Controllers() []string { return nil }

// HasController returns false.
func (*Cgroups) HasController(string) bool { return false }

// Check returns nil: there are no Cgroups to check here.
func (*Cgroups) Check(CgroupLimits) error { return nil }

// New returns an error wrapping errors.ErrUnsupported.
func (*Cgroups) New(string, CgroupLimits) (*Cgroup, error) { return nil, errors.ErrUnsupported }

// Cgroup is the control group of one run: Linux only.
type Cgroup struct{}

// Dir returns "".
func (*Cgroup) Dir() string { return "" }

// MemoryEnforced returns false.
func (*Cgroup) MemoryEnforced() bool { return false }

// Started does nothing.
func (*Cgroup) Started() {}

// Procs returns an error wrapping errors.ErrUnsupported.
func (*Cgroup) Procs() ([]int, error) { return nil, errors.ErrUnsupported }

// Signal returns an error wrapping errors.ErrUnsupported.
func (*Cgroup) Signal(syscall.Signal) error { return errors.ErrUnsupported }

// Kill returns an error wrapping errors.ErrUnsupported.
func (*Cgroup) Kill() error { return errors.ErrUnsupported }

// WaitEmpty returns an error wrapping errors.ErrUnsupported.
func (*Cgroup) WaitEmpty(context.Context) error { return errors.ErrUnsupported }

// OOMKilled returns false.
func (*Cgroup) OOMKilled() bool { return false }

// Remove does nothing.
func (*Cgroup) Remove() {}

// intoCgroup does nothing.
func intoCgroup(*syscall.SysProcAttr, *Cgroup) {}

// What a run uses (usage_linux.go, usage_unix.go).

// GroupSweep reads nothing here.
type GroupSweep struct{}

// Sweep returns errors.ErrUnsupported.
func (*GroupSweep) Sweep([]int, []Usage, bool) error { return errUnsupported }

// Close does nothing.
func (*GroupSweep) Close() {}

// CgroupSweep reads nothing here.
type CgroupSweep struct{}

// Begin does nothing.
func (*CgroupSweep) Begin(string) {}

// Read returns an error wrapping errors.ErrUnsupported.
func (*CgroupSweep) Read(string, bool) (Usage, error) { return Usage{}, errUnsupported }

// End does nothing.
func (*CgroupSweep) End() {}

// Close does nothing.
func (*CgroupSweep) Close() {}

// GroupUsage returns errors.ErrUnsupported.
func GroupUsage(int, bool) (Usage, error) { return Usage{}, errUnsupported }

// CgroupProcs returns errors.ErrUnsupported.
func CgroupProcs(string) ([]int, error) { return nil, errUnsupported }

// CgroupThreads returns errors.ErrUnsupported.
func CgroupThreads(string) (int, error) { return 0, errUnsupported }

// CgroupCPU returns errors.ErrUnsupported.
func CgroupCPU(string) (time.Duration, error) { return 0, errUnsupported }

// CgroupMemory returns errors.ErrUnsupported.
func CgroupMemory(string) (uint64, bool, error) { return 0, false, errUnsupported }

// CgroupUsage returns errors.ErrUnsupported.
func CgroupUsage(string, bool) (Usage, error) { return Usage{}, errUnsupported }

// The exec wrapper's Setup (execwrap_unix.go, rlimit_linux.go).

// Rlimit returns errors.ErrUnsupported.
func Rlimit(string) (int, error) { return 0, errUnsupported }

// setCredential does nothing: no child runs here.
func setCredential(*syscall.SysProcAttr, *Cred) {}
