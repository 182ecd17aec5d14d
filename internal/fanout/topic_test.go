package fanout

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// receive reads n items from ch, failing the test if they take more than a
// generous deadline (a hang, not a timing check).
func receive[T any](t *testing.T, ch <-chan T, n int) []T {
	t.Helper()
	out := make([]T, 0, n)
	deadline := time.After(30 * time.Second)
	for len(out) < n {
		select {
		case v := <-ch:
			out = append(out, v)
		case <-deadline:
			t.Fatalf("received %d items of %d", len(out), n)
		}
	}
	return out
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// A subscriber that reads gets every item, in order, whatever its channel's
// buffer, as long as it is within its backlog.
func TestPublishInOrder(t *testing.T) {
	defer goleak.VerifyNone(t)
	var topic Topic[int]
	ch := make(chan int)
	stop := topic.Subscribe(ch, Backlog{Items: 1000})
	defer stop()
	for i := range 1000 {
		topic.Publish(i)
	}
	assert.Equal(t, seq(1000), receive(t, ch, 1000))
	assert.Zero(t, topic.Dropped())
}

// A subscriber that never reads loses what is beyond its backlog, and only
// that.
func TestDropsBeyondBacklog(t *testing.T) {
	defer goleak.VerifyNone(t)
	var topic Topic[int]
	ch := make(chan int) // never read until the end
	stop := topic.Subscribe(ch, Backlog{Items: 3})
	topic.Publish(seq(10)...)
	assert.Equal(t, uint64(7), topic.Dropped())
	assert.Equal(t, []int{0, 1, 2}, receive(t, ch, 3), "the backlog keeps the oldest items")
	stop()
}

// The byte bound counts Size; one item is held however large.
func TestBacklogBytes(t *testing.T) {
	defer goleak.VerifyNone(t)
	topic := Topic[string]{Size: func(s string) int { return len(s) }}
	ch := make(chan string)
	stop := topic.Subscribe(ch, Backlog{Items: 100, Bytes: 10})
	topic.Publish("aaaa", "bbbb", "cccc", "dddd")
	assert.Equal(t, uint64(2), topic.Dropped(), "8 bytes fit in 10, the third item does not")
	assert.Equal(t, []string{"aaaa", "bbbb"}, receive(t, ch, 2))
	stop()

	big := make(chan string)
	stop = topic.Subscribe(big, Backlog{Items: 100, Bytes: 10})
	defer stop()
	topic.Publish("a line longer than the bound")
	assert.Equal(t, []string{"a line longer than the bound"}, receive(t, big, 1))
}

// Once stop has returned nothing is sent to the channel, so it can be
// closed while publishers go on; stop ends the subscription's goroutine
// even when it is blocked on a subscriber that does not read.
func TestStopThenClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	var topic Topic[int]
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				topic.Publish(i)
			}
		}()
	}
	for range 50 {
		ch := make(chan int, 1)
		stop := topic.Subscribe(ch, Backlog{Items: 16})
		receive(t, ch, 1) // the publishers reached it
		stop()
		stop() // more than once is fine
		close(ch)
	}
	close(done)
	wg.Wait()
	assert.False(t, topic.Active())
}

func TestActive(t *testing.T) {
	var topic Topic[int]
	assert.False(t, topic.Active())
	stop := topic.Subscribe(make(chan int), Backlog{Items: 1})
	assert.True(t, topic.Active())
	stop()
	assert.False(t, topic.Active())

	stop = topic.Subscribe(nil, Backlog{Items: 1})
	assert.False(t, topic.Active(), "a nil channel subscribes nothing")
	stop()
	topic.Publish(1)
	assert.Zero(t, topic.Dropped())
}

// With WaitBehind between batches, an elastic topic loses nothing for a
// subscriber that reads, however slowly, with a backlog far smaller than
// what is published.
func TestWaitBehindLosesNothing(t *testing.T) {
	defer goleak.VerifyNone(t)
	topic := Topic[int]{Elastic: true}
	ch := make(chan int)
	stop := topic.Subscribe(ch, Backlog{Items: 8})
	defer stop()
	const batches, batch = 200, 8
	got := make(chan []int, 1)
	go func() {
		var out []int // the test's deadline ends a hang
		for len(out) < batches*batch {
			out = append(out, <-ch)
		}
		got <- out
	}()
	for b := range batches {
		vs := make([]int, batch)
		for i := range vs {
			vs[i] = b*batch + i
		}
		topic.Publish(vs...)
		topic.WaitBehind(time.Minute) // never stuck: the reader reads
	}
	assert.Equal(t, seq(batches*batch), <-got)
	assert.Zero(t, topic.Dropped())
}

// A subscriber that takes nothing for a stall is stuck: WaitBehind stops
// waiting for it, and what is beyond its backlog is dropped again.
func TestWaitBehindLeavesAStuckSubscriber(t *testing.T) {
	defer goleak.VerifyNone(t)
	topic := Topic[int]{Elastic: true}
	ch := make(chan int) // never read
	stop := topic.Subscribe(ch, Backlog{Items: 4})
	defer stop()
	topic.Publish(seq(20)...)
	require.Zero(t, topic.Dropped(), "elastic: the whole batch is held")
	topic.WaitBehind(time.Millisecond) // returns: the subscriber is stuck
	topic.Publish(seq(20)...)
	assert.Equal(t, uint64(20), topic.Dropped(), "stuck and full: the next batch is dropped")
	topic.WaitBehind(time.Hour) // returns at once: stuck subscribers are not waited for
}

// BenchmarkHubPublish measures one Publish of a batch of 64 items to a
// subscriber that keeps up.
func BenchmarkHubPublish(b *testing.B) {
	var topic Topic[int]
	ch := make(chan int, 1024)
	stop := topic.Subscribe(ch, Backlog{Items: 1 << 16})
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range ch {
		}
	}()
	batch := seq(64)
	b.ReportAllocs()
	for b.Loop() {
		topic.Publish(batch...)
	}
	stop()
	close(ch)
	<-done
}
