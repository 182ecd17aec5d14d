package dashboard

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// message is one event of the replay buffer, rendered once for every
// client but for its id, which each stream writes before it (see
// replay.id).
type message struct {
	id   uint64
	at   time.Time // when it happened: lines read before go before it
	body []byte    // "event: TYPE\ndata: JSON\n\n"; never modified
}

// replay is the bounded buffer of the event stream's changes of state: the
// latest messages, numbered by one counter, 1 for the first. The feed
// goroutine appends; every stream reads from it at its own pace. Lines are
// not in it: each stream reads them from the processes' rings (lines.go).
type replay struct {
	tag      string // the random part of the ids, one per Handler
	maxMsgs  int
	maxBytes int

	mu    sync.Mutex
	ring  []message // the held messages are ring[start], ring[start+1], … (mod len), n of them
	start int
	n     int
	bytes int    // of the held bodies
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

// body renders the part of a message of type event after its id; data is
// a JSON text without newlines.
func body(event string, data []byte) []byte {
	f := make([]byte, 0, len(event)+len(data)+16)
	f = append(f, "event: "...)
	f = append(f, event...)
	f = append(f, "\ndata: "...)
	f = append(f, data...)
	return append(f, "\n\n"...)
}

// append adds a message of type event with data, a JSON text without
// newlines, that happened at at, evicting the oldest messages beyond the
// bounds, and wakes the streams.
func (b *replay) append(event string, at time.Time, data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last++
	m := message{id: b.last, at: at, body: body(event, data)}
	if b.ring == nil {
		b.ring = make([]message, b.maxMsgs)
	}
	for b.n > 0 && (b.n == b.maxMsgs || b.bytes+len(m.body) > b.maxBytes) {
		b.bytes -= len(b.ring[b.start].body)
		b.ring[b.start] = message{}
		b.start = (b.start + 1) % b.maxMsgs
		b.n--
	}
	b.ring[(b.start+b.n)%b.maxMsgs] = m
	b.n++
	b.bytes += len(m.body)
	close(b.wake)
	b.wake = make(chan struct{})
}

// since returns up to most of the messages after id after, oldest first,
// and no more than mostBytes of bodies unless the first alone is more, with
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
		if i > 0 && size+len(m.body) > mostBytes {
			break
		}
		size += len(m.body)
		msgs = append(msgs, m)
	}
	return msgs, b.last, true, b.wake
}

// id renders the event id "TAG-N" of message n, followed by ";" and pos
// when pos is not empty: the places of a stream in the output of the
// processes (see positions.encode).
func (b *replay) id(n uint64, pos string) string {
	id := b.tag + "-" + strconv.FormatUint(n, 10)
	if pos != "" {
		id += ";" + pos
	}
	return id
}

// parseID reads id, an event id of this buffer ("TAG-N" or "TAG-N;POS"):
// the counter N, and the places POS (nil if none). ok is false for an id
// of another buffer, or not an id at all.
func (b *replay) parseID(id string) (n uint64, pos positions, ok bool) {
	id, rest, hasPos := strings.Cut(id, ";")
	tag, num, found := strings.Cut(id, "-")
	if !found || tag != b.tag {
		return 0, nil, false
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, nil, false
	}
	if hasPos {
		if pos, ok = parsePositions(rest); !ok {
			return 0, nil, false
		}
	}
	return n, pos, true
}

// positions are the places of an event stream in the output of the
// processes: the Seq of the last line it gave of each, by id.
type positions map[string]uint64

// maxPositionsBytes bounds the places an event id carries: past it, the
// ids carry none, and a client that resumes from one gets the kept lines
// again (see lineFeed.resume).
const maxPositionsBytes = 4 << 10

// encode renders p as "ID=SEQ,ID=SEQ", each ID query-escaped, in the
// order of ids; "" when p is empty or longer than maxPositionsBytes.
func (p positions) encode(ids []string) string {
	var sb strings.Builder
	for _, id := range ids {
		if sb.Len() > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(url.QueryEscape(id))
		sb.WriteByte('=')
		sb.WriteString(strconv.FormatUint(p[id], 10))
		if sb.Len() > maxPositionsBytes {
			return ""
		}
	}
	return sb.String()
}

// parsePositions reads what positions.encode wrote.
func parsePositions(s string) (positions, bool) {
	p := make(positions)
	if s == "" {
		return p, true
	}
	for item := range strings.SplitSeq(s, ",") {
		k, v, found := strings.Cut(item, "=")
		id, err := url.QueryUnescape(k)
		if !found || err != nil || id == "" {
			return nil, false
		}
		seq, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return nil, false
		}
		p[id] = seq
	}
	return p, true
}
