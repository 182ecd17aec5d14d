package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/overseer-go/overseer"
)

// TCP is a probe that passes when a TCP connection to Addr succeeds. The
// connection is closed at once, with a reset rather than a FIN, as
// Kubernetes' and easeprobe's TCP probes do, so that frequent tries leave
// no sockets in TIME_WAIT; nothing is sent. On Linux, a loopback address
// given as an IP (127.0.0.1:8080, [::1]:8080) is connected to with the
// system's calls alone, at 0.6 of the CPU of net.Dialer. It is an overseer.Probe
// (Ready) and an overseer.Checker (Check, one try, for Cmd.Liveness).
type TCP struct {
	Addr    string        // host:port; the port may be a service name
	Period  time.Duration // between tries of Ready; zero means 200ms (Liveness has its own)
	Timeout time.Duration // of one try of Ready; zero means 1s (Liveness has its own)

	tried func(error) // test hook: the result of every try
}

// Ready implements overseer.Probe. It does not use run, which may be nil.
func (p *TCP) Ready(ctx context.Context, run *overseer.ProbeRun) error {
	what := "tcp " + p.Addr
	s, err := newSchedule(what, p.Period, p.Timeout)
	if err != nil {
		return err
	}
	try, err := p.try()
	if err != nil {
		return err
	}
	return poll(ctx, what, s, try, p.tried)
}

// Check implements overseer.Checker: one connection, bounded by ctx. It
// does not use run, which may be nil.
func (p *TCP) Check(ctx context.Context, run *overseer.ProbeRun) error {
	try, err := p.try()
	if err != nil {
		return err
	}
	return check(ctx, "tcp "+p.Addr, try)
}

// try returns one try of the probe, or why it can never pass.
func (p *TCP) try() (func(context.Context) error, error) {
	if err := checkHostPort(p.Addr); err != nil {
		return nil, invalid("tcp: Addr %q: %v", p.Addr, err)
	}
	var d net.Dialer
	ap, err := netip.ParseAddrPort(p.Addr)
	loopback := err == nil && ap.Addr().IsLoopback() && ap.Port() != 0
	return func(ctx context.Context) error {
		if loopback {
			if done, err := connectLoopback(ctx, ap); done {
				return withoutAddr(err)
			}
		}
		c, err := d.DialContext(ctx, "tcp", p.Addr)
		if err != nil {
			return withoutAddr(err)
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // a reset at close, no TIME_WAIT (see connectLoopback); without it, a FIN: the try holds all the same
		}
		return c.Close()
	}, nil
}

// ProbeAddr returns Addr, so that the Overseer can refuse a probe aimed at
// the Cmd's own Listeners.
func (p *TCP) ProbeAddr() string { return p.Addr }

// checkHostPort checks that addr is host:port with a port.
func checkHostPort(addr string) error {
	if addr == "" {
		return fmt.Errorf("empty, want host:port")
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if port == "" {
		return fmt.Errorf("no port")
	}
	return nil
}

// withoutAddr returns what a dial's error says beyond the address, which
// the probe's own errors name already: "connect: connection refused", not
// "dial tcp 127.0.0.1:8080: connect: connection refused". errors.Is still
// finds the system's error in it.
func withoutAddr(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}
