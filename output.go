package overseer

import (
	"slices"
	"strings"
	"sync"
	"time"

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
	// sink, when set, receives every batch of new Lines in Seq order, under
	// mu. It must not block (the Overseer's hub only makes non-blocking
	// sends, as os/signal does).
	sink lineSink
	// watches are the WaitLines in progress.
	watches []*lineWatch
}

// lineSink takes the Lines of a Cmd as they are read.
type lineSink interface {
	// wantLines reports whether anyone listens, so that no strings are made
	// for nobody.
	wantLines() bool
	publishLines([]Line)
	// waitForLines returns when the subscribers can take more; it is
	// called without the output's lock.
	waitForLines()
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

func (o *output) setSink(id string, sink lineSink) {
	o.mu.Lock()
	o.id, o.sink = id, sink
	o.mu.Unlock()
}

// since returns the Lines held with Seq > seq, of both streams, in Seq order.
// Their Texts share one allocation.
func (o *output) since(seq uint64) []Line {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sinceLocked(seq)
}

func (o *output) sinceLocked(seq uint64) []Line {
	rings := [2]*linebuf.Ring{&o.stdout, &o.stderr}
	streams := [2]Stream{StreamStdout, StreamStderr}
	var from [2]int
	n, size := 0, 0
	for k, r := range rings {
		from[k] = r.After(seq)
		if from[k] < r.Len() {
			n += r.Len() - from[k]
			size += r.BytesFrom(from[k])
		}
	}
	out := make([]Line, 0, n)
	var b strings.Builder
	b.Grow(size)
	next := from
	for len(out) < n {
		k := 0
		if next[0] == rings[0].Len() || (next[1] < rings[1].Len() && rings[1].At(next[1]).Seq < rings[0].At(next[0]).Seq) {
			k = 1
		}
		m := rings[k].At(next[k])
		next[k]++
		rings[k].WriteText(&b, m)
		out = append(out, Line{ID: o.id, Stream: streams[k], Seq: m.Seq, PID: int(m.PID), Time: time.Unix(0, m.Time), Partial: m.Partial})
	}
	// Cut the Texts out of the one string, walking the rings again.
	all, next := b.String(), from
	for i := range out {
		k := int(out[i].Stream - StreamStdout)
		m := rings[k].At(next[k])
		next[k]++
		out[i].Text, all = all[:m.Len], all[m.Len:]
	}
	return out
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
	for _, l := range o.sinceLocked(from) {
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
