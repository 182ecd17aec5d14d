package probe

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	return ln
}

// freeAddr returns an address on which nothing listens: one the kernel
// just gave and took back.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestTCPPasses(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	p := &TCP{Addr: ln.Addr().String()}
	require.NoError(t, p.Ready(context.Background(), nil))
}

func TestTCPNobodyListens(t *testing.T) {
	addr := freeAddr(t)
	// Ended after the third try, not by a deadline, which on a loaded
	// machine could cut a try short and leave "i/o timeout" as the last.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tries := 0
	p := &TCP{Addr: addr, Period: 10 * time.Millisecond, tried: func(error) {
		if tries++; tries == 3 {
			cancel()
		}
	}}
	err := p.Ready(ctx, &overseer.ProbeRun{})
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "probe: tcp "+addr)
	assert.Contains(t, err.Error(), "last try:")
	assert.Contains(t, err.Error(), "refused")
	assert.Greater(t, tries, 1)
}

// TestTCPListenerLater starts listening only once the probe has failed,
// and the probe passes on a later try.
func TestTCPListenerLater(t *testing.T) {
	addr := freeAddr(t)
	failed := make(chan struct{})
	var once sync.Once
	var results []error
	p := &TCP{Addr: addr, Period: 10 * time.Millisecond, tried: func(err error) {
		results = append(results, err)
		if err != nil {
			once.Do(func() { close(failed) })
		}
	}}
	ready := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { ready <- p.Ready(ctx, nil) }()
	<-failed
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		cancel()
		<-ready
		t.Skipf("%s was taken meanwhile: %v", addr, err)
	}
	defer ln.Close()
	require.NoError(t, <-ready)
	require.GreaterOrEqual(t, len(results), 2)
	assert.Error(t, results[0])
	assert.NoError(t, results[len(results)-1])
}

func TestTCPBadAddr(t *testing.T) {
	for _, addr := range []string{"", "localhost", "127.0.0.1", "127.0.0.1:", "[::1"} {
		t.Run(addr, func(t *testing.T) {
			err := (&TCP{Addr: addr}).Ready(context.Background(), nil)
			require.ErrorIs(t, err, overseer.ErrInvalid)
			assert.Contains(t, err.Error(), "probe: tcp")
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
		})
	}
}

func TestTCPProbeAddr(t *testing.T) {
	assert.Equal(t, "127.0.0.1:8080", (&TCP{Addr: "127.0.0.1:8080"}).ProbeAddr())
}

// The probes that connect to an address say which, so that the Overseer can
// refuse one aimed at a Cmd's own Listeners.
var (
	_ overseer.AddrProbe = (*TCP)(nil)
	_ overseer.AddrProbe = (*HTTP)(nil)
)
