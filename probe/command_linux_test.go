package probe

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestCommandLeavesNothing: what a passing command left in its group is
// killed when it exits. The test binary is made a subreaper, so that the
// orphan comes to it and its end can be waited for.
func TestCommandLeavesNothing(t *testing.T) {
	require.NoError(t, unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)

	pidFile := filepath.Join(t.TempDir(), "pid")
	var pgid int
	start := time.Now()
	err := (&Command{
		Args:    []string{"sh", "-c", `sleep 100 & echo $! >"$0"`, pidFile},
		started: func(g int) { pgid = g },
	}).Ready(context.Background(), nil)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), waitDelay+time.Second, "Ready waited for the process left behind")

	b, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)

	done := make(chan syscall.WaitStatus, 1)
	go func() {
		var ws syscall.WaitStatus
		for {
			_, err := syscall.Wait4(pid, &ws, 0, nil)
			if err != syscall.EINTR {
				break
			}
		}
		done <- ws
	}()
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case ws := <-done:
		assert.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "the process left behind ended with %v", ws)
	case <-timer.C:
		_ = syscall.Kill(pid, syscall.SIGKILL)
		<-done
		t.Fatalf("process %d, left behind in group %d, was not killed", pid, pgid)
	}
	assert.ErrorIs(t, syscall.Kill(-pgid, 0), syscall.ESRCH, "process group %d is still there", pgid)
}
