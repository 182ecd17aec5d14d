package probe

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// TestCommandThroughTheCore: a Command probe learns the PID of the run
// from the Overseer, and the run is running once it passes.
func TestCommandThroughTheCore(t *testing.T) {
	o := overseer.NewOverseer()
	defer o.StopAll()
	c, err := o.Add("x", "sleep", "30")
	require.NoError(t, err)
	c.Ready = &Command{Args: []string{"sh", "-c", `test "$OVERSEER_PROBE_PID" -gt 1 && kill -0 "$OVERSEER_PROBE_PID"`}}

	events := make(chan overseer.Event, 64)
	stop := o.Watch(events)
	defer stop()
	require.NoError(t, o.Start("x"))
	e := waitState(t, events, overseer.StateRunning)
	assert.Equal(t, c.Status().PID, e.PID)
	require.NoError(t, o.Stop("x"))
	c.Wait()
}

// TestInvalidThroughTheCore: a probe that can never pass ends the run at
// once as not ready, and says why.
func TestInvalidThroughTheCore(t *testing.T) {
	o := overseer.NewOverseer()
	defer o.StopAll()
	c, err := o.Add("x", "sleep", "30")
	require.NoError(t, err)
	c.Ready = &HTTP{URL: "localhost:8080/health"}

	require.NoError(t, o.Start("x"))
	st := c.Wait()
	require.Error(t, st.Error)
	assert.ErrorIs(t, st.Error, overseer.ErrNotReady)
	assert.ErrorIs(t, st.Error, overseer.ErrInvalid)
	assert.Contains(t, st.Error.Error(), "probe: http: URL")
	assert.Less(t, st.Runtime.Seconds(), 10.0, "the run waited for something")
}
