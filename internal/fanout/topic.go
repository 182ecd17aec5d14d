package fanout

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Backlog bounds one subscription: how far its subscriber may fall behind
// before items are dropped for it.
type Backlog struct {
	// Items is the most items held for the subscriber; less than 1 means 1.
	Items int
	// Bytes is the most bytes (as Topic.Size counts them) held for the
	// subscriber; one item is always held, however large.
	Bytes int
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
// The zero Topic is ready to use. Size and Elastic are set before the first
// Subscribe and not changed afterwards.
type Topic[T any] struct {
	// Size returns the bytes an item holds, counted against Backlog.Bytes;
	// nil counts none.
	Size func(T) int
	// Elastic lets a backlog take a whole batch beyond its bounds, for a
	// publisher that waits (WaitBehind) before its next batch: the excess
	// is then at most one batch per publisher. A subscriber found stuck by
	// WaitBehind gets no such excess until it catches up.
	Elastic bool

	mu      sync.RWMutex
	subs    []*subscription[T] // guarded by mu
	n       atomic.Int32       // len(subs), read without the lock
	dropped atomic.Uint64
}

// subscription is one channel and its backlog.
type subscription[T any] struct {
	ch       chan<- T
	size     func(T) int
	maxItems int
	maxBytes int
	// elastic: see Topic.Elastic.
	elastic bool

	mu        sync.Mutex
	queue     []T // waiting for the goroutine
	spare     []T // the goroutine's last batch, for reuse
	held      int // items queued or in the batch being sent
	heldBytes int

	wake chan struct{} // cap 1: the queue has items
	quit chan struct{} // closed by stop
	done chan struct{} // closed when the goroutine has returned

	// For WaitBehind, under mu: progress is closed and replaced each time
	// the goroutine has sent a batch; a stuck subscriber made none for a
	// stall, and is not waited for until it is a quarter backlog behind.
	progress chan struct{}
	stuck    bool
}

// Active reports whether the topic has a subscriber, without taking a lock,
// so that a publisher makes no items for nobody.
func (t *Topic[T]) Active() bool { return t.n.Load() > 0 }

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
		n := 0
		if s.size != nil {
			n = s.size(v)
		}
		full := s.held >= s.maxItems || (s.held > 0 && s.heldBytes+n > s.maxBytes)
		if full && !(s.elastic && !s.stuck) {
			dropped = len(vs) - i
			break
		}
		s.queue = append(s.queue, v)
		s.held++
		s.heldBytes += n
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
			batch, bytes := s.queue, s.heldBytes
			if len(batch) == 0 {
				s.mu.Unlock()
				break
			}
			s.queue, s.spare = s.spare, nil
			s.mu.Unlock()
			for i, v := range batch {
				select {
				case s.ch <- v: // the common case, far cheaper than a two-way select
				default:
					select {
					case s.ch <- v:
					case <-s.quit:
						return
					}
				}
				if i%progressEvery == progressEvery-1 {
					s.mu.Lock()
					s.madeProgress()
					s.mu.Unlock()
				}
			}
			clear(batch) // let go of what the items hold
			s.mu.Lock()
			s.spare = batch[:0]
			s.held -= len(batch)
			s.heldBytes -= bytes
			s.madeProgress()
			if s.stuck && !s.over(4) {
				s.stuck = false
			}
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
		elastic:  t.Elastic,
		size:     t.Size,
		maxItems: max(b.Items, 1),
		maxBytes: b.Bytes,
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

// progressEvery is how many items the goroutine sends between two signs of
// progress to the publishers waiting for room: a subscriber that reads is
// never taken for stuck, however slowly it goes through a large batch.
const progressEvery = 64

// madeProgress wakes the publishers waiting for room. s.mu is held.
func (s *subscription[T]) madeProgress() {
	if s.progress != nil {
		close(s.progress)
		s.progress = nil
	}
}

// over reports whether more than 1/part of the backlog is held. s.mu is
// held.
func (s *subscription[T]) over(part int) bool {
	return s.held > s.maxItems/part || s.heldBytes > s.maxBytes/part
}

// WaitBehind is backpressure for a publisher: it returns once no
// subscriber is more than half a backlog behind, waiting for each that is
// until it is down to a quarter, or until it has taken nothing for stall
// (then it is stuck, and not waited for again until it catches up), or is
// stopped. It is called without any lock a subscriber's reader may need.
func (t *Topic[T]) WaitBehind(stall time.Duration) {
	for {
		sub := t.behind()
		if sub == nil || !sub.waitProgress(stall) {
			return
		}
	}
}

// behind returns a subscription more than half a backlog behind that is
// not stuck, or nil.
func (t *Topic[T]) behind() *subscription[T] {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, sub := range t.subs {
		sub.mu.Lock()
		behind := sub.over(2) && !sub.stuck
		sub.mu.Unlock()
		if behind {
			return sub
		}
	}
	return nil
}

// waitProgress waits until s is down to a quarter of its backlog (true), or
// until it makes no progress for stall or is stopped (false).
func (s *subscription[T]) waitProgress(stall time.Duration) bool {
	timer := time.NewTimer(stall)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if !s.over(4) {
			s.mu.Unlock()
			return true
		}
		if s.progress == nil {
			s.progress = make(chan struct{})
		}
		progress := s.progress
		s.mu.Unlock()
		select {
		case <-progress:
			timer.Reset(stall)
		case <-timer.C:
			s.mu.Lock()
			s.stuck = true
			s.mu.Unlock()
			return false
		case <-s.quit:
			return false
		}
	}
}
