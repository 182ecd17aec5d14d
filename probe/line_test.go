package probe

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// TestLineGatesRunning: a run with a Line probe stays starting until it
// writes the line, then is running.
func TestLineGatesRunning(t *testing.T) {
	o := overseer.NewOverseer()
	defer o.StopAll()
	c, err := o.Add("x", "/bin/sh", "-c", "echo starting; sleep 0.2; echo listening on 1234; exec sleep 30")
	require.NoError(t, err)
	c.Ready = Line(regexp.MustCompile("listening on"))

	events := make(chan overseer.Event, 64)
	stop := o.Watch(events)
	defer stop()
	require.NoError(t, o.Start("x"))
	assert.Equal(t, overseer.StateStarting.String(), c.Status().State.String(), "right after Start")

	running := waitState(t, events, overseer.StateRunning)
	assert.Equal(t, overseer.StateStarting.String(), running.From.String())
	var said *overseer.Line
	for _, l := range c.Lines(0) {
		if l.Text == "listening on 1234" {
			said = &l
		}
	}
	require.NotNil(t, said, "running before the line was written")
	assert.False(t, running.Time.Before(said.Time), "running at %v, the line at %v", running.Time, said.Time)

	require.NoError(t, o.Stop("x"))
	st := c.Wait()
	assert.Equal(t, overseer.StateInterrupted.String(), st.State.String())
}

// waitState returns the first event of events that goes to state, failing
// the test if it takes more than 10 seconds.
func waitState(t *testing.T, events <-chan overseer.Event, state overseer.State) overseer.Event {
	t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	for {
		select {
		case e := <-events:
			if e.To == state {
				return e
			}
			if e.To.IsFinal() {
				t.Fatalf("ended %v (%v) before %v", e.To, e.Error, state)
			}
		case <-timer.C:
			t.Fatalf("not %v after 10s", state)
		}
	}
}

// TestLineWithoutARun: Ready with no run, or a ProbeRun the Overseer did not
// make, is an error, not a panic nor a wait.
func TestLineWithoutARun(t *testing.T) {
	p := Line(regexp.MustCompile("x"))
	for name, run := range map[string]*overseer.ProbeRun{"zero": {}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			err := p.Ready(context.Background(), run)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "probe: line")
			assert.NotErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
		})
	}
}

func TestLineNilRegexp(t *testing.T) {
	err := Line(nil).Ready(context.Background(), &overseer.ProbeRun{})
	require.ErrorIs(t, err, overseer.ErrInvalid)
}
