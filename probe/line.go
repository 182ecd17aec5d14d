package probe

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/overseer-go/overseer"
)

// Line returns a probe that passes when the run writes a line, on either
// stream, that re matches. Lines the run wrote before the probe started
// count, as long as the Cmd still keeps them (Cmd.BufferLines). A line
// longer than the Cmd's MaxLineBytes is matched piece by piece.
func Line(re *regexp.Regexp) overseer.Probe { return lineProbe{re: re} }

type lineProbe struct{ re *regexp.Regexp }

func (p lineProbe) Ready(ctx context.Context, run *overseer.ProbeRun) error {
	if p.re == nil {
		return invalid("line: no regexp")
	}
	if run == nil {
		return errors.New("probe: line: no run")
	}
	_, err := run.WaitLine(ctx, func(l overseer.Line) bool { return p.re.MatchString(l.Text) })
	if err != nil {
		return fmt.Errorf("probe: line %q: %w", p.re, err)
	}
	return nil
}
