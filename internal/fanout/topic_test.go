package fanout

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
