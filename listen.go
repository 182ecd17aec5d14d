package overseer

import (
	"fmt"

	"github.com/overseer-go/overseer/internal/sockets"
)

// listenConfig checks Listeners, and the Ready probe against them.
func (c *Cmd) listenConfig() ([]sockets.Addr, error) {
	var addrs []sockets.Addr
	seen := make(map[sockets.Addr]bool)
	for _, s := range c.Listeners {
		a, err := sockets.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: Listeners: %v", ErrInvalid, c.name(), err)
		}
		if seen[a] {
			return nil, fmt.Errorf("%w: %s: Listeners: %q is listed twice", ErrInvalid, c.name(), s)
		}
		seen[a] = true
		addrs = append(addrs, a)
	}
	if err := checkProbeTarget(c.Ready, addrs); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, c.name(), err)
	}
	return addrs, nil
}

// checkProbeTarget refuses a probe aimed at one of the Cmd's own listening
// sockets: the kernel accepts connections on a held socket whichever run is
// up (during a rolling restart, the old one), so the probe would pass for a
// run that is not ready.
func checkProbeTarget(p Probe, addrs []sockets.Addr) error {
	pa, ok := p.(AddrProbe)
	if !ok {
		return nil
	}
	target := pa.ProbeAddr()
	for _, a := range addrs {
		if a.Takes(target) {
			return fmt.Errorf("Ready probes %s, one of the Cmd's own Listeners (%s): that socket is held for every run, "+
				"so it answers for the old run while the new one boots, and the probe cannot tell them apart; "+
				"probe a port the program opens itself, or use a notification, a log line or a command", target, a)
		}
	}
	return nil
}

// openSockets opens the sockets of addrs (see sockets.Open).
func openSockets(addrs []sockets.Addr) (*sockets.Set, error) {
	s, err := sockets.Open(addrs)
	if err != nil {
		return nil, fmt.Errorf("overseer: %w", err)
	}
	return s, nil
}

// openSocketsLocked opens the Cmd's Listeners, unless they are open
// already, and checks the Ready probe against the addresses opened. c.mu
// is held.
func (c *Cmd) openSocketsLocked(cfg *runConfig) error {
	if !c.socks.Same(cfg.listeners) {
		c.socks.Close() // changed at rest: no run holds them
		c.socks = nil
		if len(cfg.listeners) > 0 {
			socks, err := openSockets(cfg.listeners)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name(), err)
			}
			c.socks = socks
		}
	}
	return c.checkProbeOnSocketsLocked(cfg)
}

// checkProbeOnSocketsLocked checks the Ready probe of cfg against the
// addresses the sockets were opened on: the ports chosen for port 0 are
// known only then. c.mu is held.
func (c *Cmd) checkProbeOnSocketsLocked(cfg *runConfig) error {
	if c.socks == nil {
		return nil
	}
	if err := checkProbeTarget(cfg.ready, c.socks.Bound()); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, c.name(), err)
	}
	return nil
}

// releaseSocketsIfDoneLocked closes the sockets of a Cmd outside an
// Overseer once it is done for good: there is no Overseer to keep them
// for. c.mu is held.
func (c *Cmd) releaseSocketsIfDoneLocked() {
	if c.owner == nil && c.state.IsFinal() {
		c.socks.Close()
		c.socks = nil
	}
}
