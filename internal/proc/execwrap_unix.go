//go:build unix

package proc

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/overseer-go/overseer/internal/sockets"
)

// The exec wrapper gives a child the variables that must hold its own pid
// — LISTEN_PID for socket activation and WATCHDOG_PID — which os/exec
// cannot set, since the pid is known only after the fork. The run starts
// the host's own executable with ExecEnv naming the real program; this
// package's init recognizes it (as it does the guardian), adds the pid,
// and replaces itself with the program by execve, keeping the pid, the
// fds and the arguments. It needs no shell, so it works in a container
// that has none.

func init() {
	if path, ok := os.LookupEnv(ExecEnv); ok {
		os.Exit(execWrapped(path))
	}
}

// execWrapped replaces the process with the program at path; it returns
// only if it cannot, with the exit status of a shell that could not run a
// program (126, or 127 when there is none).
func execWrapped(path string) int {
	pid := strconv.Itoa(os.Getpid())
	var env []string
	for _, kv := range os.Environ() {
		key, _, _ := strings.Cut(kv, "=")
		switch key {
		case ExecEnv, SetupEnv, sockets.ListenPIDEnv, "WATCHDOG_PID":
			continue
		case sockets.ListenFDsEnv:
			env = append(env, sockets.ListenPIDEnv+"="+pid)
		case "WATCHDOG_USEC":
			env = append(env, "WATCHDOG_PID="+pid)
		}
		env = append(env, kv)
	}
	// Nice applies to the calling thread on Linux, which must be the one
	// that executes the program. (init runs locked to the main thread;
	// this says so.)
	runtime.LockOSThread()
	setup, err := decodeSetup(os.Getenv(SetupEnv))
	if err == nil {
		err = setup.apply()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "overseer: exec %s: %v\n", path, err)
		return 126
	}
	err = syscall.Exec(path, os.Args, env)
	fmt.Fprintf(os.Stderr, "overseer: exec %s: %v\n", path, err)
	if errors.Is(err, syscall.ENOENT) {
		return 127
	}
	return 126
}

// apply applies s to this process, the change of user last; its error
// names what failed. Limits are set with syscall.Setrlimit, which also
// tells syscall.Exec not to put back the RLIMIT_NOFILE the runtime found
// at its start (see syscall/rlimit.go): the program gets the limit set
// here, or, without one, the host's.
func (s *Setup) apply() error {
	for _, l := range s.Limits {
		var lim syscall.Rlimit
		setBoth(&lim.Cur, &lim.Max, l.Value)
		if err := syscall.Setrlimit(l.Resource, &lim); err != nil {
			return fmt.Errorf("setrlimit(%s, %s): %w", rlimitName(l.Resource), limitText(l.Value), err)
		}
	}
	if s.Nice != 0 {
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, 0, s.Nice); err != nil {
			return fmt.Errorf("setpriority (nice %d): %w", s.Nice, err)
		}
	}
	if s.SetUmask {
		syscall.Umask(s.Umask)
	}
	if c := s.Cred; c != nil {
		if !c.KeepGroups {
			groups := make([]int, len(c.Groups))
			for i, g := range c.Groups {
				groups[i] = int(g)
			}
			if err := syscall.Setgroups(groups); err != nil {
				return fmt.Errorf("setgroups(%v): %w", c.Groups, err)
			}
		}
		if err := syscall.Setgid(int(c.GID)); err != nil {
			return fmt.Errorf("setgid(%d): %w", c.GID, err)
		}
		if err := syscall.Setuid(int(c.UID)); err != nil {
			return fmt.Errorf("setuid(%d): %w", c.UID, err)
		}
	}
	return nil
}

// rlimitName returns the name of resource r, as RLIMIT_NAME.
func rlimitName(r int) string {
	for name, n := range rlimits {
		if n == r {
			return "RLIMIT_" + name
		}
	}
	return strconv.Itoa(r)
}

// limitText writes a limit's value, "unlimited" for RLIM_INFINITY.
func limitText(v uint64) string {
	if v == ^uint64(0) {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

// setBoth sets a limit's soft and hard values (uint64 on most systems,
// int64 on FreeBSD, whose RLIM_INFINITY is the largest int64) to v.
func setBoth[T int64 | uint64](cur, hard *T, v uint64) {
	x := T(v)
	if inf := ^T(0); inf < 0 { // signed
		if v == ^uint64(0) || x < 0 {
			x = T(^uint64(0) >> 1)
		}
	}
	*cur, *hard = x, x
}

// setCredential makes attr's fork run the program as c.
func setCredential(attr *syscall.SysProcAttr, c *Cred) {
	attr.Credential = &syscall.Credential{Uid: c.UID, Gid: c.GID, Groups: c.Groups, NoSetGroups: c.KeepGroups}
}
