package overseer

import (
	"fmt"
	"math"
	"time"

	"github.com/jpillora/backoff"
)

// RestartPolicy says which ended runs are started again under supervision.
type RestartPolicy uint8

// The restart policies. The zero value is RestartOnFailure, the default:
// RestartNever must be said.
const (
	// RestartOnFailure restarts a run that failed: it exited with a code
	// that is neither 0 nor in SuccessCodes, or a signal that Stop did not
	// send killed it. It is the zero value.
	RestartOnFailure RestartPolicy = iota
	// RestartNever never restarts a run.
	RestartNever
	// RestartAlways restarts every run that was not ended by Stop.
	RestartAlways
)

// NoRestarts, as Cmd.MaxRestarts, allows no restart after a failed run:
// the first failure is fatal (a clean exit under RestartAlways is still
// restarted). It is the one negative MaxRestarts that is not "no limit";
// zero means the default, 5.
const NoRestarts = math.MinInt

// maxRestartsOf is the limit of restarts in a row after failed runs that
// Cmd.MaxRestarts stands for: negative for none.
func maxRestartsOf(n int) int {
	switch {
	case n == NoRestarts:
		return 0
	case n == 0:
		return defaultMaxRestarts
	case n < 0:
		return -1
	}
	return n
}

// Backoff is the delay between restarts after failed runs: Min after the
// first failure, multiplied by Factor after each further one, at most Max;
// each delay is drawn at random between Min and the computed value (jitter,
// unless NoJitter), so processes that fail together do not restart in
// lockstep. The zero value of every field means its default.
type Backoff struct {
	// Min is the first delay. Zero means 100ms, or Max if that is less.
	Min time.Duration
	// Max is the largest delay. Zero means 30s, or Min if that is more.
	Max time.Duration
	// Factor multiplies the delay after each failure. Zero means 2.
	Factor float64
	// NoJitter makes each delay exactly the computed value. False (the
	// default) means jitter.
	NoJitter bool
}

var restartPolicyNames = enumNames{typ: "RestartPolicy", names: []string{
	RestartOnFailure: "on-failure",
	RestartNever:     "never",
	RestartAlways:    "always",
}}

// String returns the policy's name: "never", "on-failure" or "always".
func (p RestartPolicy) String() string { return restartPolicyNames.String(int(p)) }

// MarshalText encodes the policy as its name.
func (p RestartPolicy) MarshalText() ([]byte, error) { return restartPolicyNames.marshal(int(p)) }

// UnmarshalText decodes a policy from its name, as written by MarshalText.
func (p *RestartPolicy) UnmarshalText(text []byte) error {
	return unmarshalEnum(restartPolicyNames, p, text)
}

// withDefaults fills in the zero fields and checks the result.
func (b Backoff) withDefaults() (Backoff, error) {
	if b.Min == 0 && b.Max > 0 {
		b.Min = min(defaultBackoffMin, b.Max) // the default must not contradict a Max that was given
	}
	b.Min = orDefault(b.Min, defaultBackoffMin)
	b.Max = orDefault(b.Max, max(defaultBackoffMax, b.Min))
	b.Factor = orDefault(b.Factor, defaultBackoffMult)
	switch {
	case b.Min < 0 || b.Max < 0:
		return b, fmt.Errorf("Backoff has a negative delay (Min %v, Max %v)", b.Min, b.Max)
	case !(b.Factor >= 1): // NaN too
		return b, fmt.Errorf("Backoff.Factor %v is below 1", b.Factor)
	case b.Min > b.Max:
		return b, fmt.Errorf("Backoff.Min %v is above Backoff.Max %v", b.Min, b.Max)
	}
	return b, nil
}

// delay is the wait before the restart that follows attempt failures in a
// row after the first (0: Min), computed by github.com/jpillora/backoff.
func (b Backoff) delay(attempt int) time.Duration {
	jb := backoff.Backoff{Min: b.Min, Max: b.Max, Factor: b.Factor, Jitter: !b.NoJitter}
	return jb.ForAttempt(float64(attempt))
}
