package probe

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

func TestPollPassesOnFirstSuccess(t *testing.T) {
	n := 0
	err := poll(context.Background(), "x", schedule{period: time.Millisecond, timeout: time.Second},
		func(context.Context) error {
			n++
			if n < 3 {
				return errors.New("not yet")
			}
			return nil
		}, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
}

func TestPollWrapsTheLastTry(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := poll(ctx, "x", schedule{period: time.Millisecond, timeout: time.Second},
		func(context.Context) error {
			n++
			if n == 3 {
				cancel()
			}
			return errors.New("refused " + string(rune('0'+n)))
		}, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "probe: x:")
	assert.Contains(t, err.Error(), "last try: refused 3")
	assert.NotErrorIs(t, err, overseer.ErrInvalid)
}

func TestPollDoneBeforeTheFirstTry(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := poll(ctx, "x", schedule{period: time.Millisecond, timeout: time.Second},
		func(context.Context) error { t.Error("tried"); return nil }, nil)
	require.ErrorIs(t, err, context.Canceled)
}

func TestPollSaysATryTimedOut(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := poll(ctx, "x", schedule{period: time.Millisecond, timeout: time.Millisecond},
		func(tctx context.Context) error {
			<-tctx.Done()
			return tctx.Err()
		}, func(error) { cancel() })
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "last try: timed out after 1ms")
}

// TestBadSchedule checks that every polling probe refuses negative
// durations at once, with ErrInvalid and not a context error.
func TestBadSchedule(t *testing.T) {
	probes := map[string]func(p, to time.Duration) overseer.Probe{
		"tcp": func(p, to time.Duration) overseer.Probe { return &TCP{Addr: "127.0.0.1:1", Period: p, Timeout: to} },
		"http": func(p, to time.Duration) overseer.Probe {
			return &HTTP{URL: "http://127.0.0.1:1/", Period: p, Timeout: to}
		},
		"command": func(p, to time.Duration) overseer.Probe {
			return &Command{Args: []string{"true"}, Period: p, Timeout: to}
		},
	}
	for name, mk := range probes {
		for _, c := range []struct {
			field       string
			period, tmo time.Duration
		}{{"Period", -1, 0}, {"Timeout", 0, -time.Second}} {
			t.Run(name+"/"+c.field, func(t *testing.T) {
				err := mk(c.period, c.tmo).Ready(context.Background(), nil)
				require.ErrorIs(t, err, overseer.ErrInvalid)
				assert.Contains(t, err.Error(), c.field)
				assert.NotErrorIs(t, err, context.DeadlineExceeded)
				assert.NotErrorIs(t, err, context.Canceled)
			})
		}
	}
}

// TestPollKeepsTheTryBeforeACutOne: a try cut short by the end of ctx says
// less than the one before it.
func TestPollKeepsTheTryBeforeACutOne(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := poll(ctx, "x", schedule{period: time.Millisecond, timeout: time.Second},
		func(tctx context.Context) error {
			n++
			if n == 1 {
				return errors.New("status 503")
			}
			cancel()
			return tctx.Err()
		}, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "last try: status 503")
}
