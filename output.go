package overseer

import (
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/overseer-go/overseer/internal/linebuf"
)

// output is what a Cmd keeps of its processes' output: one ring per stream
// and the Seq counter they share. It outlives runs: Seq goes on counting and
// the rings keep the last run's lines until the next run's push them out.
type output struct {
	mu     sync.Mutex
	id     string // the ID of the Lines; set when the Cmd joins an Overseer
	seq    uint64
	stdout linebuf.Ring
	stderr linebuf.Ring
	// Lines captured of each stream, for Status.
	stdoutN, stderrN uint64
	// cursors are the LogReaders' places in this output. The slice is
	// replaced, never changed in place, so that a pump can wake them
	// after it has let go of mu.
	cursors []*cursor
	// paced counts the cursors that the pumps wait for before they evict a
	// line they have not read (WithLogBackpressure).
	paced int
	// watches are the WaitLines in progress.
	watches []*lineWatch
}

func (o *output) ring(s Stream) *linebuf.Ring {
	if s == StreamStderr {
		return &o.stderr
	}
	return &o.stdout
}

func (o *output) setLimits(maxLines, maxBytes, maxLine int) {
	o.mu.Lock()
	o.stdout.SetLimits(maxLines, maxBytes, maxLine)
	o.stderr.SetLimits(maxLines, maxBytes, maxLine)
	o.mu.Unlock()
}

func (o *output) setID(id string) {
	o.mu.Lock()
	o.id = id
	o.mu.Unlock()
}

// since returns the Lines held with Seq > seq, of both streams, in Seq order.
// Their Texts share one allocation.
func (o *output) since(seq uint64) []Line {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.appendAfterLocked(nil, seq, readBounds{lines: -1, bytes: -1})
}

// readBounds bound one read of an output, and say where its Texts go.
type readBounds struct {
	// lines is the most Lines read; bytes ends the read once their Texts
	// reach it (one line is always read). Negative bounds nothing.
	lines, bytes int
	// arena, when not nil, is where the Texts are copied, at its end, and
	// what they point into: no allocation, but they change when the arena
	// is reused. Otherwise they share one new string.
	arena *[]byte
}

// appendAfterLocked appends to dst the Lines held with Seq > seq, of both
// streams, in Seq order, within the bounds b. out.mu is held.
func (o *output) appendAfterLocked(dst []Line, seq uint64, b readBounds) []Line {
	if b.arena != nil {
		return o.appendAfterToArena(dst, seq, b)
	}
	w := o.walkAfter(seq)
	// The first walk finds how far the bounds reach.
	n, size := 0, 0
	for m, _ := w.next(); m != nil && !b.reached(n, size); m, _ = w.next() {
		size += int(m.Len)
		n++
	}
	if n == 0 {
		return dst
	}
	dst = slices.Grow(dst, n)
	var text strings.Builder
	text.Grow(size)
	start := len(dst)
	w = o.walkAfter(seq)
	for range n {
		m, k := w.next()
		w.rings[k].WriteText(&text, m)
		dst = append(dst, o.lineOf(m, k))
	}
	// The second walk cuts the Texts out of the one string.
	all := text.String()
	w = o.walkAfter(seq)
	for i := start; i < len(dst); i++ {
		m, _ := w.next()
		dst[i].Text, all = all[:m.Len], all[m.Len:]
	}
	return dst
}

// appendAfterToArena is appendAfterLocked with an arena. It goes through
// the lines in runs from one ring, whose texts it copies at once.
func (o *output) appendAfterToArena(dst []Line, seq uint64, b readBounds) []Line {
	arena := *b.arena
	w := o.walkAfter(seq)
	n, size := 0, 0
	for !b.reached(n, size) {
		k, end := w.run()
		if k < 0 {
			break
		}
		// The run ends where the other ring's next line comes, or at the
		// bounds.
		r, i, j := w.rings[k], w.at[k], w.at[k]
		for j < end && !b.reached(n, size) {
			size += int(r.At(j).Len)
			n++
			j++
		}
		at := len(arena)
		arena = r.AppendTexts(arena, i, j)
		text := unsafe.String(unsafe.SliceData(arena[at:]), len(arena)-at)
		var ns int64 = -1
		var t time.Time // the lines of one read of the pipe share a time
		// The Lines are written in place: a Line built aside and copied
		// in costs as much again.
		from := len(dst)
		dst = slices.Grow(dst, j-i)[:from+j-i]
		for x := from; i < j; i, x = i+1, x+1 {
			m := r.At(i)
			if m.Time != ns {
				ns, t = m.Time, time.Unix(0, m.Time)
			}
			l := &dst[x]
			l.ID, l.Stream, l.Seq, l.PID, l.Time, l.Partial, l.Hook = o.id, StreamStdout+Stream(k), m.Seq, int(m.PID), t, m.Partial, Hook(m.Mark)
			l.Text, text = text[:m.Len], text[m.Len:]
		}
		w.at[k] = j
	}
	*b.arena = arena
	return dst
}

// reached reports whether a read of n lines and size bytes of text is at
// the bounds.
func (b readBounds) reached(n, size int) bool {
	return n == b.lines || (b.bytes >= 0 && n > 0 && size >= b.bytes)
}

// lineOf is the Line of m, a line held in ring k (0 stdout, 1 stderr),
// without its Text.
func (o *output) lineOf(m *linebuf.Meta, k int) Line {
	return Line{ID: o.id, Stream: StreamStdout + Stream(k), Seq: m.Seq, PID: int(m.PID), Time: time.Unix(0, m.Time), Partial: m.Partial, Hook: Hook(m.Mark)}
}

// ringWalk goes through the lines of both rings in Seq order.
type ringWalk struct {
	rings [2]*linebuf.Ring
	at    [2]int
}

// walkAfter starts a walk at the oldest line held with Seq > seq. out.mu
// is held while the walk is used.
func (o *output) walkAfter(seq uint64) ringWalk {
	w := ringWalk{rings: [2]*linebuf.Ring{&o.stdout, &o.stderr}}
	for k, r := range w.rings {
		w.at[k] = r.After(seq)
	}
	return w
}

// run returns the ring of the next line (0 stdout, 1 stderr; -1 at the
// end), and the index in it that the run of lines from that ring ends at:
// the other ring's next line comes after.
func (w *ringWalk) run() (k, end int) {
	in0, in1 := w.at[0] < w.rings[0].Len(), w.at[1] < w.rings[1].Len()
	switch {
	case !in0 && !in1:
		return -1, 0
	case !in1:
		return 0, w.rings[0].Len()
	case !in0:
		return 1, w.rings[1].Len()
	}
	k = 0
	if w.rings[1].At(w.at[1]).Seq < w.rings[0].At(w.at[0]).Seq {
		k = 1
	}
	// The lines of ring k before the other ring's next Seq.
	other := w.rings[1-k].At(w.at[1-k]).Seq
	return k, w.rings[k].After(other - 1)
}

// next returns the next line and its ring (0 stdout, 1 stderr), or nil at
// the end.
func (w *ringWalk) next() (*linebuf.Meta, int) {
	in0, in1 := w.at[0] < w.rings[0].Len(), w.at[1] < w.rings[1].Len()
	k := 0
	switch {
	case !in0 && !in1:
		return nil, 0
	case !in0 || (in1 && w.rings[1].At(w.at[1]).Seq < w.rings[0].At(w.at[0]).Seq):
		k = 1
	}
	m := w.rings[k].At(w.at[k])
	w.at[k]++
	return m, k
}

func (o *output) counts() (stdout, stderr uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stdoutN, o.stderrN
}

func (o *output) texts() (stdout, stderr []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stdout.Texts(), o.stderr.Texts()
}

// lineWatch is a WaitLine in progress: the first line of run pid that
// matches goes to found.
type lineWatch struct {
	pid   int
	match func(Line) bool
	found chan Line // buffered: one send, never blocking
}

// watch offers match every line of run pid kept since Seq from, then every
// new one, until one matches (it goes to the channel) or cancel is called.
func (o *output) watch(pid int, from uint64, match func(Line) bool) (<-chan Line, func()) {
	w := &lineWatch{pid: pid, match: match, found: make(chan Line, 1)}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, l := range o.appendAfterLocked(nil, from, readBounds{lines: -1, bytes: -1}) {
		if l.PID == pid && match(l) {
			w.found <- l
			return w.found, func() {}
		}
	}
	o.watches = append(o.watches, w)
	return w.found, func() {
		o.mu.Lock()
		o.watches = slices.DeleteFunc(o.watches, func(x *lineWatch) bool { return x == w })
		o.mu.Unlock()
	}
}

// offer gives a new line to the watches of its run. out.mu is held.
func (o *output) offer(l Line) {
	o.watches = slices.DeleteFunc(o.watches, func(w *lineWatch) bool {
		if w.pid != l.PID || !w.match(l) {
			return false
		}
		w.found <- l // buffered, and sent to once
		return true
	})
}

// lastSeq is the Seq of the latest line.
func (o *output) lastSeq() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.seq
}
