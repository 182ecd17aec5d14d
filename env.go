package overseer

import (
	"os"
	"strings"

	"github.com/overseer-go/overseer/internal/proc"
	"github.com/overseer-go/overseer/internal/sockets"
)

// stopSignalEnv tells a child the number of its StopSignal, so that
// package notify's Context can end on it. (The others the Overseer gives
// its children are named in internal/proc.)
const stopSignalEnv = "OVERSEER_STOP_SIGNAL"

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
		proc.LifelineEnv, proc.GuardianEnv, proc.RunTokenEnv, stopSignalEnv, proc.ExecEnv, proc.SetupEnv:
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
