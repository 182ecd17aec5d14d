//go:build unix

package probe

import (
	"context"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

func TestCommandTrue(t *testing.T) {
	require.NoError(t, (&Command{Args: []string{"true"}}).Ready(context.Background(), nil))
}

func TestCommandFalse(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	tries := 0
	err := (&Command{Args: []string{"false"}, Period: 10 * time.Millisecond, tried: func(error) { tries++ }}).Ready(ctx, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "probe: command false")
	assert.Contains(t, err.Error(), "last try: exit status 1")
	assert.Greater(t, tries, 1)
}

// TestCommandQuotesOutput: the error of a try ends with the end of what
// the command wrote.
func TestCommandQuotesOutput(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last error
	err := (&Command{
		Args:  []string{"sh", "-c", `echo "$0" >&2; exit 3`, "not yet: $ù"},
		tried: func(err error) { last = err; cancel() },
	}).Ready(ctx, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.Error(t, last)
	assert.Equal(t, "exit status 3: not yet: $ù", last.Error())
}

// TestCommandEnv: the command learns the run's PID.
func TestCommandEnv(t *testing.T) {
	run := &overseer.ProbeRun{ID: "web", PID: 4242}
	check := []string{"sh", "-c", `test "$OVERSEER_PROBE_PID" = 4242 && test "$PROBE_TEST" = yes`}
	t.Setenv("PROBE_TEST", "yes")
	require.NoError(t, (&Command{Args: check}).Ready(context.Background(), run))

	// Env replaces the host's environment; the PID is added to it.
	env := []string{"PROBE_TEST=yes", "PATH=" + os.Getenv("PATH")}
	p := &Command{Args: check, Env: env}
	require.NoError(t, p.Ready(context.Background(), run))
	assert.Len(t, p.Env, 2, "Env was changed")

	// Without a run, OVERSEER_PROBE_PID is not set, even if the host has it.
	t.Setenv("OVERSEER_PROBE_PID", "1")
	require.NoError(t, (&Command{Args: []string{"sh", "-c", `test -z "${OVERSEER_PROBE_PID+set}"`}}).Ready(context.Background(), &overseer.ProbeRun{}))
}

func TestCommandDir(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(dir+"/ready", nil, 0o600))
	require.NoError(t, (&Command{Args: []string{"test", "-e", "ready"}, Dir: dir}).Ready(context.Background(), nil))
}

// TestCommandHangs: a command that never exits is killed at Timeout, each
// try, with its process group, and none is left when Ready returns.
func TestCommandHangs(t *testing.T) {
	var mu sync.Mutex
	var groups []int
	ctx, cancel := context.WithTimeout(context.Background(), 350*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := (&Command{
		Args:    []string{"sleep", "100"},
		Period:  10 * time.Millisecond,
		Timeout: 100 * time.Millisecond,
		started: func(pgid int) { mu.Lock(); groups = append(groups, pgid); mu.Unlock() },
	}).Ready(ctx, nil)
	took := time.Since(start)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "last try: timed out after 100ms: killed: context deadline exceeded")
	assert.Less(t, took, 350*time.Millisecond+waitDelay+time.Second, "Ready outlived its context")

	mu.Lock()
	defer mu.Unlock()
	require.GreaterOrEqual(t, len(groups), 2, "each try is killed at Timeout")
	for _, pgid := range groups {
		assert.ErrorIs(t, syscall.Kill(-pgid, 0), syscall.ESRCH, "process group %d is still there", pgid)
	}
}

func TestCommandNotFound(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := (&Command{Args: []string{"/nonexistent/probe"}, tried: func(error) { cancel() }}).Ready(ctx, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "/nonexistent/probe")
}

func TestCommandBadArgs(t *testing.T) {
	for _, args := range [][]string{nil, {}, {""}} {
		err := (&Command{Args: args}).Ready(context.Background(), nil)
		require.ErrorIs(t, err, overseer.ErrInvalid)
		assert.Contains(t, err.Error(), "probe: command: no program in Args")
	}
}
