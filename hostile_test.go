//go:build unix

package overseer

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// hostileBackoff restarts within a couple of milliseconds, with real timers.
var hostileBackoff = Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond}

// addFlappers adds processes that print on both streams and end at once,
// in every way, restarted for ever within a couple of milliseconds, and
// starts them.
func addFlappers(t *testing.T, o *Overseer) []string {
	t.Helper()
	var ids []string
	for i, ops := range [][]string{
		{"out:up", "err:down", "exit:0"},
		{"lines:20", "exit:1"},
		{"interleave:10", "kill:9"},
		{"raw:no newline", "exit:2"},
	} {
		id := fmt.Sprintf("flap%d", i)
		c := addChild(t, o, id, ops...)
		c.Restart, c.MaxRestarts, c.Backoff = RestartAlways, -1, hostileBackoff
		require.NoError(t, o.Start(id))
		ids = append(ids, id)
	}
	return ids
}

// Subscribers whose channels are never read (unbuffered, or full) hold
// up neither the processes nor a subscriber that reads: it gets every event
// and every line, and the others lose exactly what is beyond their
// backlogs (events) or what the rings let go (lines), counted by Dropped.
// Their stop functions return, and their goroutines end.
func TestHostileUnreadSubscribers(t *testing.T) {
	const backlog = 100
	o := newTestOverseer(t)
	o.hub.backlogItems = backlog

	// In the channel of each stuck subscription, before its backlog:
	// nothing for an unbuffered channel, one for a channel of one. (A nil
	// channel may be subscribed or not, so it is left to
	// TestHostileWatchStopCycles.)
	stuckEvents := []chan Event{make(chan Event), make(chan Event, 1)}
	stuckLines := []chan Line{make(chan Line), make(chan Line, 1)}
	inChannels := 0 + 1
	var stops []func()
	for _, ch := range stuckEvents {
		stops = append(stops, o.Watch(ch))
	}
	for _, ch := range stuckLines {
		stops = append(stops, o.WatchLogs(ch))
	}

	log := watchEvents(t, o)
	lines := make(chan Line, 1<<16)
	stopLines := o.WatchLogs(lines)
	var lineCount atomic.Int64
	linesDone := make(chan map[string][]uint64)
	go func() {
		seqs := map[string][]uint64{}
		for l := range lines {
			seqs[l.ID] = append(seqs[l.ID], l.Seq)
			lineCount.Add(1)
		}
		linesDone <- seqs
	}()

	ids := addFlappers(t, o)
	// Far more than the backlogs hold goes by.
	eventually(t, func() bool {
		runs := 0
		for _, id := range ids {
			runs += log.count(id, StateRunning)
		}
		return runs >= 4*backlog && lineCount.Load() >= 4*backlog
	}, "the processes do not flap: %d lines", lineCount.Load())
	within(t, "StopAll", func() { o.StopAll() })
	assert.Empty(t, activeIDs(o))

	log.close()
	stopLines()
	close(lines)
	seqs := <-linesDone
	for _, stop := range stops {
		within(t, "the stop of a stuck subscription", stop)
	}
	for _, ch := range stuckEvents {
		close(ch)
	}
	for _, ch := range stuckLines {
		close(ch)
	}

	// The reading subscriber got every event, in order, and every line.
	events := 0
	for _, id := range ids {
		evs := log.of(id)
		events += len(evs)
		prev := StateInitial
		for i, ev := range evs {
			require.Equal(t, prev, ev.From, "%s: event %d does not follow the one before", id, i)
			prev = ev.To
		}
		assert.Equal(t, status(t, o, id).State, prev, id)
		got := seqs[id]
		require.NotEmpty(t, got, id)
		for i, seq := range got {
			require.Equal(t, uint64(i+1), seq, "%s: line %d", id, i)
		}
		c, err := o.Cmd(id)
		require.NoError(t, err)
		kept := c.Lines(0)
		assert.Equal(t, kept[len(kept)-1].Seq, got[len(got)-1], "%s: the last line", id)
	}
	droppedEvents, droppedLines := o.Dropped()
	stuck := len(stuckEvents)
	assert.Equal(t, uint64(stuck*(events-backlog)-inChannels), droppedEvents,
		"%d events went by: each stuck subscription keeps %d and loses the rest", events, backlog)
	// A stuck line subscription loses at most what the rings let go.
	var letGo uint64
	for _, id := range ids {
		c, err := o.Cmd(id)
		require.NoError(t, err)
		letGo += c.Lines(0)[0].Seq - 1
	}
	assert.LessOrEqual(t, droppedLines, uint64(len(stuckLines))*letGo, "lines dropped beyond what the rings let go")
	goleak.VerifyNone(t, ignoreGuardian)
}

// What TestWatchStopThenClose leaves out: hundreds of subscriptions alive at
// once that nobody reads, ended all at once; subscriptions on a nil channel
// and on a channel shared by several; each stop function called by two
// goroutines at once, either of which may close the channel as soon as its
// call returns; all while processes flap and others are added, started,
// stopped and removed. No send ever reaches a closed channel (that would
// panic), and every goroutine of every subscription ends.
func TestHostileWatchStopCycles(t *testing.T) {
	o := newTestOverseer(t)
	o.hub.backlogItems = 256 // bounds the memory of the stuck subscriptions

	// Hundreds of subscriptions nobody reads, all along.
	const stuck = 200
	stuckEvents := make([]chan Event, stuck/2)
	stuckLines := make([]chan Line, stuck/2)
	var stuckStops []func()
	for i := range stuckEvents {
		stuckEvents[i], stuckLines[i] = make(chan Event), make(chan Line)
		stuckStops = append(stuckStops, o.Watch(stuckEvents[i]), o.WatchLogs(stuckLines[i]))
	}
	addFlappers(t, o)

	// The registry changes all along.
	churnDone := make(chan struct{})
	var quit atomic.Bool
	go func() {
		defer close(churnDone)
		for i := 0; !quit.Load(); i++ {
			id := fmt.Sprintf("churn%d", i%3)
			if _, err := o.Add(id, childPath, "out:churn", "exit:0"); err == nil {
				_ = o.Start(id)
			}
			_ = o.Stop(id)
			_ = o.Remove(id)
		}
	}()

	const cycles = 2000
	var wg sync.WaitGroup
	var received atomic.Int64
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 99))
			for i := 0; i < cycles/4; i++ {
				// A handful of subscriptions at once: on one shared
				// channel, on a channel of their own, on nil.
				shared := make(chan Line, r.IntN(3))
				events := make(chan Event, r.IntN(3))
				var stops []func()
				for range 1 + r.IntN(3) {
					stops = append(stops, o.WatchLogs(shared))
				}
				stops = append(stops, o.Watch(events), o.Watch(nil), o.WatchLogs(nil))
				if r.IntN(8) == 0 {
					select { // sends are happening now
					case <-shared:
						received.Add(1)
					case <-events:
						received.Add(1)
					case <-time.After(waitTimeout):
						t.Errorf("nothing received within %v", waitTimeout)
						return
					}
				}
				// Each stop is called twice at once. A channel is closed
				// as soon as one call of the stop of each of its
				// subscriptions has returned, while the other calls may
				// still be going on.
				nShared := len(stops) - 3
				var sharedStopped atomic.Int32
				var sw sync.WaitGroup
				for k, stop := range slices.Backward(stops) {
					var first sync.Once
					for range 2 {
						sw.Add(1)
						go func() {
							defer sw.Done()
							stop()
							first.Do(func() {
								switch {
								case k < nShared:
									if sharedStopped.Add(1) == int32(nShared) {
										close(shared)
									}
								case k == nShared:
									close(events)
								}
							})
						}()
					}
				}
				sw.Wait()
			}
		}()
	}
	wg.Wait()
	quit.Store(true)
	<-churnDone

	// The stuck subscriptions end all at once, while the processes still
	// flap.
	within(t, "the stops of the stuck subscriptions", func() {
		var sw sync.WaitGroup
		for _, stop := range stuckStops {
			sw.Add(1)
			go func() {
				defer sw.Done()
				stop()
			}()
		}
		sw.Wait()
	})
	for i := range stuckEvents {
		close(stuckEvents[i])
		close(stuckLines[i])
	}
	within(t, "StopAll", func() { o.StopAll() })
	assert.Empty(t, activeIDs(o))
	events, lines := o.Dropped()
	t.Logf("%d items received during the cycles; %d events and %d lines dropped", received.Load(), events, lines)
	goleak.VerifyNone(t, ignoreGuardian)
}

// Readers in a tight loop, 100 at once, calling Status, ToJSON, ToJSONAll
// and Lines while the processes flap, get consistent answers, hold nothing
// up, and StopAll then stops everything, leaving nothing active and no
// goroutine behind.
func TestHostileReaders(t *testing.T) {
	const readers = 100
	o := newTestOverseer(t)
	ids := addFlappers(t, o)
	restarts := func() int {
		n := 0
		for _, id := range ids {
			n += status(t, o, id).Restarts
		}
		return n
	}

	var quit atomic.Bool
	var calls atomic.Int64
	var wg sync.WaitGroup
	for g := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := map[string]uint64{}  // the last Seq seen, per id
			restarts := map[string]int{} // the last Restarts seen, per id
			check := func(cond bool, format string, args ...any) bool {
				if !cond {
					t.Errorf(format, args...)
				}
				return cond
			}
			for i := 0; !quit.Load(); i++ {
				calls.Add(1)
				id := ids[(g+i)%len(ids)]
				switch i % 4 {
				case 0:
					st, err := o.Status(id)
					if !check(err == nil, "Status(%s): %v", id, err) {
						return
					}
					check(st.ID == id, "Status(%s) is of %s", id, st.ID)
					check(!strings.HasPrefix(st.State.String(), "State("), "Status(%s): state %v", id, st.State)
					check(st.Restarts >= restarts[id], "Status(%s): Restarts went from %d to %d", id, restarts[id], st.Restarts)
					restarts[id] = st.Restarts
					check(len(st.Stdout) <= defaultBufferLines && len(st.Stderr) <= defaultBufferLines, "Status(%s): too many lines", id)
					_, err = json.Marshal(st)
					check(err == nil, "json.Marshal(Status(%s)): %v", id, err)
				case 1:
					jp, err := o.ToJSON(id)
					if !check(err == nil, "ToJSON(%s): %v", id, err) {
						return
					}
					check(jp.ID == id, "ToJSON(%s) is of %s", id, jp.ID)
					check(jp.Restarts >= restarts[id], "ToJSON(%s): Restarts went from %d to %d", id, restarts[id], jp.Restarts)
					restarts[id] = jp.Restarts
					_, err = json.Marshal(jp)
					check(err == nil, "json.Marshal(ToJSON(%s)): %v", id, err)
				case 2:
					all := o.ToJSONAll()
					check(len(all) == len(ids), "ToJSONAll has %d processes", len(all))
					check(slices.IsSortedFunc(all, func(a, b JSONProcess) int { return strings.Compare(a.ID, b.ID) }),
						"ToJSONAll is not sorted")
					_, err := json.Marshal(all)
					check(err == nil, "json.Marshal(ToJSONAll()): %v", err)
				case 3:
					c, err := o.Cmd(id)
					if !check(err == nil, "Cmd(%s): %v", id, err) {
						return
					}
					lines := c.Lines(seen[id])
					for k, l := range lines {
						if !check(l.Seq > seen[id], "Lines(%d) of %s: Seq %d at %d", seen[id], id, l.Seq, k) {
							break
						}
						seen[id] = l.Seq
						check(l.ID == id, "a line of %s says %s", id, l.ID)
					}
				}
				if t.Failed() {
					return
				}
			}
		}()
	}

	// The processes go on flapping under the load.
	eventually(t, func() bool { return restarts() >= 40 || t.Failed() }, "the processes do not flap: %d restarts", restarts())
	quit.Store(true)
	within(t, "the readers", wg.Wait)
	t.Logf("%d calls, %d restarts", calls.Load(), restarts())
	within(t, "StopAll", func() { o.StopAll() })
	assert.Empty(t, activeIDs(o), "active after StopAll")
	for _, id := range ids {
		st := status(t, o, id)
		assert.True(t, st.State.IsFinal(), "%s is %v after StopAll", id, st.State)
	}
	goleak.VerifyNone(t, ignoreGuardian)
}
