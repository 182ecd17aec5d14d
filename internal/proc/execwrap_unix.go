//go:build unix

package proc

import (
	"errors"
	"fmt"
	"os"
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
		case ExecEnv, sockets.ListenPIDEnv, "WATCHDOG_PID":
			continue
		case sockets.ListenFDsEnv:
			env = append(env, sockets.ListenPIDEnv+"="+pid)
		case "WATCHDOG_USEC":
			env = append(env, "WATCHDOG_PID="+pid)
		}
		env = append(env, kv)
	}
	err := syscall.Exec(path, os.Args, env)
	fmt.Fprintf(os.Stderr, "overseer: exec %s: %v\n", path, err)
	if errors.Is(err, syscall.ENOENT) {
		return 127
	}
	return 126
}
