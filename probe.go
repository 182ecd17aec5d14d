package overseer

import (
	"context"
	"errors"
	"fmt"
)

// Probe decides when a run of a Cmd is ready to serve (see Cmd.Ready).
// Package probe has probes for an output line, a TCP connect, an HTTP GET
// and a command; Notified waits for the run to say so itself.
type Probe interface {
	// Ready returns nil once run is ready. It returns ctx.Err() when ctx
	// is done first: the ReadyTimeout passed or the run ended. Any other
	// error means the run can never be ready, and ends it as one that
	// was not ready in time. It is called once per run, in a goroutine of
	// that run, so it may block; a probe that polls waits between tries.
	Ready(ctx context.Context, run *ProbeRun) error
}

// AddrProbe is a Probe that connects to an address, as package probe's TCP
// and HTTP probes do. The Overseer refuses one aimed at the Cmd's own
// Listeners (see Cmd.Ready): a held socket accepts connections whichever
// run is up, so such a probe cannot tell runs apart. A Probe of your own
// that connects somewhere should implement it.
type AddrProbe interface {
	Probe
	// ProbeAddr returns the host:port the probe connects to.
	ProbeAddr() string
}

// ProbeRun is the run a Probe watches.
type ProbeRun struct {
	// ID is the id of the process.
	ID string
	// PID is the process id of the run, the id of its process group.
	PID int

	r       *run
	seen    uint64 // WroteLine's place: the Seq of the output read up to
	started bool   // WroteLine has been called
}

// WaitLine waits for a Line of the run, on either stream, for which match
// returns true, and returns it. Lines the run wrote before the call count,
// as long as the Cmd still keeps them (see BufferLines). match is called
// while the Cmd's output is held: it must be quick and must not call into
// the Cmd.
func (p *ProbeRun) WaitLine(ctx context.Context, match func(Line) bool) (Line, error) {
	if p.r == nil {
		return Line{}, errors.New("overseer: WaitLine: not a run of a Cmd")
	}
	found, cancel := p.r.cmd.out.watch(p.r.pid, p.r.firstSeq, match)
	defer cancel()
	select {
	case l := <-found:
		return l, nil
	case <-ctx.Done():
		return Line{}, ctx.Err()
	}
}

// WroteLine reports whether the run wrote a Line, on either stream, for
// which match returns true since the last call of WroteLine on p (for the
// first call, since the run began), as long as the Cmd still keeps it
// (see BufferLines). The ProbeRun a Checker is given is the same for
// every Check of a run, so a Check can ask "was this line written since
// my last try?" (package probe's Line does). match is called while the
// Cmd's output is held: it must be quick and must not call into the Cmd.
// Calls on one ProbeRun must not overlap; the Checks of a run never do.
func (p *ProbeRun) WroteLine(match func(Line) bool) bool {
	if p.r == nil {
		return false
	}
	if !p.started {
		p.seen, p.started = p.r.firstSeq, true
	}
	var found bool
	p.seen, found = p.r.cmd.out.matchAfter(p.r.pid, p.seen, match)
	return found
}

// WaitNotify waits until a process of the run's group sends READY=1 over
// the run's notification socket (see Cmd.Notify).
func (p *ProbeRun) WaitNotify(ctx context.Context) error {
	if p.r == nil || p.r.notify == nil {
		return fmt.Errorf("%w: WaitNotify: the Cmd has no notification socket (Cmd.Notify)", ErrInvalid)
	}
	select {
	case <-p.r.notify.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Notified returns the Probe that waits for the run to send READY=1 over
// its notification socket, as systemd's Type=notify: a daemon written for
// systemd (sd_notify), or a Go program using package notify. Setting it as
// Cmd.Ready turns Cmd.Notify on.
func Notified() Probe { return notifiedProbe{} }

type notifiedProbe struct{}

func (notifiedProbe) Ready(ctx context.Context, run *ProbeRun) error {
	return run.WaitNotify(ctx)
}

func isNotified(p Probe) bool {
	_, ok := p.(notifiedProbe)
	return ok
}
