package probe

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The defaults of Period and Timeout.
const (
	defaultPeriod  = 200 * time.Millisecond
	defaultTimeout = time.Second
)

// schedule is the Period and Timeout of a polling probe, defaults filled in.
type schedule struct {
	period, timeout time.Duration
}

// newSchedule checks period and timeout and fills in their defaults. what
// names the probe in the error.
func newSchedule(what string, period, timeout time.Duration) (schedule, error) {
	if period < 0 {
		return schedule{}, invalid("%s: Period %v is negative", what, period)
	}
	if timeout < 0 {
		return schedule{}, invalid("%s: Timeout %v is negative", what, timeout)
	}
	s := schedule{period: period, timeout: timeout}
	if s.period == 0 {
		s.period = defaultPeriod
	}
	if s.timeout == 0 {
		s.timeout = defaultTimeout
	}
	return s, nil
}

// poll calls try, each call bounded by s.timeout, waiting s.period between
// failed calls, until a call returns nil (then poll returns nil) or ctx is
// done (then poll returns ctx.Err(), wrapped with the error of the last
// call). tried, when not nil, is told the result of every call (a test
// hook).
func poll(ctx context.Context, what string, s schedule, try func(context.Context) error, tried func(error)) error {
	var lastErr error
	for {
		if err := ctx.Err(); err != nil {
			if lastErr == nil {
				return fmt.Errorf("probe: %s: %w (never tried)", what, err)
			}
			return fmt.Errorf("probe: %s: %w (last try: %v)", what, err, lastErr)
		}
		tryCtx, cancel := context.WithTimeout(ctx, s.timeout)
		err := try(tryCtx)
		if err != nil && tryCtx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("timed out after %v: %w", s.timeout, err)
		}
		cancel()
		if tried != nil {
			tried(err)
		}
		if err == nil {
			return nil
		}
		if lastErr == nil || ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
			// A try cut short because ctx is done says less than the
			// one before it.
			lastErr = err
		}
		t := time.NewTimer(s.period)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
}

// check makes one try of a Check, bounded by ctx alone (a probe's Period
// and Timeout are the readiness's: Liveness has its own), and returns nil,
// or the try's error after what: "tcp 127.0.0.1:8080: connection refused".
func check(ctx context.Context, what string, try func(context.Context) error) error {
	if err := try(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
