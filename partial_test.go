//go:build unix

package overseer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An unfinished line shows up live: a prompt that waits for input arrives
// as a Partial Line, and what follows goes on in the next Line.
func TestPartialLineIsDeliveredLive(t *testing.T) {
	c, _ := newChild(t, "raw:Password: ", "sleep")
	require.NoError(t, c.Start())
	waitLine(t, c, "Password: ")
	lines := c.Lines(0)
	require.Len(t, lines, 1)
	assert.True(t, lines[0].Partial, "the prompt continues in the next Line")
	c.Stop()
}

// A progress bar redrawn with "\r" shows its state live; the "\r" that
// ends it waits, since a "\n" could follow and drop it, and comes with the
// end of the stream.
func TestPartialProgressBar(t *testing.T) {
	c, _ := newChild(t, "raw:10%\\r", "sleep")
	require.NoError(t, c.Start())
	waitLine(t, c, "10%")
	c.Stop()
	assert.Equal(t, []Line{{Text: "10%", Partial: true}, {Text: "\r"}}, textPartial(c.Lines(0)))
}
