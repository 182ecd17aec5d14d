package dashboard

import (
	"strconv"
	"strings"
	"sync"
)

// message is one event of the stream, rendered once for every client.
type message struct {
	id    uint64
	frame []byte // "id: TAG-N\nevent: TYPE\ndata: JSON\n\n"; never modified
}

// replay is the bounded buffer of the event stream: the latest messages,
// numbered by one counter, 1 for the first. The feed goroutine appends;
// every stream reads from it at its own pace.
type replay struct {
	tag      string // the random part of the ids, one per Handler
	maxMsgs  int
	maxBytes int

	mu    sync.Mutex
	ring  []message // the held messages are ring[start], ring[start+1], … (mod len), n of them
	start int
	n     int
	bytes int    // of the held frames
	last  uint64 // the id of the last message appended, 0 for none
	wake  chan struct{}
}

func newReplay(tag string, maxMsgs, maxBytes int) *replay {
	return &replay{
		tag:      tag,
		maxMsgs:  max(maxMsgs, 1),
		maxBytes: maxBytes,
		wake:     make(chan struct{}),
	}
}

// frame renders a message of type event, with id n, whose data is data, a
// JSON text without newlines.
func (b *replay) frame(n uint64, event string, data []byte) []byte {
	f := make([]byte, 0, len(b.tag)+len(event)+len(data)+40)
	f = append(f, "id: "...)
	f = append(f, b.tag...)
	f = append(f, '-')
	f = strconv.AppendUint(f, n, 10)
	f = append(f, "\nevent: "...)
	f = append(f, event...)
	f = append(f, "\ndata: "...)
	f = append(f, data...)
	return append(f, "\n\n"...)
}

// append adds a message of type event with data, a JSON text without
// newlines, evicting the oldest messages beyond the bounds, and wakes the
// streams.
func (b *replay) append(event string, data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last++
	m := message{id: b.last, frame: b.frame(b.last, event, data)}
	if b.ring == nil {
		b.ring = make([]message, b.maxMsgs)
	}
	for b.n > 0 && (b.n == b.maxMsgs || b.bytes+len(m.frame) > b.maxBytes) {
		b.bytes -= len(b.ring[b.start].frame)
		b.ring[b.start] = message{}
		b.start = (b.start + 1) % b.maxMsgs
		b.n--
	}
	b.ring[(b.start+b.n)%b.maxMsgs] = m
	b.n++
	b.bytes += len(m.frame)
	close(b.wake)
	b.wake = make(chan struct{})
}

// since returns up to most of the messages after id after, oldest first,
// and no more than mostBytes of frames unless the first alone is more, with
// last, the id of the last message appended, and wake, a channel
// closed at the next append. ok is false when the buffer no longer holds
// every message after after (they were evicted), or when after is ahead of
// the buffer: the reader then needs a snapshot.
func (b *replay) since(after uint64, most, mostBytes int) (msgs []message, last uint64, ok bool, wake <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	first := b.last - uint64(b.n) + 1 // the oldest held; last+1 when none is
	if after+1 < first || after > b.last {
		return nil, b.last, false, b.wake
	}
	k := min(int(b.last-after), most)
	msgs = make([]message, 0, k)
	skip, size := int(after+1-first), 0
	for i := range k {
		m := b.ring[(b.start+skip+i)%b.maxMsgs]
		if i > 0 && size+len(m.frame) > mostBytes {
			break
		}
		size += len(m.frame)
		msgs = append(msgs, m)
	}
	return msgs, b.last, true, b.wake
}

// snapshotFrame renders a snapshot whose id is n, the last message it
// covers.
func (b *replay) snapshotFrame(n uint64, data []byte) []byte {
	return b.frame(n, "snapshot", data)
}

// parseID returns the counter of id, an event id of this buffer ("TAG-N").
// ok is false for an id of another buffer, or not an id at all.
func (b *replay) parseID(id string) (n uint64, ok bool) {
	tag, num, found := strings.Cut(id, "-")
	if !found || tag != b.tag {
		return 0, false
	}
	n, err := strconv.ParseUint(num, 10, 64)
	return n, err == nil
}
