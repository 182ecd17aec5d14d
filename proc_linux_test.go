package overseer

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// threads returns the number of OS threads of this process.
func threads(t *testing.T) int {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			require.NoError(t, err)
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

func TestWaitingChildrenHoldNoThreads(t *testing.T) {
	const n = 64
	before := threads(t)
	cmds := make([]*Cmd, n)
	for i := range cmds {
		cmds[i], _ = newChild(t, "ready", "sleep")
		require.NoError(t, cmds[i].Start())
	}
	for _, c := range cmds {
		waitLine(t, c, "ready")
	}
	// os/exec's Wait would hold one thread per child in wait4; a pidfd in
	// the netpoller holds none. Allow the runtime some threads of its own.
	require.Less(t, threads(t)-before, n/2, "threads grew with the number of waiting children")
	for _, c := range cmds {
		c.Stop()
	}
}
