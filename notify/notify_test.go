//go:build unix

package notify_test

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/overseer-go/overseer/notify"
)

func TestMain(m *testing.M) {
	testbuild.Main(m)
}

// timeout bounds every wait: a failure, never a way to let things happen.
const timeout = 10 * time.Second

// unsetenv unsets key for the test and restores it after.
func unsetenv(t *testing.T, key string) {
	t.Helper()
	t.Setenv(key, "")
	require.NoError(t, os.Unsetenv(key))
}

// supervisor is the fake supervisor's end of NOTIFY_SOCKET.
type supervisor struct {
	t    *testing.T
	conn *net.UnixConn
	name string
}

// listen makes a supervisor listening on name and points NOTIFY_SOCKET at it.
func listen(t *testing.T, name string) *supervisor {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	t.Setenv("NOTIFY_SOCKET", name)
	return &supervisor{t: t, conn: conn, name: name}
}

// receive returns the next datagram.
func (s *supervisor) receive() string {
	s.t.Helper()
	require.NoError(s.t, s.conn.SetReadDeadline(time.Now().Add(timeout)))
	buf := make([]byte, 4096)
	n, _, err := s.conn.ReadFromUnix(buf)
	require.NoError(s.t, err)
	return string(buf[:n])
}

func abstractName(t *testing.T) string {
	if runtime.GOOS != "linux" {
		t.Skip("the abstract namespace is Linux's")
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "@notify-test-" + hex.EncodeToString(b[:])
}

func TestSend(t *testing.T) {
	for _, tc := range []struct {
		name   string
		socket func(t *testing.T) string
	}{
		{"path", func(t *testing.T) string { return filepath.Join(t.TempDir(), "notify.sock") }},
		{"abstract", abstractName},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := listen(t, tc.socket(t))
			for _, step := range []struct {
				send func() error
				want string
			}{
				{notify.Ready, "READY=1"},
				{func() error { return notify.Status("serving 3 clients\nof 4") }, "STATUS=serving 3 clients of 4"},
				{notify.Stopping, "STOPPING=1"},
				{notify.Watchdog, "WATCHDOG=1"},
				{func() error { return notify.Send("READY=1\nSTATUS=up\nMAINPID=1") }, "READY=1\nSTATUS=up\nMAINPID=1"},
			} {
				require.NoError(t, step.send())
				assert.Equal(t, step.want, s.receive())
			}
		})
	}
}

func TestSendUnset(t *testing.T) {
	s := listen(t, filepath.Join(t.TempDir(), "notify.sock"))
	unsetenv(t, "NOTIFY_SOCKET")
	for _, send := range []func() error{
		notify.Ready, notify.Stopping, notify.Watchdog,
		func() error { return notify.Status("x") },
		func() error { return notify.Send("X=1") },
	} {
		assert.NoError(t, send())
	}
	// Datagrams keep their order: if the calls above had sent anything, it
	// would come before this.
	t.Setenv("NOTIFY_SOCKET", s.name)
	require.NoError(t, notify.Send("MARK=1"))
	assert.Equal(t, "MARK=1", s.receive())
}

func TestSendNoListener(t *testing.T) {
	for _, name := range []string{
		filepath.Join(t.TempDir(), "nothing.sock"),
		"relative.sock",
	} {
		t.Setenv("NOTIFY_SOCKET", name)
		err := notify.Ready()
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "notify: send READY=1: ")
	}
	if runtime.GOOS == "linux" {
		t.Setenv("NOTIFY_SOCKET", abstractName(t))
		err := notify.Status("a\nb")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "notify: send STATUS=a b: ")
		var opErr *net.OpError
		assert.ErrorAs(t, err, &opErr)
	}
}

func TestWatchdogInterval(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	other := strconv.Itoa(os.Getpid() + 1)
	const unset = "<unset>"
	for _, tc := range []struct {
		usec, pid string
		want      time.Duration
		ok        bool
	}{
		{unset, unset, 0, false},
		{"", unset, 0, false},
		{"0", unset, 0, false},
		{"abc", unset, 0, false},
		{"-5", unset, 0, false},
		{"1.5", unset, 0, false},
		{"18446744073709551615", unset, 0, false},
		{"9223372036854776", unset, 0, false}, // overflows a Duration
		{"9223372036854775", unset, 9223372036854775 * time.Microsecond, true},
		{"1", unset, time.Microsecond, true},
		{"30000000", unset, 30 * time.Second, true},
		{"30000000", "", 30 * time.Second, true},
		{"30000000", self, 30 * time.Second, true},
		{"30000000", other, 0, false},
		{"30000000", "abc", 0, false},
		{"30000000", "0", 0, false},
		{"0", self, 0, false},
		{unset, self, 0, false},
	} {
		for key, v := range map[string]string{"WATCHDOG_USEC": tc.usec, "WATCHDOG_PID": tc.pid} {
			if v == unset {
				unsetenv(t, key)
			} else {
				t.Setenv(key, v)
			}
		}
		got, ok := notify.WatchdogInterval()
		assert.Equal(t, tc.ok, ok, "WATCHDOG_USEC=%s WATCHDOG_PID=%s", tc.usec, tc.pid)
		assert.Equal(t, tc.want, got, "WATCHDOG_USEC=%s WATCHDOG_PID=%s", tc.usec, tc.pid)
	}
}
