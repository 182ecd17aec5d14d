//go:build unix

package notify_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/overseer-go/overseer/notify"
)

// lifeline makes a pipe, points OVERSEER_LIFELINE_FD at its read end, and
// returns its write end: the supervisor's.
func lifeline(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = r.Close(), w.Close() })
	t.Setenv("OVERSEER_LIFELINE_FD", strconv.Itoa(fdOf(t, r)))
	return r, w
}

// fdOf returns f's fd without putting it in blocking mode, as f.Fd does.
func fdOf(t *testing.T, f *os.File) int {
	t.Helper()
	raw, err := f.SyscallConn()
	require.NoError(t, err)
	var fd int
	require.NoError(t, raw.Control(func(u uintptr) { fd = int(u) }))
	return fd
}

// done waits for ctx to be done and returns its cause.
func done(t *testing.T, ctx context.Context) error {
	t.Helper()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-time.After(timeout):
		t.Fatal("context not done")
		return nil
	}
}

// noSignal makes OVERSEER_STOP_SIGNAL a signal no one sends, so that a
// stray SIGTERM cannot end a test by cancelling its context.
func noSignal(t *testing.T) {
	t.Setenv("OVERSEER_STOP_SIGNAL", strconv.Itoa(int(syscall.SIGUSR2)))
}

func TestContextLifeline(t *testing.T) {
	noSignal(t)
	r, w := lifeline(t)
	ctx, stop := notify.Context(context.Background())
	defer stop()
	// A second Context watches the same lifeline.
	ctx2, stop2 := notify.Context(context.Background())
	defer stop2()
	require.NoError(t, ctx.Err())

	require.NoError(t, w.Close())
	assert.ErrorIs(t, done(t, ctx), notify.ErrSupervisorGone)
	assert.ErrorIs(t, done(t, ctx2), notify.ErrSupervisorGone)
	stop()
	stop2()

	// The inherited fd is left open: Context closed only its duplicates.
	var st syscall.Stat_t
	assert.NoError(t, syscall.Fstat(fdOf(t, r), &st))
}

func TestContextLifelineAlreadyGone(t *testing.T) {
	noSignal(t)
	_, w := lifeline(t)
	require.NoError(t, w.Close())
	ctx, stop := notify.Context(context.Background())
	defer stop()
	assert.ErrorIs(t, done(t, ctx), notify.ErrSupervisorGone)
}

func TestContextStopSignal(t *testing.T) {
	t.Setenv("OVERSEER_STOP_SIGNAL", strconv.Itoa(int(syscall.SIGUSR1)))
	lifeline(t)
	ctx, stop := notify.Context(context.Background())
	defer stop()
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGUSR1))
	assert.ErrorIs(t, done(t, ctx), notify.ErrStopSignal)
}

func TestContextStopSignalNoLifeline(t *testing.T) {
	t.Setenv("OVERSEER_STOP_SIGNAL", strconv.Itoa(int(syscall.SIGUSR1)))
	unsetenv(t, "OVERSEER_LIFELINE_FD")
	ctx, stop := notify.Context(context.Background())
	defer stop()
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGUSR1))
	assert.ErrorIs(t, done(t, ctx), notify.ErrStopSignal)
}

func TestContextStop(t *testing.T) {
	noSignal(t)
	_, w := lifeline(t)
	ctx, stop := notify.Context(context.Background())
	assert.Equal(t, 2, contextGoroutines(), "one for the signal, one for the lifeline")
	stop()
	// Every goroutine has ended when stop returns: no waiting for them.
	assert.Zero(t, contextGoroutines())
	goleak.VerifyNone(t)
	assert.ErrorIs(t, done(t, ctx), context.Canceled)
	stop() // again: nothing happens
	// The supervisor's going comes too late to change the cause.
	require.NoError(t, w.Close())
	assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
}

// contextGoroutines counts the goroutines started by notify.Context, now:
// those started by a sync.WaitGroup, which nothing else in this test binary
// uses (one that has not run yet shows only the WaitGroup's frame).
func contextGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Count(string(buf), "sync.(*WaitGroup).Go.func1()")
}

func TestContextParent(t *testing.T) {
	noSignal(t)
	lifeline(t)
	parent, cancel := context.WithCancelCause(context.Background())
	ctx, stop := notify.Context(parent)
	defer stop()
	require.NoError(t, ctx.Err())
	errParent := errors.New("parent done")
	cancel(errParent)
	assert.ErrorIs(t, done(t, ctx), errParent)
	stop()
	assert.Zero(t, contextGoroutines())
	goleak.VerifyNone(t)
}

func TestContextNotALifeline(t *testing.T) {
	noSignal(t)
	// An empty file reads as end of file at once: Context must not take it
	// for a lifeline, nor read from what is not a pipe.
	f, err := os.Create(filepath.Join(t.TempDir(), "empty"))
	require.NoError(t, err)
	defer f.Close()
	for _, v := range []string{strconv.Itoa(fdOf(t, f)), "-1", "999999", "x"} {
		t.Setenv("OVERSEER_LIFELINE_FD", v)
		ctx, stop := notify.Context(context.Background())
		require.NoError(t, ctx.Err(), v)
		stop()
		assert.ErrorIs(t, context.Cause(ctx), context.Canceled, v)
	}
}
