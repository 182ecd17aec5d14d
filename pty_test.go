//go:build linux

package overseer

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Under PTY the child writes to a terminal; both streams arrive as stdout,
// the terminal's "\r\n" line ends cut as usual, and the run ends when the
// terminal is closed.
func TestPTY(t *testing.T) {
	c, _ := newChild(t, "stdoutkind", "out:to stdout", "err:to stderr", "exit:3")
	c.PTY = true
	var raw syncBuffer
	c.Stdout = &raw
	require.NoError(t, c.Start())
	st := c.Wait()
	assert.Equal(t, StateFinished, st.State)
	assert.Equal(t, 3, st.Exit)
	assert.Equal(t, []string{"stdout:terminal", "to stdout", "to stderr"}, st.Stdout)
	assert.Empty(t, st.Stderr)
	assert.Equal(t, "stdout:terminal\r\nto stdout\r\nto stderr\r\n", raw.String(), "the raw writer gets the terminal's bytes")

	// Without PTY the same child writes to a pipe.
	c, _ = newChild(t, "stdoutkind")
	require.NoError(t, c.Start())
	assert.Equal(t, []string{"stdout:other"}, c.Wait().Stdout)
}

// Stop reaches a PTY run's whole session: its group is its session.
func TestPTYStop(t *testing.T) {
	c, _ := newChild(t, "spawn:2", "ready", "sleep")
	c.PTY = true
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	var pids []int
	for _, l := range c.Lines(0) {
		var pid int
		if n, _ := fmt.Sscanf(l.Text, "pid:%d", &pid); n == 1 {
			pids = append(pids, pid)
		}
	}
	require.Len(t, pids, 2)
	c.Stop()
	assert.Equal(t, StateInterrupted, c.Status().State)
	for _, pid := range pids {
		eventually(t, func() bool { return processGone(pid) }, "grandchild %d survived Stop", pid)
	}
}
