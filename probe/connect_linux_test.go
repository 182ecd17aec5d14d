package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A loopback connect with the system's calls alone passes on a listener,
// on IPv4 and IPv6, and says "connection refused" as net.Dialer does where
// nobody listens.
func TestConnectLoopback(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6"} {
		t.Run(network, func(t *testing.T) {
			host := "127.0.0.1:0"
			if network == "tcp6" {
				host = "[::1]:0"
			}
			ln, err := net.Listen(network, host)
			if err != nil {
				t.Skipf("no %s loopback on this host: %v", network, err)
			}
			addr := ln.Addr().String()
			done, err := connectLoopback(context.Background(), netip.MustParseAddrPort(addr))
			require.True(t, done, "a loopback connect is over when connect returns")
			require.NoError(t, err)
			c, err := ln.Accept() // the connection was made
			require.NoError(t, err)
			require.NoError(t, c.Close())

			require.NoError(t, ln.Close())
			done, err = connectLoopback(context.Background(), netip.MustParseAddrPort(addr))
			require.True(t, done)
			require.ErrorIs(t, err, syscall.ECONNREFUSED)
			var opErr *net.OpError
			require.True(t, errors.As(err, &opErr))
			assert.Equal(t, "dial tcp "+addr+": connect: connection refused", err.Error())
		})
	}
}

// A context done already makes no connection.
func TestConnectLoopbackDone(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done, err := connectLoopback(ctx, netip.MustParseAddrPort(ln.Addr().String()))
	assert.True(t, done)
	assert.ErrorIs(t, err, context.Canceled)
}

// BenchmarkConnect compares one try of a TCP liveness check on the
// loopback, probe.TCP's Check, with the same connect and close through
// net.Dialer, in CPU time (user and system) per try. The listener accepts
// and closes in the same process, the same for both.
//
//	go test -run '^$' -bench Connect -count 5 ./probe
func BenchmarkConnect(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by the cleanup
			}
			c.Close()
		}
	}()
	addr := ln.Addr().String()
	b.Run("net.Dialer", func(b *testing.B) {
		var d net.Dialer
		benchmarkTries(b, func(ctx context.Context) error {
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return err
			}
			return c.Close()
		})
	})
	b.Run("probe.TCP", func(b *testing.B) {
		p := &TCP{Addr: addr}
		benchmarkTries(b, func(ctx context.Context) error { return p.Check(ctx, nil) })
	})
}

// benchmarkTries makes b.N tries, each bounded by a second as a liveness
// try is, and reports their CPU time per try.
func benchmarkTries(b *testing.B, try func(context.Context) error) {
	before := cpuTime(b)
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := try(ctx)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-before)/float64(b.N)/1e3, "cpu-µs/op")
}

// cpuTime is the CPU time, user and system, the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
