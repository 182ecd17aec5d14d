//go:build linux

package overseer

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A reload signal sent with SignalMain or Forward reaches the leader alone:
// a worker of its group that keeps the default action of SIGHUP lives on.
// Signal, for contrast, reaches the worker too.
func TestSignalMainReachesTheLeaderOnly(t *testing.T) {
	c, _ := newChild(t, "traphup:leader got HUP", "spawn:1", "ready", "sleep")
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	worker := grandchildren(t, c, 1)[0]

	require.NoError(t, c.SignalMain(syscall.SIGHUP))
	waitLine(t, c, "leader got HUP")
	reached, err := c.Forward(syscall.SIGHUP)
	require.NoError(t, err)
	assert.Equal(t, Reached{Group: false, PID: c.Status().PID}, reached)
	eventually(t, func() bool { return countLines(c, "leader got HUP") == 2 }, "the second HUP did not reach the leader")
	assert.False(t, processGone(worker), "a HUP for the main process killed a worker of its group")
	assert.Equal(t, StateRunning, c.Status().State)

	require.NoError(t, c.Signal(syscall.SIGHUP))
	eventually(t, func() bool { return processGone(worker) }, "Signal did not reach the group's worker")
	c.Stop()
}

// With MAINPID= the main process is the one the run named, not the leader:
// the leader, which would die of SIGHUP, is left alone.
func TestSignalMainReachesMainPID(t *testing.T) {
	c, _ := newChild(t, "spawnwith:traphup:main got HUP+mainpid+out:ready+sleep", "sleep")
	c.Notify = true
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	eventually(t, func() bool { return c.Status().MainPID != 0 }, "no MAINPID")
	main := c.Status().MainPID
	assert.NotEqual(t, c.Status().PID, main)

	reached, err := c.Forward(syscall.SIGHUP)
	require.NoError(t, err)
	assert.Equal(t, Reached{PID: main}, reached, "the MAINPID")
	waitLine(t, c, "main got HUP")
	assert.Equal(t, StateRunning, c.Status().State, "the leader got the HUP")

	// A MAINPID that has left the group no longer counts: the leader
	// stands for the run (and, keeping SIGHUP's default, dies of it).
	require.NoError(t, syscall.Kill(main, syscall.SIGKILL))
	eventually(t, func() bool { return processGone(main) }, "the main process did not die")
	require.NoError(t, c.SignalMain(syscall.SIGHUP))
	st := c.Wait()
	var se *SignalError
	require.ErrorAs(t, st.Error, &se)
	assert.Equal(t, syscall.SIGHUP, se.Signal)
	assert.Zero(t, st.MainPID, "MAINPID outlived its run")
}

// Forward sends the signals that end a process, and the Cmd's StopSignal,
// to the whole group.
func TestForwardStopSignalsReachTheGroup(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			c, _ := newChild(t, "spawn:1", "ready", "sleep")
			c.StopSignal = syscall.SIGHUP // a reload signal otherwise
			require.NoError(t, c.Start())
			waitLine(t, c, "ready")
			worker := grandchildren(t, c, 1)[0]
			reached, err := c.Forward(sig)
			require.NoError(t, err)
			assert.Equal(t, Reached{Group: true, PID: c.Status().PID}, reached)
			eventually(t, func() bool { return processGone(worker) }, "%v did not reach the group", sig)
			c.Wait()
		})
	}
}

func TestSignalMainErrors(t *testing.T) {
	c, _ := newChild(t, "exit:0")
	assert.ErrorIs(t, c.SignalMain(syscall.SIGHUP), os.ErrProcessDone, "never started")
	assert.ErrorIs(t, c.SignalMain(0), ErrInvalid)
	_, err := c.Forward(65)
	assert.ErrorIs(t, err, ErrInvalid)
	require.NoError(t, c.Start())
	c.Wait()
	_, err = c.Forward(syscall.SIGHUP)
	assert.ErrorIs(t, err, os.ErrProcessDone, "ended")
	o := NewOverseer()
	assert.ErrorIs(t, o.SignalMain("nope", syscall.SIGHUP), ErrNotFound)
	_, err = o.Forward("nope", syscall.SIGHUP)
	assert.ErrorIs(t, err, ErrNotFound)
}

// countLines counts the lines of c with the given text.
func countLines(c *Cmd, text string) int {
	n := 0
	for _, l := range c.Lines(0) {
		if l.Text == text {
			n++
		}
	}
	return n
}
