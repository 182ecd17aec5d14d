package overseer

import (
	"sync"
	"sync/atomic"
)

// hub fans events and lines out to the channels of Watch and WatchLogs.
//
// Delivery follows os/signal.Notify: a send never blocks, the caller sizes
// the channel, and an item that finds a channel full is dropped for that
// channel and counted. Sends happen under the read lock, so that the stop
// function of a subscription, which takes the write lock, returns only when
// no send to that channel can happen any more; a send that cannot block
// under a lock cannot stall anyone.
type hub struct {
	mu     sync.RWMutex
	next   int // the key of the next subscription
	events subscribers[Event]
	lines  subscribers[Line]
}

// subscribers are the channels of one kind of item.
type subscribers[T any] struct {
	chans   map[int]chan<- T // guarded by hub.mu
	n       atomic.Int32     // len(chans), read without the lock
	dropped atomic.Uint64
}

func (h *hub) publishEvent(ev Event) {
	if h.events.n.Load() == 0 {
		return
	}
	h.mu.RLock()
	h.events.send(ev)
	h.mu.RUnlock()
}

func (h *hub) publishLines(lines []Line) {
	if h.lines.n.Load() == 0 {
		return
	}
	h.mu.RLock()
	for _, l := range lines {
		h.lines.send(l)
	}
	h.mu.RUnlock()
}

// send offers v to every channel without blocking. hub.mu is read-locked.
func (s *subscribers[T]) send(v T) {
	for _, ch := range s.chans {
		select {
		case ch <- v:
		default:
			s.dropped.Add(1)
		}
	}
}

// subscribe adds ch to s and returns the function that removes it.
func subscribe[T any](h *hub, s *subscribers[T], ch chan<- T) (stop func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.chans == nil {
		s.chans = make(map[int]chan<- T)
	}
	key := h.next
	h.next++
	s.chans[key] = ch
	s.n.Store(int32(len(s.chans)))
	return sync.OnceFunc(func() {
		h.mu.Lock()
		delete(s.chans, key)
		s.n.Store(int32(len(s.chans)))
		h.mu.Unlock()
	})
}
