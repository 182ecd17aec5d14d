//go:build linux

package overseer

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Under WithSubreaper the members of a run's group come to the host when
// the leader dies; the run kills and reaps them before it ends, so none is
// left a zombie of the host, whether the leader exits or is stopped.
//
// It runs in a copy of the test binary, since the subreaper attribute is for
// the life of the process.
func TestSubreaperReapsTheGroup(t *testing.T) {
	if os.Getenv("OVERSEER_TEST_SUBREAPER") == "1" {
		subreaperHelper(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSubreaperReapsTheGroup$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "OVERSEER_TEST_SUBREAPER=1", "GORACE=atexit_sleep_ms=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	i := bytes.Index(out, []byte("zombies:"))
	require.GreaterOrEqual(t, i, 0, "%s", out)
	var leaderExits, stopped int
	_, err = fmt.Sscanf(string(out[i:]), "zombies:%d,%d", &leaderExits, &stopped)
	require.NoError(t, err, "%s", out)
	assert.Zero(t, leaderExits, "zombie children of the host after 3 runs whose leader exited leaving 2 processes in its group")
	assert.Zero(t, stopped, "zombie children of the host after Stop of 3 runs with 2 processes in the group")
}

func subreaperHelper(t *testing.T) {
	o := NewOverseer(WithSubreaper())
	t.Cleanup(func() { o.StopAll() })
	exits, err := o.Add("exits", childPath, "spawn:2", "exit:0")
	require.NoError(t, err)
	exits.Restart = RestartNever
	for range 3 {
		require.NoError(t, exits.Start())
		wait(t, exits)
	}
	afterExits := len(defunctChildren(t)) // the runs have ended: nothing is left to happen

	stops, err := o.Add("stops", childPath, "spawn:2", "ready", "sleep")
	require.NoError(t, err)
	stops.Restart = RestartNever
	for range 3 {
		require.NoError(t, stops.Start())
		waitLine(t, stops, "ready")
		stops.Stop()
	}
	fmt.Printf("zombies:%d,%d\n", afterExits, len(defunctChildren(t))-afterExits)
}
