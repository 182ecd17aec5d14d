// Package probe has the readiness probes of overseer that need more than
// the core: a line of output, a TCP connect, an HTTP GET and a command. Set
// one as a Cmd's Ready; overseer.Notified is the fifth kind.
package probe

import (
	"context"
	"regexp"
	"time"

	"github.com/overseer-go/overseer"
)

// Line returns a probe that passes when the run writes a line, on either
// stream, that re matches.
func Line(re *regexp.Regexp) overseer.Probe { panic("TODO") }

// TCP is a probe that passes when a TCP connection to Addr succeeds.
type TCP struct {
	Addr    string        // host:port
	Period  time.Duration // between tries; zero means 200ms
	Timeout time.Duration // of one try; zero means 1s
}

// Ready implements overseer.Probe.
func (p *TCP) Ready(ctx context.Context, run *overseer.ProbeRun) error { panic("TODO") }

// ProbeAddr returns Addr, so that the Overseer can refuse a probe aimed at
// the Cmd's own Listeners.
func (p *TCP) ProbeAddr() string { return p.Addr }

// HTTP is a probe that passes when a GET of URL answers 2xx.
type HTTP struct {
	URL     string
	Period  time.Duration // between tries; zero means 200ms
	Timeout time.Duration // of one try; zero means 1s
}

// Ready implements overseer.Probe.
func (p *HTTP) Ready(ctx context.Context, run *overseer.ProbeRun) error { panic("TODO") }

// ProbeAddr returns the host:port of URL.
func (p *HTTP) ProbeAddr() string { panic("TODO") }

// Command is a probe that passes when Args exits 0.
type Command struct {
	Args    []string
	Period  time.Duration // between tries; zero means 200ms
	Timeout time.Duration // of one try; zero means 1s
}

// Ready implements overseer.Probe.
func (p *Command) Ready(ctx context.Context, run *overseer.ProbeRun) error { panic("TODO") }
