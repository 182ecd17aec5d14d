package probe

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/overseer-go/overseer"
)

// TCP is a probe that passes when a TCP connection to Addr succeeds. The
// connection is closed at once; nothing is sent.
type TCP struct {
	Addr    string        // host:port; the port may be a service name
	Period  time.Duration // between tries; zero means 200ms
	Timeout time.Duration // of one try; zero means 1s

	tried func(error) // test hook: the result of every try
}

// Ready implements overseer.Probe. It does not use run, which may be nil.
func (p *TCP) Ready(ctx context.Context, run *overseer.ProbeRun) error {
	what := "tcp " + p.Addr
	s, err := newSchedule(what, p.Period, p.Timeout)
	if err != nil {
		return err
	}
	if err := checkHostPort(p.Addr); err != nil {
		return invalid("tcp: Addr %q: %v", p.Addr, err)
	}
	var d net.Dialer
	return poll(ctx, what, s, func(ctx context.Context) error {
		c, err := d.DialContext(ctx, "tcp", p.Addr)
		if err != nil {
			return err
		}
		return c.Close()
	}, p.tried)
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
