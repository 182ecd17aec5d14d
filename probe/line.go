package probe

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/overseer-go/overseer"
)

// Line returns a probe that watches the lines a run writes, on either
// stream, for one that re matches. As a Cmd's Ready it passes once the
// run writes such a line; lines the run wrote before the probe started
// count, as long as the Cmd still keeps them (Cmd.BufferLines). As a
// Cmd's Liveness.Check it passes when such a line was written since the
// try before (for the first try, since the run began): "this line must
// appear at least every Period". A line longer than the Cmd's
// MaxLineBytes is matched piece by piece.
func Line(re *regexp.Regexp) Lines { return Lines{re: re} }

// Lines is the probe Line returns: an overseer.Probe and an
// overseer.Checker. It keeps no state: what a Check has read of a run is
// kept in the run's ProbeRun (see overseer.ProbeRun.WroteLine), so one
// value may serve several Cmds.
type Lines struct{ re *regexp.Regexp }

// Regexp returns the regular expression the probe matches lines with, as
// Line was given it (nil for the zero Lines).
func (p Lines) Regexp() *regexp.Regexp { return p.re }

// Ready implements overseer.Probe.
func (p Lines) Ready(ctx context.Context, run *overseer.ProbeRun) error {
	if err := p.check(run); err != nil {
		return err
	}
	_, err := run.WaitLine(ctx, p.match)
	if err != nil {
		return fmt.Errorf("probe: line %q: %w", p.re, err)
	}
	return nil
}

// Check implements overseer.Checker: it does not wait, and ignores ctx.
func (p Lines) Check(ctx context.Context, run *overseer.ProbeRun) error {
	if err := p.check(run); err != nil {
		return err
	}
	if !run.WroteLine(p.match) {
		return fmt.Errorf("line %q: not written since the last try", p.re)
	}
	return nil
}

// check says why p cannot watch run, if it cannot.
func (p Lines) check(run *overseer.ProbeRun) error {
	if p.re == nil {
		return invalid("line: no regexp")
	}
	if run == nil {
		return errors.New("probe: line: no run")
	}
	return nil
}

func (p Lines) match(l overseer.Line) bool { return p.re.MatchString(l.Text) }
