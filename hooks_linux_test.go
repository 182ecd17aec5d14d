//go:build linux

package overseer

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStopCommandGetsTheMainPIDSent checks that MAINPID, for a run that
// named its main process (MAINPID=), is that process, not the leader.
func TestStopCommandGetsTheMainPIDSent(t *testing.T) {
	c, _ := newChild(t, "spawnwith:mainpid+out:ready+sleep", "sleep")
	c.Notify = true
	c.StopTimeout = 100 * time.Millisecond
	c.StopCommand = sh(`echo "main $MAINPID"; kill -TERM "$MAINPID"`)
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	eventually(t, func() bool { return c.Status().MainPID != 0 }, "no MAINPID")
	main := c.Status().MainPID
	require.NotEqual(t, c.Status().PID, main)

	within(t, "Stop", c.Stop)
	waitHookLine(t, c, HookStopCommand, fmt.Sprintf("main %d", main))
	assert.True(t, processGone(main))
}
