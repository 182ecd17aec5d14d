package overseer

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrUnhealthy reports a run that failed its liveness probe (see
// Cmd.Liveness) Failures times in a row: the Status.Error of a run
// restarted for that reason wraps it.
var ErrUnhealthy = errors.New("overseer: process unhealthy")

// Checker is a liveness probe: it tells whether a run that is up is still
// well (see Cmd.Liveness). Package probe's TCP, HTTP and Command probes
// are Checkers, and so is its Line probe, which passes when a matching
// line was written since the try before.
type Checker interface {
	// Check makes one try and returns nil when the run is healthy. ctx
	// is done when the try's Timeout passes or the run ends: a Check
	// that does not heed it is abandoned then, and no other try of the
	// same run starts before it has returned. It is called from a
	// goroutine of the run, never two at once for one run.
	Check(ctx context.Context, run *ProbeRun) error
}

// Liveness is when and how the Overseer checks that a run stays well,
// once it is ready (see Cmd.Ready), as Kubernetes' livenessProbe and
// process-compose's liveness_probe do. A run whose Check fails Failures
// times in a row is unhealthy: it is stopped gracefully, as by Stop
// (StopSignal or StopCommand, then SIGKILL after StopTimeout), and counts
// as failed for the restart policy, with an error wrapping ErrUnhealthy
// as its Status.Error ("overseer: web: liveness: http
// http://127.0.0.1:8080/healthz: status 500 after 3 tries").
//
// Readiness (Cmd.Ready) says when a run is up; liveness, whether it is
// still well; the watchdog (Cmd.Watchdog), whether a program written for
// systemd still pings. The zero value checks nothing.
type Liveness struct {
	// Check is the probe; nil means no liveness check.
	Check Checker
	// Period is the time from the start of one try to the start of the
	// next, give or take a twentieth of it (at most half a second): the
	// tries of all runs are placed on a shared grid, so that many runs
	// wake the host once. Zero means 10s.
	Period time.Duration
	// Timeout bounds one try: a try still going then is a failure. Zero
	// means 1s; it is at most Period.
	Timeout time.Duration
	// Failures is how many failed tries in a row make the run unhealthy.
	// Zero means 3.
	Failures int
	// Successes is how many passed tries in a row make a run healthy: its
	// health is unknown until then. A healthy run stays so through fewer
	// than Failures failed tries in a row. Zero means 1.
	Successes int
	// InitialDelay is waited after the run is ready before the first try,
	// which comes up to a tenth of Period later (at most 1s), as every
	// try is placed on a grid the tries of all runs share. Zero means
	// none.
	InitialDelay time.Duration
}

// Health is what the liveness probe says of the run in progress (see
// Cmd.Liveness).
type Health uint8

// The health of a process.
const (
	// HealthNone: the Cmd has no liveness probe.
	HealthNone Health = iota
	// HealthUnknown: the run has no verdict yet (not ready, within its
	// InitialDelay, or fewer passed tries than Successes), or no run is
	// in progress.
	HealthUnknown
	// HealthHealthy: the last Successes tries passed, and fewer than
	// Failures have failed since.
	HealthHealthy
	// HealthUnhealthy: the last Failures tries failed; the run is being
	// stopped for it.
	HealthUnhealthy
)

var healthNames = enumNames{typ: "Health", names: []string{
	HealthNone:      "none",
	HealthUnknown:   "unknown",
	HealthHealthy:   "healthy",
	HealthUnhealthy: "unhealthy",
}}

// String returns "none", "unknown", "healthy" or "unhealthy".
func (h Health) String() string { return healthNames.String(int(h)) }

// MarshalText encodes the health as its name.
func (h Health) MarshalText() ([]byte, error) { return healthNames.marshal(int(h)) }

// UnmarshalText decodes a health from its name, as written by MarshalText.
func (h *Health) UnmarshalText(text []byte) error { return unmarshalEnum(healthNames, h, text) }

// The defaults of Liveness.
const (
	defaultLivenessPeriod    = 10 * time.Second
	defaultLivenessTimeout   = time.Second
	defaultLivenessFailures  = 3
	defaultLivenessSuccesses = 1
)

// LivenessError is the Status.Error of a run that the Overseer stopped
// because its liveness probe failed Failures tries in a row (see
// Cmd.Liveness). It wraps ErrUnhealthy and the error of the last try.
type LivenessError struct {
	Name  string // the process's id, or its program for a Cmd outside an Overseer
	Tries int    // the failed tries in a row: Liveness.Failures
	Err   error  // the error of the last try
}

// Error says what the last try saw, and how many tries failed: "overseer:
// web: liveness: http http://127.0.0.1:8080/healthz: status 500 after 3
// tries".
func (e *LivenessError) Error() string {
	return fmt.Sprintf("overseer: %s: liveness: %v after %d tries", e.Name, e.Err, e.Tries)
}

// Unwrap returns ErrUnhealthy and the error of the last try.
func (e *LivenessError) Unwrap() []error { return []error{ErrUnhealthy, e.Err} }

// withDefaults checks l and returns it with its defaults filled in, or an
// error saying which field is wrong.
func (l Liveness) withDefaults() (Liveness, error) {
	for _, f := range []struct {
		name  string
		value int64
	}{
		{"Period", int64(l.Period)},
		{"Timeout", int64(l.Timeout)},
		{"Failures", int64(l.Failures)},
		{"Successes", int64(l.Successes)},
		{"InitialDelay", int64(l.InitialDelay)},
	} {
		if f.value < 0 {
			return Liveness{}, fmt.Errorf("Liveness.%s is negative (%d)", f.name, f.value)
		}
	}
	l.Period = orDefault(l.Period, defaultLivenessPeriod)
	if l.Timeout > l.Period {
		return Liveness{}, fmt.Errorf("Liveness.Timeout %v is above its Period %v", l.Timeout, l.Period)
	}
	l.Timeout = orDefault(l.Timeout, min(defaultLivenessTimeout, l.Period))
	l.Failures = orDefault(l.Failures, defaultLivenessFailures)
	l.Successes = orDefault(l.Successes, defaultLivenessSuccesses)
	return l, nil
}
