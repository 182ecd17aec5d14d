// Package probe has the readiness and liveness probes of overseer that
// need more than the core: a line of output, a TCP connect, an HTTP GET
// and a command. Set one as a Cmd's Ready (overseer.Notified is the fifth
// kind), or as its Liveness.Check: each is both an overseer.Probe and an
// overseer.Checker.
//
// As a Checker, a probe makes one try per Check, bounded by the Check's
// context (Liveness.Timeout): its Period and Timeout are the readiness's
// alone. A failed try's error says what it saw ("http
// http://127.0.0.1:8080/healthz: status 500 Internal Server Error").
//
// The polling probes (TCP, HTTP, Command) try at once, then every Period,
// each try bounded by Timeout, until one passes or the context of Ready is
// done. Then Ready returns an error that wraps the context's error (so
// errors.Is(err, context.DeadlineExceeded) holds when the ReadyTimeout
// passed) and tells what the last try saw. A probe configured so that it
// can never pass (an empty address, a URL that is not http or https, no
// Args, a negative duration) returns an error wrapping overseer.ErrInvalid
// at once, without trying, and the Overseer ends the run as not ready.
//
// A probe value may be shared by several Cmds and by overlapping runs of
// one Cmd: neither Ready nor Check keeps state in it.
package probe

import (
	"fmt"

	"github.com/overseer-go/overseer"
)

// invalid returns the error of a probe that can never pass, wrapping
// overseer.ErrInvalid: "probe: " and the formatted detail, then the
// sentinel's text.
func invalid(format string, args ...any) error {
	return fmt.Errorf("probe: %s: %w", fmt.Sprintf(format, args...), overseer.ErrInvalid)
}
