package overseer

import (
	"sync"
	"sync/atomic"
)

// hub fans events and lines out to the channels of Watch and WatchLogs.
//
// Delivery follows os/signal.Notify: a send never blocks, the caller sizes
// the channel, and an item that finds a channel full is dropped for that
// channel and counted. Sends happen under a read lock, so that the stop
// function of a subscription, which takes the write lock, returns only when
// no send to that channel can happen any more; a send that cannot block
// under a lock cannot stall anyone.
type hub struct {
	mu         sync.RWMutex
	events     map[int]chan<- Event
	lines      map[int]chan<- Line
	next       int
	nEvents    atomic.Int32 // len(events), read without the lock
	nLines     atomic.Int32 // len(lines), read without the lock
	dropEvents atomic.Uint64
	dropLines  atomic.Uint64
}

func (h *hub) publishEvent(ev Event) {
	if h.nEvents.Load() == 0 {
		return
	}
	h.mu.RLock()
	for _, ch := range h.events {
		select {
		case ch <- ev:
		default:
			h.dropEvents.Add(1)
		}
	}
	h.mu.RUnlock()
}

func (h *hub) publishLines(lines []Line) {
	if h.nLines.Load() == 0 {
		return
	}
	h.mu.RLock()
	for _, ch := range h.lines {
		for _, l := range lines {
			select {
			case ch <- l:
			default:
				h.dropLines.Add(1)
			}
		}
	}
	h.mu.RUnlock()
}

func (h *hub) watchEvents(ch chan<- Event) (stop func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.events == nil {
		h.events = make(map[int]chan<- Event)
	}
	id := h.next
	h.next++
	h.events[id] = ch
	h.nEvents.Store(int32(len(h.events)))
	return sync.OnceFunc(func() {
		h.mu.Lock()
		delete(h.events, id)
		h.nEvents.Store(int32(len(h.events)))
		h.mu.Unlock()
	})
}

func (h *hub) watchLines(ch chan<- Line) (stop func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lines == nil {
		h.lines = make(map[int]chan<- Line)
	}
	id := h.next
	h.next++
	h.lines[id] = ch
	h.nLines.Store(int32(len(h.lines)))
	return sync.OnceFunc(func() {
		h.mu.Lock()
		delete(h.lines, id)
		h.nLines.Store(int32(len(h.lines)))
		h.mu.Unlock()
	})
}
