//go:build unix

package notify_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/coreos/go-systemd/v22/daemon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/notify"
)

// The package speaks sd_notify as go-systemd does (the library of many Go
// daemons written for systemd): the same datagrams, the same reading of the
// watchdog variables. The tests of the core run a child built on go-systemd
// against the Overseer's socket; this keeps the two clients in step.
func TestSameAsGoSystemd(t *testing.T) {
	s := listen(t, abstractName(t))
	for _, state := range []string{daemon.SdNotifyReady, daemon.SdNotifyStopping, daemon.SdNotifyWatchdog, "STATUS=serving"} {
		_, err := daemon.SdNotify(false, state)
		require.NoError(t, err)
		theirs := s.receive()
		require.NoError(t, notify.Send(state))
		assert.Equal(t, theirs, s.receive(), state)
	}
}

func TestWatchdogIntervalAsGoSystemd(t *testing.T) {
	pid := strconv.Itoa(os.Getpid())
	for _, tc := range []struct{ usec, pid string }{
		{"", ""}, {"1000000", ""}, {"1000000", pid}, {"1000000", "1"}, {"0", pid}, {"x", pid}, {"-5", pid}, {"250000", pid},
	} {
		setOrUnset(t, "WATCHDOG_USEC", tc.usec)
		setOrUnset(t, "WATCHDOG_PID", tc.pid)
		theirs, err := daemon.SdWatchdogEnabled(false)
		if err != nil {
			theirs = 0 // go-systemd reports bad values as errors; both mean no watchdog
		}
		ours, ok := notify.WatchdogInterval()
		if !ok {
			ours = 0
		}
		assert.Equal(t, theirs, ours, "WATCHDOG_USEC=%q WATCHDOG_PID=%q", tc.usec, tc.pid)
	}
}

func setOrUnset(t *testing.T, key, value string) {
	t.Helper()
	if value == "" {
		unsetenv(t, key)
		return
	}
	t.Setenv(key, value)
}
