package overseer

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A start whose exec hangs (a Dir on a dead mount, a program on a FIFO)
// holds up that start and whoever waits for it, and nothing else: the
// exec runs without the Cmd's lock, in the supervision's goroutine. On
// code that executes under the lock, or in SuperviseAll's own goroutine,
// the other process never starts and Signal hangs.
func TestHungExecHoldsUpOnlyItsStart(t *testing.T) {
	o := newTestOverseer(t)
	hung, err := o.Add("hung", childPath, "sleep")
	require.NoError(t, err)
	_, err = o.Add("other", childPath, "sleep")
	require.NoError(t, err)
	entered, unblock := make(chan struct{}), make(chan struct{})
	hung.beforeExec = func() { close(entered); <-unblock }
	released := false
	release := func() {
		if !released {
			released = true
			close(unblock)
		}
	}
	defer release()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goSuperviseAll(ctx, o)
	<-entered

	// The other process starts, is stopped and started again.
	waitState(t, o, "other", StateRunning)
	within(t, "Stop(other)", func() { require.NoError(t, o.Stop("other")) })
	require.NoError(t, o.Start("other"))
	waitState(t, o, "other", StateRunning)

	// The hung one is starting, with no process to signal yet.
	assert.Equal(t, StateStarting, status(t, o, "hung").State)
	within(t, "Signal(hung)", func() {
		assert.ErrorIs(t, o.Signal("hung", 0+15), os.ErrProcessDone)
	})

	// A Stop during the exec is recorded at once (stopping) and acted on
	// when the exec returns: the run it started is stopped, never running.
	stopped := make(chan error, 1)
	go func() { stopped <- o.Stop("hung") }()
	waitState(t, o, "hung", StateStopping)
	notReturned(t, stopped, "Stop(hung) before the exec returned")
	release()
	require.NoError(t, recvErr(t, stopped, "Stop(hung)"))
	st := status(t, o, "hung")
	assert.Equal(t, StateInterrupted, st.State)
	assert.True(t, st.Stopped)
	assert.NotZero(t, st.PID, "the exec returned a process, which was stopped")

	cancel()
	err = recvErr(t, errc, "SuperviseAll")
	assert.NoError(t, err)
	assert.False(t, errors.Is(err, ErrRunning))
}

// A launch stopped before its exec began executes nothing: it ends
// interrupted, with no process. (The window is between supervise, which
// prepares the first start, and the supervision's goroutine, which
// executes it; this test holds it open by taking the steps itself.)
func TestLaunchStoppedBeforeExecRunsNothing(t *testing.T) {
	marker := t.TempDir() + "/ran"
	c := NewCmd("sh", "-c", "touch "+marker)
	c.mu.Lock()
	l, err := c.prepareLaunchLocked(notRestart)
	require.NoError(t, err)
	req := c.requestStopLocked()
	c.unlock()
	assert.Equal(t, StateStopping, c.Status().State)

	require.NoError(t, c.execLaunch(l))
	req.wait()
	st := c.Wait()
	assert.Equal(t, StateInterrupted, st.State)
	assert.True(t, st.Stopped)
	assert.Zero(t, st.PID)
	assert.NoFileExists(t, marker, "the program ran")
}
