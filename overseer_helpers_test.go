//go:build unix

package overseer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Helpers for the tests of the Overseer: a test Overseer, fake timers, an
// event log fed by Watch, and waits bounded by waitTimeout.

// newTestOverseer returns an Overseer that fails t on an illegal state
// transition and stops all its processes when t ends.
func newTestOverseer(t *testing.T) *Overseer {
	t.Helper()
	o := NewOverseer()
	o.onIllegal = func(from, to State) {
		t.Errorf("illegal transition %v -> %v", from, to)
	}
	t.Cleanup(func() { o.StopAll() })
	return o
}

// fakeTimer stands for the real timers of backoffs and StartDelays: it
// records every delay asked for and fires at once, or, when hold is set,
// only when the test calls release.
type fakeTimer struct {
	hold bool

	mu      sync.Mutex
	delays  []time.Duration
	pending []chan time.Time
	stops   int // calls of the stop functions
}

// useFakeTimer makes o's processes use a fake timer; call it before Add.
func useFakeTimer(o *Overseer, hold bool) *fakeTimer {
	f := &fakeTimer{hold: hold}
	o.timer = f.timer
	return f
}

func (f *fakeTimer) timer(d time.Duration) (<-chan time.Time, func() bool) {
	ch := make(chan time.Time, 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delays = append(f.delays, d)
	if f.hold {
		f.pending = append(f.pending, ch)
	} else {
		ch <- time.Now()
	}
	return ch, func() bool {
		f.mu.Lock()
		f.stops++
		f.mu.Unlock()
		return true
	}
}

// recorded returns the delays asked for so far.
func (f *fakeTimer) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.delays)
}

// stopped returns how many timers were stopped.
func (f *fakeTimer) stopped() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stops
}

// release fires the timers held so far.
func (f *fakeTimer) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ch := range f.pending {
		ch <- time.Now()
	}
	f.pending = nil
}

// ms is a number of milliseconds, to keep the delay tables short.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// addChild registers the test child with the given operations under id.
func addChild(t *testing.T, o *Overseer, id string, ops ...string) *Cmd {
	t.Helper()
	c, err := o.Add(id, append([]string{childPath}, ops...)...)
	require.NoError(t, err)
	return c
}

// eventLog keeps every event an Overseer publishes, through Watch.
type eventLog struct {
	ch   chan Event
	stop func()
	done chan struct{}
	once sync.Once

	mu     sync.Mutex
	events []Event
}

// watchEvents subscribes an eventLog to o until t ends (or close).
func watchEvents(t *testing.T, o *Overseer) *eventLog {
	l := &eventLog{ch: make(chan Event, 1<<14), done: make(chan struct{})}
	l.stop = o.Watch(l.ch)
	go func() {
		defer close(l.done)
		for ev := range l.ch {
			l.mu.Lock()
			l.events = append(l.events, ev)
			l.mu.Unlock()
		}
	}()
	t.Cleanup(l.close)
	return l
}

// close ends the subscription and waits until every event sent is kept.
func (l *eventLog) close() {
	l.once.Do(func() {
		l.stop()
		close(l.ch)
		<-l.done
	})
}

// of returns the events of process id.
func (l *eventLog) of(id string) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	for _, ev := range l.events {
		if ev.ID == id {
			out = append(out, ev)
		}
	}
	return out
}

// transitions returns the changes of process id as "from>to" strings.
func (l *eventLog) transitions(id string) []string {
	var out []string
	for _, ev := range l.of(id) {
		out = append(out, ev.From.String()+">"+ev.To.String())
	}
	return out
}

// count returns how many changes of process id went to state to.
func (l *eventLog) count(id string, to State) int {
	n := 0
	for _, ev := range l.of(id) {
		if ev.To == to {
			n++
		}
	}
	return n
}

// waitCount waits until process id went to state to at least n times.
func (l *eventLog) waitCount(t *testing.T, id string, to State, n int) {
	t.Helper()
	eventually(t, func() bool { return l.count(id, to) >= n },
		"%s did not go to %v %d times: %v", id, to, n, l.transitions(id))
}

// waitRuns waits until process id has run n times, and fails t if it
// comes to rest (finished or fatal) before.
func (l *eventLog) waitRuns(t *testing.T, id string, n int) {
	t.Helper()
	eventually(t, func() bool {
		return l.count(id, StateRunning) >= n || l.count(id, StateFinished)+l.count(id, StateFatal) > 0
	}, "%s did not run %d times: %v", id, n, l.transitions(id))
	require.Zero(t, l.count(id, StateFinished)+l.count(id, StateFatal),
		"%s came to rest after %d runs: %v", id, l.count(id, StateRunning), l.transitions(id))
}

// runsOf is the transitions of a supervision that made restarts restarts
// and ended in last.
func runsOf(restarts int, last State) []string {
	out := []string{"initial>starting", "starting>running"}
	for range restarts {
		out = append(out, "running>backoff", "backoff>starting", "starting>running")
	}
	return append(out, "running>"+last.String())
}

// waitState waits until process id is in one of states, and returns its
// Status then.
func waitState(t *testing.T, o *Overseer, id string, states ...State) Status {
	t.Helper()
	var st Status
	eventually(t, func() bool {
		var err error
		st, err = o.Status(id)
		require.NoError(t, err)
		return slices.Contains(states, st.State)
	}, "%s is not in %v", id, states)
	return st
}

// status returns the Status of process id.
func status(t *testing.T, o *Overseer, id string) Status {
	t.Helper()
	st, err := o.Status(id)
	require.NoError(t, err)
	return st
}

// within runs f and fails t if it does not return within waitTimeout.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(waitTimeout):
		t.Fatalf("%s did not return within %v", what, waitTimeout)
	}
}

// goSupervise runs Supervise in a goroutine; its error comes on the channel.
func goSupervise(ctx context.Context, o *Overseer, id string) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- o.Supervise(ctx, id) }()
	return ch
}

// goSuperviseAll runs SuperviseAll in a goroutine; its error comes on the
// channel, with an error added if some process was still active when it
// returned.
func goSuperviseAll(ctx context.Context, o *Overseer) <-chan error {
	ch := make(chan error, 1)
	go func() {
		err := o.SuperviseAll(ctx)
		if ids := activeIDs(o); len(ids) > 0 {
			err = errors.Join(err, fmt.Errorf("SuperviseAll returned while %v are active", ids))
		}
		ch <- err
	}()
	return ch
}

// activeIDs returns the ids of the processes that run or wait to (re)start.
func activeIDs(o *Overseer) []string {
	var ids []string
	for _, id := range o.ListAll() {
		if st, err := o.Status(id); err == nil && isActive(st.State) {
			ids = append(ids, id)
		}
	}
	return ids
}

// isActive reports whether a process in state s runs or waits to (re)start.
func isActive(s State) bool {
	return s == StateStarting || s == StateRunning || s == StateStopping || s == StateBackoff
}

// recvErr waits for the error on ch.
func recvErr(t *testing.T, ch <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(waitTimeout):
		t.Fatalf("%s did not return within %v", what, waitTimeout)
		return nil
	}
}

// notReturned fails t if ch already holds a result.
func notReturned(t *testing.T, ch <-chan error, what string) {
	t.Helper()
	select {
	case err := <-ch:
		t.Fatalf("%s returned early: %v", what, err)
	default:
	}
}

// superviseRuns supervises id until it has made n runs, then stops it and
// checks that Supervise returned nil for the stop.
func superviseRuns(t *testing.T, o *Overseer, log *eventLog, id string, n int) {
	t.Helper()
	errc := goSupervise(context.Background(), o, id)
	log.waitRuns(t, id, n)
	require.NoError(t, o.Stop(id))
	require.NoError(t, recvErr(t, errc, "Supervise"))
}
