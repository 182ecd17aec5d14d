package fanout

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Backlog bounds one subscription: how far its subscriber may fall behind
// before items are dropped for it.
type Backlog struct {
	// Items is the most items held for the subscriber; less than 1 means 1.
	Items int
}

// Topic fans items of one kind out to subscribed channels.
//
// A publisher never blocks. Each subscription has a backlog: an item that
// finds the subscriber's channel full waits there, and a goroutine of the
// subscription moves the backlog into the channel with blocking sends, in
// order. Only when a subscriber is more than a full backlog behind are items
// dropped for it, and counted. When the backlog is empty an item is sent to
// the channel directly, so a subscriber that keeps up gets it with no
// hand-off in between.
//
// Publishers hold the read lock, so the stop function of a subscription,
// which takes the write lock to remove it, knows that no publisher touches
// it afterwards; it then ends the subscription's goroutine and waits for it.
//
// The zero Topic is ready to use.
type Topic[T any] struct {
	mu      sync.RWMutex
	subs    []*subscription[T] // guarded by mu
	n       atomic.Int32       // len(subs), read without the lock
	dropped atomic.Uint64
}

// subscription is one channel and its backlog.
type subscription[T any] struct {
	ch       chan<- T
	maxItems int

	mu    sync.Mutex
	queue []T // waiting for the goroutine
	spare []T // the goroutine's last batch, for reuse
	held  int // items queued or in the batch being sent

	wake chan struct{} // cap 1: the queue has items
	quit chan struct{} // closed by stop
	done chan struct{} // closed when the goroutine has returned
}

// Dropped returns how many items were dropped, over all subscriptions,
// since the Topic was made.
func (t *Topic[T]) Dropped() uint64 { return t.dropped.Load() }

// Publish offers vs to every subscription, in order, without blocking. It
// keeps no reference to vs.
func (t *Topic[T]) Publish(vs ...T) {
	if t.n.Load() == 0 {
		return
	}
	t.mu.RLock()
	for _, sub := range t.subs {
		if dropped := sub.offer(vs); dropped > 0 {
			t.dropped.Add(uint64(dropped))
		}
	}
	t.mu.RUnlock()
}

// offer sends vs to the channel while it has room and nothing waits before
// them, queues the rest within the bounds, and returns how many it dropped.
func (s *subscription[T]) offer(vs []T) (dropped int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == 0 {
		for len(vs) > 0 {
			select {
			case s.ch <- vs[0]:
				vs = vs[1:]
				continue
			default:
			}
			break
		}
	}
	for i, v := range vs {
		if s.held >= s.maxItems {
			dropped = len(vs) - i
			break
		}
		s.queue = append(s.queue, v)
		s.held++
	}
	if len(s.queue) > 0 {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return dropped
}

// forward moves the backlog into the channel until stop.
func (s *subscription[T]) forward() {
	defer close(s.done)
	for {
		select {
		case <-s.wake:
		case <-s.quit:
			return
		}
		for {
			s.mu.Lock()
			batch := s.queue
			if len(batch) == 0 {
				s.mu.Unlock()
				break
			}
			s.queue, s.spare = s.spare, nil
			s.mu.Unlock()
			for _, v := range batch {
				select {
				case s.ch <- v: // the common case, far cheaper than a two-way select
				default:
					select {
					case s.ch <- v:
					case <-s.quit:
						return
					}
				}
			}
			clear(batch) // let go of what the items hold
			s.mu.Lock()
			s.spare = batch[:0]
			s.held -= len(batch)
			s.mu.Unlock()
		}
	}
}

// Subscribe adds a subscription of ch, bounded by b, and returns the
// function that ends it. Once stop has returned nothing more is sent to ch,
// so the caller may close it; stop may be called more than once. A nil ch
// subscribes nothing.
func (t *Topic[T]) Subscribe(ch chan<- T, b Backlog) (stop func()) {
	if ch == nil {
		return func() {} // nothing could ever be sent: subscribe nothing
	}
	sub := &subscription[T]{
		ch:       ch,
		maxItems: max(b.Items, 1),
		wake:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	t.mu.Lock()
	t.subs = append(t.subs, sub)
	t.n.Store(int32(len(t.subs)))
	t.mu.Unlock()
	go sub.forward()
	return sync.OnceFunc(func() {
		t.mu.Lock()
		t.subs = slices.DeleteFunc(t.subs, func(x *subscription[T]) bool { return x == sub })
		t.n.Store(int32(len(t.subs)))
		t.mu.Unlock()
		close(sub.quit)
		<-sub.done
	})
}
