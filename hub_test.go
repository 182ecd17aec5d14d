//go:build unix

package overseer

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestWatchEventChains(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, false)
	log := watchEvents(t, o)
	flaky := addChild(t, o, "flaky", "exit:1")
	flaky.MaxRestarts = 2
	flaky.Backoff = testBackoff
	addChild(t, o, "ok", "exit:0")
	addChild(t, o, "three", "exit:3").Restart = RestartNever
	addChild(t, o, "stopped", "sleep")

	errc := goSuperviseAll(context.Background(), o)
	waitState(t, o, "stopped", StateRunning)
	require.NoError(t, o.Stop("stopped"))
	require.Error(t, recvErr(t, errc, "SuperviseAll"))
	log.close()

	for _, id := range o.ListAll() {
		events := log.of(id)
		st := status(t, o, id)
		require.NotEmpty(t, events, id)
		prev := Event{To: StateInitial}
		pids := map[int]bool{}
		for i, ev := range events {
			assert.Equal(t, id, ev.ID)
			assert.Equal(t, prev.To, ev.From, "%s: event %d does not follow the one before: %v", id, i, log.transitions(id))
			assert.False(t, ev.Time.Before(prev.Time), "%s: event %d goes back in time", id, i)
			assert.GreaterOrEqual(t, ev.Restarts, prev.Restarts, "%s: event %d", id, i)
			if ev.To == StateStarting {
				// A new run: nothing of the one before.
				assert.Zero(t, ev.PID, "%s: event %d", id, i)
				assert.Equal(t, -1, ev.Exit, "%s: event %d", id, i)
				assert.Empty(t, ev.Error, "%s: event %d", id, i)
			}
			if ev.To == StateRunning {
				assert.Positive(t, ev.PID, "%s: event %d", id, i)
				assert.False(t, pids[ev.PID], "%s: pid %d ran twice", id, ev.PID)
				pids[ev.PID] = true
				assert.Equal(t, -1, ev.Exit, "%s: event %d", id, i)
				assert.Empty(t, ev.Error, "%s: event %d", id, i)
			}
			prev = ev
		}
		assert.Equal(t, st.State, prev.To, id)
		assert.Equal(t, st.PID, prev.PID, id)
		assert.Equal(t, st.Exit, prev.Exit, id)
		assert.Equal(t, st.Restarts, prev.Restarts, id)
		if st.Error != nil {
			assert.Equal(t, st.Error.Error(), prev.Error, id)
		} else {
			assert.Empty(t, prev.Error, id)
		}
	}

	assert.Equal(t, runsOf(2, StateFatal), log.transitions("flaky"))
	last := log.of("flaky")[8]
	assert.Equal(t, 1, last.Exit)
	assert.Contains(t, last.Error, "gave up after 2 restarts")
	assert.Equal(t, 2, last.Restarts)

	assert.Equal(t, runsOf(0, StateFinished), log.transitions("ok"))
	assert.Equal(t, 0, log.of("ok")[2].Exit)
	assert.Equal(t, runsOf(0, StateFinished), log.transitions("three"))
	assert.Equal(t, 3, log.of("three")[2].Exit)
	assert.Equal(t, []string{"initial>starting", "starting>running", "running>stopping", "stopping>interrupted"},
		log.transitions("stopped"))
	ev := log.of("stopped")[3]
	assert.Equal(t, -1, ev.Exit)
	assert.Contains(t, ev.Error, "killed by signal 15")
}

// Event.Exit is "the exit code of the run that ended": a run that exited
// with a code and is to be restarted ended as much as one that is not.
func TestWatchBackoffEventHasExit(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, true)
	log := watchEvents(t, o)
	addChild(t, o, "p", "exit:4")
	require.NoError(t, o.Start("p"))
	st := waitState(t, o, "p", StateBackoff)
	require.Equal(t, 4, st.Exit, "Status.Exit during the backoff")
	log.waitCount(t, "p", StateBackoff, 1)
	events := log.of("p")
	ev := events[len(events)-1]
	require.Equal(t, StateBackoff, ev.To)
	assert.Equal(t, 4, ev.Exit, "the running>backoff event does not carry the exit code of the run that ended "+
		"(Status.Exit says %d)", st.Exit)
}

// A subscriber that never reads loses what is beyond its backlog, and only
// that.
func TestWatchDropsBeyondBacklog(t *testing.T) {
	const backlog = 3
	o := newTestOverseer(t)
	o.hub.backlogItems = backlog
	useFakeTimer(o, false)
	stuck := make(chan Event) // never read
	stopStuck := o.Watch(stuck)
	defer stopStuck()
	log := watchEvents(t, o)
	addChild(t, o, "p", "exit:1").MaxRestarts = 3
	require.Error(t, o.Supervise(context.Background(), "p"))
	log.close()
	stopStuck()

	events, lines := o.Dropped()
	all := len(runsOf(3, StateFatal))
	require.Len(t, log.of("p"), all, "the subscriber that reads gets every event")
	assert.Equal(t, uint64(all-backlog), events, "the stuck subscriber keeps %d events and loses the rest", backlog)
	assert.Zero(t, lines)
}

// Once stop has returned, nothing is sent to the channel, so it can be
// closed, while other processes go on changing state.
func TestWatchStopThenClose(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, false)
	for i := range 3 {
		id := fmt.Sprintf("flap%d", i)
		c := addChild(t, o, id, "out:flap", "exit:0")
		c.Restart = RestartAlways
		require.NoError(t, o.Start(id))
	}

	const cycles = 4000 // 2000 Watch and 2000 WatchLogs subscriptions
	var received, lines atomic.Int64
	deadline := time.Now().Add(5 * time.Second)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < cycles/4 || received.Load() < 20 || lines.Load() < 5; i++ {
				if time.Now().After(deadline) {
					return
				}
				if g%2 == 0 {
					ch := make(chan Event, 1+i%3)
					stop := o.Watch(ch)
					var n int64
					if i%16 == 0 {
						n = receiveOne(t, ch) // sends are happening now
					}
					stop()
					received.Add(n + int64(len(ch)))
					close(ch)
					stop() // harmless
				} else {
					ch := make(chan Line, 1+i%3)
					stop := o.WatchLogs(ch)
					var n int64
					if i%16 == 0 {
						n = receiveOne(t, ch)
					}
					stop()
					lines.Add(n + int64(len(ch)))
					close(ch)
				}
			}
		}()
	}
	wg.Wait()
	o.StopAll()
	assert.GreaterOrEqual(t, received.Load(), int64(20), "the subscriptions saw no events: the test did not race sends")
	assert.GreaterOrEqual(t, lines.Load(), int64(5), "the subscriptions saw no lines: the test did not race sends")

	// No subscription is left: a leftover one, whose channel is closed
	// or full, would panic or count drops at the next sends.
	droppedEvents, droppedLines := o.Dropped()
	addChild(t, o, "after", "out:after", "exit:0")
	require.NoError(t, o.Supervise(context.Background(), "after"))
	e, l := o.Dropped()
	assert.Equal(t, droppedEvents, e, "events dropped after every subscription ended")
	assert.Equal(t, droppedLines, l, "lines dropped after every subscription ended")
	goleak.VerifyNone(t, ignoreGuardian)
}

// receiveOne takes one item from ch and returns 1, or 0 after waitTimeout.
func receiveOne[T any](t *testing.T, ch chan T) int64 {
	select {
	case <-ch:
		return 1
	case <-time.After(waitTimeout):
		t.Errorf("nothing received within %v", waitTimeout)
		return 0
	}
}

func TestWatchLogsEveryLine(t *testing.T) {
	const n = 300
	o := newTestOverseer(t)
	ch := make(chan Line, 10*n)
	stop := o.WatchLogs(ch)
	ids := []string{"a", "b", "c"}
	for _, id := range ids {
		addChild(t, o, id, "lines:"+strconv.Itoa(n), "err:bye-"+id, "exit:0")
	}
	require.NoError(t, o.SuperviseAll(context.Background()))
	stop()
	close(ch)

	got := map[string][]Line{}
	for l := range ch {
		got[l.ID] = append(got[l.ID], l)
	}
	require.Len(t, got, len(ids))
	for _, id := range ids {
		lines := got[id]
		require.Len(t, lines, n+1, id)
		// The streams are read apart: the stderr line may come anywhere,
		// but Seq numbers the lines of a process in the order they come.
		next := 1
		for i, l := range lines {
			require.Equal(t, uint64(i+1), l.Seq, id)
			require.Equal(t, id, l.ID)
			require.False(t, l.Time.IsZero(), id)
			if l.Stream == StreamStderr {
				require.Equal(t, "bye-"+id, l.Text)
				continue
			}
			require.Equal(t, StreamStdout, l.Stream, id)
			require.Equal(t, fmt.Sprintf("line-%07d", next), l.Text, id)
			next++
		}
		require.Equal(t, n+1, next, id)
	}
	_, dropped := o.Dropped()
	assert.Zero(t, dropped)
}

// A subscriber that never reads loses what the ring lets go, and holds up
// neither the process nor the other subscribers.
func TestWatchLogsSlowSubscriber(t *testing.T) {
	const n, ring = 100_000, 1000
	o := newTestOverseer(t)
	stuck := make(chan Line) // never read
	stopStuck := o.WatchLogs(stuck)
	defer stopStuck()
	fast := make(chan Line, 2*n)
	stopFast := o.WatchLogs(fast)
	defer stopFast()
	addChild(t, o, "chatty", "lines:"+strconv.Itoa(n), "exit:0").BufferLines = ring

	var err error
	within(t, "Supervise", func() { err = o.Supervise(context.Background(), "chatty") })
	require.NoError(t, err)
	assert.Equal(t, StateFinished, status(t, o, "chatty").State)

	// The fast one gets the lines in order, to the last (it may lose some
	// on a busy machine: the ring is all it has).
	var last Line
	within(t, "the last line", func() {
		for last.Seq != n {
			l := <-fast
			require.Greater(t, l.Seq, last.Seq)
			require.Equal(t, fmt.Sprintf("line-%07d", l.Seq), l.Text)
			last = l
		}
	})
	stopStuck()
	stopFast()
	events, lines := o.Dropped()
	assert.Zero(t, events)
	// The stuck one read one batch (at most 64 lines) before it blocked;
	// the ring holds the last 1000 lines.
	assert.GreaterOrEqual(t, lines, uint64(n-ring-64), "the stuck subscriber's losses are counted when it ends")
}

// A subscriber with a channel of one line that reads slowly still gets
// every line, in order: the ring holds what the channel cannot.
func TestWatchLogsRingLosesNothing(t *testing.T) {
	const n = 20_000
	o := newTestOverseer(t)
	ch := make(chan Line, 1)
	stop := o.WatchLogs(ch)
	defer stop()
	addChild(t, o, "p", "lines:"+strconv.Itoa(n), "exit:0").BufferLines = n
	require.NoError(t, o.Supervise(context.Background(), "p"))
	// The process is done; its lines wait in the ring.
	for i := 1; i <= n; i++ {
		select {
		case l := <-ch:
			require.Equal(t, uint64(i), l.Seq)
			require.Equal(t, fmt.Sprintf("line-%07d", i), l.Text)
		case <-time.After(waitTimeout):
			t.Fatalf("line %d did not come", i)
		}
	}
	_, dropped := o.Dropped()
	assert.Zero(t, dropped)
}

// stop returns while the subscription's goroutine is blocked on a channel
// nobody reads, and that goroutine ends.
func TestWatchStopUnblocks(t *testing.T) {
	o := newTestOverseer(t)
	stuck := make(chan Line)
	stop := o.WatchLogs(stuck)
	addChild(t, o, "p", "lines:10", "exit:0")
	require.NoError(t, o.Supervise(context.Background(), "p"))
	within(t, "stop", stop)
	goleak.VerifyNone(t, ignoreGuardian)
}

// With WithLogBackpressure a subscriber with a channel and a ring far
// smaller than a burst of output still gets every line: the pumps wait for
// it.
func TestBackpressureLosesNothing(t *testing.T) {
	const n = 20_000
	o := newTestOverseer(t)
	WithLogBackpressure()(o)
	ch := make(chan Line, 10)
	stop := o.WatchLogs(ch)
	defer stop()
	got := make(chan int)
	go func() {
		i := 0
		for l := range ch {
			if i++; l.Seq != uint64(i) {
				t.Errorf("line %d has Seq %d", i, l.Seq)
			}
			if i == n {
				break
			}
		}
		got <- i
	}()
	// A 64 KiB read alone is 5,000 lines: the pump waits within a read.
	addChild(t, o, "p", "lines:"+strconv.Itoa(n), "exit:0").BufferLines = 100
	require.NoError(t, o.Supervise(context.Background(), "p"))
	select {
	case i := <-got:
		assert.Equal(t, n, i)
	case <-time.After(waitTimeout):
		t.Fatal("the subscriber did not get every line")
	}
	_, dropped := o.Dropped()
	assert.Zero(t, dropped)
}

// A subscriber that takes nothing is left behind after a stall: the process
// goes on, and what the ring lets go is lost and counted.
func TestBackpressureLeavesAStuckSubscriberBehind(t *testing.T) {
	const n, ring = 20_000, 100
	o := newTestOverseer(t)
	WithLogBackpressure()(o)
	o.hub.stall = 50 * time.Millisecond
	stuck := make(chan Line) // never read
	stop := o.WatchLogs(stuck)
	defer stop()
	addChild(t, o, "p", "lines:"+strconv.Itoa(n), "exit:0").BufferLines = ring
	within(t, "Supervise", func() { require.NoError(t, o.Supervise(context.Background(), "p")) })
	stop()
	// It read one batch (at most 64 lines) before it blocked on the
	// channel; the ring holds the last 100.
	_, dropped := o.Dropped()
	assert.LessOrEqual(t, dropped, uint64(n-ring))
	assert.GreaterOrEqual(t, dropped, uint64(n-ring-64))
}

// Under WithLogBackpressure a subscriber that reads steadily but slowly —
// far fewer lines a second than the ring holds — is never taken for stuck,
// and loses nothing: the pumps see its progress at every batch it reads. (Its slowness is simulated: a millisecond's pause every 20 lines.)
func TestBackpressureSteadySlowReader(t *testing.T) {
	o := NewOverseer(WithLogBackpressure())
	t.Cleanup(func() { o.StopAll() })
	lines := make(chan Line, 1024)
	stop := o.WatchLogs(lines)
	defer stop()
	c, err := o.Add("fill", childPath, "fill:50000")
	require.NoError(t, err)
	c.Restart = RestartNever
	require.NoError(t, o.Start("fill"))

	// About 20,000 lines a second, never pausing more than a millisecond.
	got, deadline := 0, time.Now().Add(15*time.Second)
	for got < 50000 && time.Now().Before(deadline) {
		select {
		case <-lines:
			got++
			if got%20 == 0 {
				time.Sleep(time.Millisecond)
			}
		case <-time.After(2 * time.Second):
			got = 1 << 30 // nothing more is coming
		}
		if _, dropped := o.Dropped(); dropped > 0 {
			break
		}
	}
	_, dropped := o.Dropped()
	assert.Zero(t, dropped, "a subscriber reading ~20k lines/s without pause lost %d lines (received %d)", dropped, got)
}
