package overseer

import (
	"fmt"
	"time"

	"github.com/jpillora/backoff"
)

// RestartPolicy says which ended runs are started again under supervision.
type RestartPolicy uint8

// The restart policies. The zero value is RestartNever.
const (
	// RestartNever never restarts a run.
	RestartNever RestartPolicy = iota
	// RestartOnFailure restarts a run that failed: it exited with a code
	// that is neither 0 nor in SuccessCodes, or a signal that Stop did not
	// send killed it.
	RestartOnFailure
	// RestartAlways restarts every run that was not ended by Stop.
	RestartAlways
)

// Backoff is the delay between restarts after failed runs: Min after the
// first failure, multiplied by Factor after each further one, at most Max;
// with Jitter, each delay is drawn at random between Min and the computed
// value, so processes that fail together do not restart in lockstep.
type Backoff struct {
	// Min is the first delay. Zero means 100ms, or Max if that is less.
	Min time.Duration
	// Max is the largest delay. Zero means 30s, or Min if that is more.
	Max time.Duration
	// Factor multiplies the delay after each failure. Zero means 2.
	Factor float64
	// Jitter randomizes each delay; NewCmd sets it.
	Jitter bool
}

var restartPolicyNames = enumNames{typ: "RestartPolicy", names: []string{
	RestartNever:     "never",
	RestartOnFailure: "on-failure",
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
	jb := backoff.Backoff{Min: b.Min, Max: b.Max, Factor: b.Factor, Jitter: b.Jitter}
	return jb.ForAttempt(float64(attempt))
}
