//go:build !unix

package overseer

import (
	"errors"
	"os"
	"syscall"
)

// Process groups, group signals and the exit handling this package builds
// on are Unix facilities. Off Unix (Windows, wasip1) the
// package compiles so that a program importing it builds everywhere, and
// Start reports errors.ErrUnsupported before it reaches any of these stubs:
// every stub the package needs off Unix is in this file, so that it shows
// at a glance what such a platform lacks.

// errUnsupported is what the stubs return, in case one is reached.
var errUnsupported = errors.ErrUnsupported

func platformSupported() error { return errUnsupported }

// The process (proc_linux.go, proc_unix.go).

const maxSignal = 64

type process struct{ pid int }

func sysProcAttr(pidfd *int, _ bool) *syscall.SysProcAttr { *pidfd = -1; return nil }

func newProcess(pid, _ int) *process { return &process{pid: pid} }

func (p *process) waitExit() error { return errUnsupported }

func (p *process) reap() (syscall.WaitStatus, error) {
	var ws syscall.WaitStatus
	return ws, errUnsupported
}

func openPTY() (reads, ends []*os.File, err error) { return nil, nil, errUnsupported }

// Signals, reading and access (sys_unix.go).

func signalGroup(int, syscall.Signal) error { return errUnsupported }

func signalMember(int, int, syscall.Signal) error { return errUnsupported }

func readRetry(int, []byte) (int, error) { return 0, errUnsupported }

func canExecute(string) error { return errUnsupported }

func jobControl(syscall.Signal) bool { return false }

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

// The guardian and the lifeline (guardian_host_unix.go, lifeline_unix.go).

type host struct{}

var theHost host

func (host) lifelineFile() (*os.File, error) { return nil, errUnsupported }
func (host) expect(string, []*os.File) error { return errUnsupported }
func (host) abandoned(string)                {}
func (host) watch(int, string) error         { return errUnsupported }
func (host) release(int)                     {}

func executable() (string, error) { return "", errUnsupported }

// What a run leaves behind (daemon_linux.go, subreaper_linux.go).

func exitedCleanly(int) bool { return false }

type runTrace struct{}

func newRunTrace(string, []*os.File) runTrace { return runTrace{} }

func leftBehind(runTrace, int, int, bool) []int { return nil }

func pipeNames([]*os.File) []string { return nil }

func becomeSubreaper() error { return errUnsupported }

func newRunToken() string { return "" }

func endDescendants(string, int) {}
