package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/overseer-go/overseer/internal/sockets"
)

// Spec is what Start runs, and how.
type Spec struct {
	// Args is the program and its arguments; a name without a slash is
	// looked up in PATH, as exec.Command does.
	Args []string
	// Dir is the working directory; "" is the host's.
	Dir string
	// Env is the child's environment, but for the variables Start adds:
	// Layout's (LISTEN_FDS, LISTEN_FDNAMES, OVERSEER_LIFELINE_FD),
	// RunTokenEnv and, with NeedsWrapper, ExecEnv.
	Env []string
	// Layout says which fds the child gets: Listeners from fd 3 on, one
	// per name of the layout, then the lifeline.
	Layout    sockets.Layout
	Listeners []*os.File
	// Stdout and Stderr are the write ends of the output pipes; with PTY,
	// Stdout is the terminal's end, which is also the child's standard
	// input and controlling terminal, and Stderr is unused. The caller
	// closes them once Start has returned, whatever it returned.
	Stdout, Stderr *os.File
	// PTY starts the child in a session of its own with Stdout as its
	// controlling terminal, rather than in a process group of its own.
	PTY bool
	// Pipes are the read ends of the output (or the terminal's master),
	// which the guardian is told of before the fork, so that it can find
	// what a start began if the host dies before Start returns.
	Pipes []*os.File
	// NeedsWrapper runs the program through the exec wrapper (see
	// execwrap_unix.go), which sets LISTEN_PID and WATCHDOG_PID to the
	// child's own pid before it executes the program.
	NeedsWrapper bool
	// Cgroup, if not nil, is the control group the child starts in
	// (clone3's CLONE_INTO_CGROUP), made by Cgroups.New. The caller calls
	// its Started once Start has returned.
	Cgroup *Cgroup
	// Setup is what the child gets before its program's first
	// instruction: limits, niceness, umask, user. All but the user need
	// the exec wrapper, which Start then uses.
	Setup Setup
	// BeforeExec, if not nil, is called just before the fork: a test's
	// stand-in for an exec that hangs.
	BeforeExec func()
}

// Started is a child that Start has started.
type Started struct {
	// PID is the child's pid, and the id of its process group.
	PID int
	// Process is the handle to wait for the child and reap it.
	Process *Process
	// OS is os/exec's handle on the child, to be released once the
	// child is reaped through Process.
	OS *os.Process
	// Token is the run's mark, the value of RunTokenEnv in the
	// environment of the child and of its descendants ("" where
	// unsupported).
	Token string
	// Program is the absolute path of the program that runs (never the
	// exec wrapper's).
	Program string
	// Unguarded is why the process group is not guarded against the death
	// of the host (see expect and Watch); nil if it is. The child runs
	// all the same.
	Unguarded error
}

// Start starts the program of spec in a process group of its own (a
// session, with spec.PTY), with its fds as spec.Layout says, the
// run's mark in its environment, and the guardian told of it before the
// fork and after the start. Once it has started, the caller must wait for
// it through Started.Process, then Release its group.
func Start(spec Spec) (*Started, error) {
	if err := Supported(); err != nil {
		return nil, err
	}
	lifeline, err := lifeline()
	if err != nil {
		return nil, err
	}
	defer CloseAll(lifeline) // the child has its own copy, if it started
	ec := exec.Command(spec.Args[0], spec.Args[1:]...)
	ec.Dir = spec.Dir
	program := ec.Path // found in PATH; the wrapper may take its place
	ec.ExtraFiles = spec.Layout.ExtraFiles(spec.Listeners, lifeline)
	ec.Env = append(slices.Clip(spec.Env), spec.Layout.Env()...)
	wrapped := spec.NeedsWrapper || spec.Setup.wrapped()
	if wrapped && ec.Err == nil {
		// What exec would refuse, the wrapper could only report as an
		// exit status: check it here, so that Start fails with it.
		if err := checkExecutable(AbsIn(spec.Dir, ec.Path)); err != nil {
			return nil, err
		}
		exe, err := executable()
		if err != nil {
			return nil, fmt.Errorf("the exec wrapper: %w", err)
		}
		ec.Env = append(ec.Env, ExecEnv+"="+ec.Path)
		if setup := spec.Setup.encode(); setup != "" {
			ec.Env = append(ec.Env, SetupEnv+"="+setup)
		}
		ec.Path = exe
	}
	// Every descendant carries the run's mark, so that what leaves the
	// group can still be found: by the subreaper, by the guardian, and to
	// tell a program that went to the background.
	token := newRunToken()
	if token != "" {
		ec.Env = append(ec.Env, RunTokenEnv+"="+token)
	}
	if spec.PTY {
		// The terminal is the child's standard input and output and its
		// controlling terminal, in a session of its own (whose id is also
		// its process group's).
		ec.Stdin, ec.Stdout, ec.Stderr = spec.Stdout, spec.Stdout, spec.Stdout
	} else {
		ec.Stdout, ec.Stderr = spec.Stdout, spec.Stderr
	}
	var pidfd int
	ec.SysProcAttr = sysProcAttr(&pidfd, spec.PTY)
	intoCgroup(ec.SysProcAttr, spec.Cgroup)
	if spec.Setup.Cred != nil && !wrapped {
		// The wrapper changes the user itself, after the exec of the
		// host's executable, which the new user may not be allowed to
		// execute.
		setCredential(ec.SysProcAttr, spec.Setup.Cred)
	}
	// The guardian hears of the start before the fork, so that a host
	// killed before it learns the group's id leaves nothing behind either.
	unguarded := expect(token, spec.Pipes)
	if spec.BeforeExec != nil {
		spec.BeforeExec()
	}
	if err := ec.Start(); err != nil {
		abandoned(token)
		return nil, err
	}
	if err := watchGroup(ec.Process.Pid, token); err != nil {
		unguarded = err
	}
	return &Started{
		PID:       ec.Process.Pid,
		Process:   newProcess(ec.Process.Pid, pidfd),
		OS:        ec.Process,
		Token:     token,
		Program:   AbsIn(spec.Dir, program),
		Unguarded: unguarded,
	}, nil
}

// AbsIn returns path, taken in dir when relative, as an absolute path.
func AbsIn(dir, path string) string {
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
