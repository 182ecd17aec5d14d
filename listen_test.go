//go:build linux

package overseer

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addrProbe is a Probe that aims at an address, as package probe's TCP
// and HTTP probes do.
type addrProbe string

func (addrProbe) Ready(ctx context.Context, run *ProbeRun) error { return nil }
func (p addrProbe) ProbeAddr() string                            { return string(p) }

// The sockets reach the child by systemd's protocol: go-systemd's
// activation package, which checks LISTEN_PID against its own pid, finds
// them with their names.
func TestListenersSocketActivation(t *testing.T) {
	o := newTestOverseer(t)
	sock := filepath.Join(t.TempDir(), "web.sock")
	c := addChild(t, o, "web", "listeners", "getenv:OVERSEER_LIFELINE_FD", "lifelinefd")
	c.Listeners = []string{"tcp://127.0.0.1:0", "unix://" + sock}
	c.Restart = RestartNever
	require.NoError(t, o.Start("web"))
	st := wait(t, c)
	require.Equal(t, StateFinished, st.State, "stderr: %v", st.Stderr)
	assert.Equal(t, []string{"listeners:2 names:web", "OVERSEER_LIFELINE_FD=5", "lifeline:5:pipe"}, st.Stdout)

	require.Len(t, st.Listeners, 2)
	assert.True(t, strings.HasPrefix(st.Listeners[0], "tcp://127.0.0.1:"), st.Listeners[0])
	assert.NotEqual(t, "tcp://127.0.0.1:0", st.Listeners[0], "the chosen port is reported")
	assert.Equal(t, "unix://"+sock, st.Listeners[1])
	// Held across runs: connecting works while no run is up, and the port
	// stays the same at the next start.
	conn, err := net.Dial("tcp", strings.TrimPrefix(st.Listeners[0], "tcp://"))
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	require.NoError(t, o.Start("web"))
	st2 := wait(t, c)
	assert.Equal(t, st.Listeners, st2.Listeners)

	// Remove closes them and removes the socket file.
	require.NoError(t, o.Remove("web"))
	_, err = os.Stat(sock)
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = net.Dial("tcp", strings.TrimPrefix(st.Listeners[0], "tcp://"))
	assert.Error(t, err)
}

func TestListenersOpenFailsStart(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	o := newTestOverseer(t)
	c := addChild(t, o, "web", "sleep")
	c.Listeners = []string{"tcp://" + taken.Addr().String()}
	err = o.Start("web")
	require.Error(t, err)
	assert.Contains(t, err.Error(), taken.Addr().String())
	assert.Contains(t, err.Error(), "address already in use")
	assert.Equal(t, StateInitial, status(t, o, "web").State, "nothing started")
}

// A unix socket left by a dead server (nothing listens) is replaced; a
// live one is not.
func TestListenersStaleUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	live := filepath.Join(t.TempDir(), "live.sock")
	ll, err := net.Listen("unix", live)
	require.NoError(t, err)
	defer ll.Close()
	require.NoError(t, l.Close()) // the file stays: stale

	o := newTestOverseer(t)
	c := addChild(t, o, "stale", "sleep")
	c.Listeners = []string{"unix://" + sock}
	require.NoError(t, o.Start("stale"))
	c = addChild(t, o, "live", "sleep")
	c.Listeners = []string{"unix://" + live}
	err = o.Start("live")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "address already in use")
}

func TestListenersBadInput(t *testing.T) {
	for _, tc := range []struct {
		listeners []string
		ready     Probe
		want      string
	}{
		{[]string{"127.0.0.1:80"}, nil, "not network://address"},
		{[]string{"udp://127.0.0.1:80"}, nil, `network "udp"`},
		{[]string{"tcp://127.0.0.1"}, nil, "missing port"},
		{[]string{"tcp://127.0.0.1:99999"}, nil, "not a number from 0 to 65535"},
		{[]string{"tcp://example.com:80"}, nil, "not an IP address"},
		{[]string{"unix://relative.sock"}, nil, "absolute path"},
		{[]string{"unix:///" + strings.Repeat("x", 120)}, nil, "longer than 107"},
		{[]string{"tcp://:8080", "tcp://:8080"}, nil, "listed twice"},
		{[]string{"tcp://127.0.0.1:8080"}, addrProbe("127.0.0.1:8080"), "the probe cannot tell them apart"},
		{[]string{"tcp://:8080"}, addrProbe("localhost:8080"), "the probe cannot tell them apart"},
		{[]string{"tcp://[::1]:8080"}, addrProbe("127.0.0.1:8080"), "the probe cannot tell them apart"},
		{[]string{"tcp://127.0.0.1:8080"}, addrProbe(":8080"), "the probe cannot tell them apart"}, // no host: the local system
	} {
		c := NewCmd(childPath, "sleep")
		c.Listeners, c.Ready = tc.listeners, tc.ready
		err := c.Start()
		require.ErrorIs(t, err, ErrInvalid, "%v", tc.listeners)
		assert.Contains(t, err.Error(), tc.want)
	}
	// A probe of another port is fine.
	c, _ := newChild(t, "exit:0")
	c.Listeners, c.Ready = []string{"tcp://127.0.0.1:0"}, addrProbe("127.0.0.1:1")
	require.NoError(t, c.Start())
	wait(t, c)
}

// A probe aimed at a port 0 listener is refused once the port is known.
func TestListenersProbeOnChosenPort(t *testing.T) {
	o := newTestOverseer(t)
	c := addChild(t, o, "a", "sleep")
	c.Listeners = []string{"tcp://127.0.0.1:0"}
	require.NoError(t, o.Start("a"))
	addr := strings.TrimPrefix(status(t, o, "a").Listeners[0], "tcp://")
	require.NoError(t, o.Stop("a"))
	c.Ready = addrProbe(addr)
	// The check of the configuration sees only port 0; the one of the
	// sockets opened sees the port.
	err := o.Start("a")
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), addr)
}
