package overseer

import (
	"os"
	"strings"

	"github.com/overseer-go/overseer/internal/sockets"
)

// The variables the Overseer gives its children.
const (
	// lifelineEnv names the child's fd of the lifeline (see host.lifelineFile).
	lifelineEnv = sockets.LifelineEnv
	// runTokenEnv marks every descendant of a run (Linux), so that those
	// which left its process group can be found: by a subreaper when the
	// run ends, and to tell that a program went to the background.
	runTokenEnv = "OVERSEER_RUN"
	// guardianEnv makes a process the guardian (see guardian_unix.go), when its
	// value is guardianMode: a version, so that an old host's guardian is
	// never confused with a new one.
	guardianEnv  = "OVERSEER_GUARDIAN"
	guardianMode = "v2"
	// stopSignalEnv tells a child the number of its StopSignal, so that
	// package notify's Context can end on it.
	stopSignalEnv = "OVERSEER_STOP_SIGNAL"
	// execEnv makes a process the exec wrapper (see execwrap_unix.go): its value
	// is the program to run in its place.
	execEnv = "OVERSEER_EXEC"
)

// ownedVar reports whether key is one of the variables the Overseer alone
// gives a child: those of the systemd protocols it speaks for its children
// (socket activation, readiness, watchdog), and its own. Copies inherited
// from the host would point the child at the host's sockets and fds. These
// are the exact names systemd defines, not every LISTEN_ or WATCHDOG_
// variable: LISTEN_ADDR, say, is an application's own setting.
func ownedVar(key string) bool {
	switch key {
	case "NOTIFY_SOCKET", sockets.ListenPIDEnv, sockets.ListenFDsEnv, sockets.ListenFDNamesEnv,
		"WATCHDOG_USEC", "WATCHDOG_PID",
		lifelineEnv, guardianEnv, runTokenEnv, stopSignalEnv, execEnv:
		return true
	}
	return false
}

// childEnv returns env without the variables the Overseer owns.
func childEnv(env []string) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		if key, _, _ := strings.Cut(kv, "="); !ownedVar(key) {
			out = append(out, kv)
		}
	}
	return out
}

// orEnviron returns env, or the host's environment for nil.
func orEnviron(env []string) []string {
	if env == nil {
		return os.Environ()
	}
	return env
}
