package overseer

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The backlog bounds of one subscription: how far a subscriber may fall
// behind before items are dropped for it.
const (
	defaultBacklogItems = 1 << 16
	defaultBacklogBytes = 16 << 20 // of line text
	// defaultStall is how long a subscriber may take nothing before
	// backpressure stops waiting for it.
	defaultStall = time.Second
)

// hub fans events and lines out to the channels of Watch and WatchLogs.
//
// A publisher never blocks. Each subscription has a backlog: an item that
// finds the subscriber's channel full waits there, and a goroutine of the
// subscription moves the backlog into the channel with blocking sends, in
// order. Only when a subscriber is more than a full backlog behind (64Ki
// items, or 16 MiB of line text) are items dropped for it, and counted.
// When the backlog is empty an item is sent to the channel directly, so a
// subscriber that keeps up gets it with no hand-off in between.
//
// Publishers hold the read lock, so the stop function of a subscription,
// which takes the write lock to remove it, knows that no publisher touches
// it afterwards; it then ends the subscription's goroutine and waits for it.
type hub struct {
	mu           sync.RWMutex
	events       subscribers[Event]
	lines        subscribers[Line]
	backlogItems int // set by NewOverseer; tests lower them
	backlogBytes int

	// backpressure makes the pumps wait for a line subscriber that is half
	// a backlog behind, for as long as it makes progress (WithLogBackpressure).
	backpressure bool
	stall        time.Duration // how long without progress makes a subscriber stuck
}

// subscribers are the subscriptions to one kind of item.
type subscribers[T any] struct {
	subs    []*subscription[T] // guarded by hub.mu
	n       atomic.Int32       // len(subs), read without the lock
	dropped atomic.Uint64
	size    func(T) int // the bytes an item holds, for the backlog bound
	elastic bool        // the subscriptions' backlogs are elastic (see subscription)
}

// subscription is one channel and its backlog.
type subscription[T any] struct {
	ch       chan<- T
	size     func(T) int
	maxItems int
	maxBytes int
	// elastic lets the backlog take a whole batch beyond its bounds: under
	// backpressure the publisher waits for room before its next batch, so
	// the excess is at most one batch (one read) per publisher.
	elastic bool

	mu        sync.Mutex
	queue     []T // waiting for the goroutine
	spare     []T // the goroutine's last batch, for reuse
	held      int // items queued or in the batch being sent
	heldBytes int

	wake chan struct{} // cap 1: the queue has items
	quit chan struct{} // closed by stop
	done chan struct{} // closed when the goroutine has returned

	// For backpressure, under mu: progress is closed and replaced each
	// time the goroutine has sent a batch; a stuck subscriber made none for
	// a stall, and is not waited for until it is a quarter backlog behind.
	progress chan struct{}
	stuck    bool
}

func (h *hub) init() {
	h.backlogItems, h.backlogBytes = defaultBacklogItems, defaultBacklogBytes
	h.stall = defaultStall
	h.lines.size = func(l Line) int { return len(l.Text) }
}

func (h *hub) wantLines() bool { return h.lines.n.Load() > 0 }

func (h *hub) publishEvent(ev Event) {
	if h.events.n.Load() == 0 {
		return
	}
	h.mu.RLock()
	h.events.publish(ev)
	h.mu.RUnlock()
}

func (h *hub) publishLines(lines []Line) {
	h.mu.RLock()
	h.lines.publish(lines...)
	h.mu.RUnlock()
}

// publish offers vs to every subscription. hub.mu is read-locked.
func (s *subscribers[T]) publish(vs ...T) {
	for _, sub := range s.subs {
		if dropped := sub.offer(vs); dropped > 0 {
			s.dropped.Add(uint64(dropped))
		}
	}
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

// subscribe adds a subscription of ch to s and returns the function that
// ends it.
func subscribe[T any](h *hub, s *subscribers[T], ch chan<- T) (stop func()) {
	if ch == nil {
		return func() {} // nothing could ever be sent: subscribe nothing
	}
	sub := &subscription[T]{
		ch:       ch,
		elastic:  s.elastic,
		size:     s.size,
		maxItems: max(h.backlogItems, 1),
		maxBytes: h.backlogBytes,
		wake:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	h.mu.Lock()
	s.subs = append(s.subs, sub)
	s.n.Store(int32(len(s.subs)))
	h.mu.Unlock()
	go sub.forward()
	return sync.OnceFunc(func() {
		h.mu.Lock()
		s.subs = slices.DeleteFunc(s.subs, func(x *subscription[T]) bool { return x == sub })
		s.n.Store(int32(len(s.subs)))
		h.mu.Unlock()
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

// waitForLines is the backpressure: it returns once no line subscriber is
// more than half a backlog behind, waiting for each that is until it is
// down to a quarter, or until it has taken nothing for h.stall (then it is
// stuck, and not waited for again until it catches up), or is stopped.
func (h *hub) waitForLines() {
	if !h.backpressure {
		return
	}
	for {
		sub := h.linesBehind()
		if sub == nil || !sub.waitProgress(h.stall) {
			return
		}
	}
}

// linesBehind returns a line subscription more than half a backlog behind
// that is not stuck, or nil.
func (h *hub) linesBehind() *subscription[Line] {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, sub := range h.lines.subs {
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
