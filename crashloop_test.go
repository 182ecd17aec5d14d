//go:build unix

package overseer

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// A crash loop is contained in memory: 50 processes that fail at once,
// restarted for ever, hold no more memory after thousands of restarts than
// after hundreds. The restarts go in rounds: every backoff waits for the
// test, which lets all 50 go at once, then waits until all 50 are back in
// their backoffs, when nothing runs and the heap can be measured without
// catching a run half done.
func TestCrashLoopMemory(t *testing.T) {
	const (
		procs       = 50
		first, last = 10, 100 // rounds of 50 restarts: 500 and 5,000 restarts
	)
	o := newTestOverseer(t)
	g := newGateTimer(procs)
	o.timer = g.timer
	ids := make([]string, procs)
	for i := range ids {
		ids[i] = fmt.Sprintf("crash%02d", i)
		c := addChild(t, o, ids[i], "exit:1")
		c.Restart, c.MaxRestarts = RestartAlways, -1
	}
	for _, id := range ids {
		require.NoError(t, o.Start(id))
	}
	g.waitAll(t) // every first run has failed

	restarts := func() int {
		n := 0
		for _, id := range ids {
			st := status(t, o, id)
			require.Equal(t, StateBackoff, st.State, id)
			require.Equal(t, 1, st.Exit, id)
			n += st.Restarts
		}
		return n
	}
	var heapFirst uint64
	var goroutinesFirst int
	for round := 1; round <= last; round++ {
		g.release()
		g.waitAll(t)
		switch round {
		case first:
			require.Equal(t, first*procs, restarts())
			heapFirst, goroutinesFirst = heapAlloc(), runtime.NumGoroutine()
		case last:
			require.Equal(t, last*procs, restarts())
			heapLast := heapAlloc()
			t.Logf("heap after %d restarts: %d bytes; after %d: %d bytes (%+d)",
				first*procs, heapFirst, last*procs, heapLast, int64(heapLast)-int64(heapFirst))
			assert.LessOrEqual(t, int64(heapLast)-int64(heapFirst), int64(1<<20),
				"the heap grew by more than 1 MB from %d restarts to %d", first*procs, last*procs)
			// A run's goroutines may still be returning. (eventually
			// calls its condition in this goroutine and starts none.)
			var goroutinesLast int
			eventually(t, func() bool {
				goroutinesLast = runtime.NumGoroutine()
				return goroutinesLast <= goroutinesFirst
			}, "goroutines after %d restarts: %d, after %d: %v, want no more", first*procs, goroutinesFirst, last*procs,
				testbuild.Later(func() string { return fmt.Sprint(goroutinesLast) }))
		}
	}

	within(t, "StopAll", func() { o.StopAll() })
	assert.Empty(t, activeIDs(o))
	for _, id := range ids {
		st := status(t, o, id)
		assert.Equal(t, StateInterrupted, st.State, "%s: stopped in its backoff", id)
		assert.Equal(t, last, st.Restarts, id)
	}
	goleak.VerifyNone(t, ignoreGuardian)
}

// heapAlloc returns the bytes of live heap objects after a full collection
// (two, so that what sync.Pools hold is gone too).
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// gateTimer holds every timer until release, keeping nothing of the timers
// released, so that the test's own memory does not grow with the restarts.
type gateTimer struct {
	n       int
	arrived chan struct{} // one per timer started

	mu      sync.Mutex
	pending []chan time.Time
}

func newGateTimer(n int) *gateTimer {
	return &gateTimer{n: n, arrived: make(chan struct{}, n), pending: make([]chan time.Time, 0, n)}
}

func (g *gateTimer) timer(time.Duration) (<-chan time.Time, func() bool) {
	ch := make(chan time.Time, 1)
	g.mu.Lock()
	g.pending = append(g.pending, ch)
	g.mu.Unlock()
	g.arrived <- struct{}{}
	return ch, func() bool { return true }
}

// waitAll waits until n timers have been started since the last release.
func (g *gateTimer) waitAll(t *testing.T) {
	t.Helper()
	for i := range g.n {
		select {
		case <-g.arrived:
		case <-time.After(waitTimeout):
			t.Fatalf("%d of %d processes are in their backoff after %v", i, g.n, waitTimeout)
		}
	}
}

// release fires the timers held.
func (g *gateTimer) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, ch := range g.pending {
		ch <- time.Now()
		g.pending[i] = nil
	}
	g.pending = g.pending[:0]
}
