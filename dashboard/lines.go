package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/overseer-go/overseer"
)

// The lines events of a stream.
const (
	// A lines event holds at most batchLines lines, and no more once
	// their texts reach batchBytes (at least one line). The stream's
	// reader reads batchLines at a time: a stream stuck writing to its
	// client holds that many lines and one event, a few hundred KiB.
	batchLines = 512
	batchBytes = 128 << 10
	// batchDelay is how long a stream waits after a lines event of fewer
	// than smallBatch lines before it reads lines again, so that a process
	// printing a line now and then makes a few dozen events a second, and
	// not one per read of its pipe. A stream that reads more at a time
	// does not wait: the lines could outrun the rings meanwhile.
	batchDelay = 25 * time.Millisecond
	smallBatch = batchLines / 8
	// holdLines bounds the lines a stream reads ahead to place the changes
	// of state it has to send among them.
	holdLines = 2 * batchLines
	// keepEventBytes is the most an encoding buffer keeps between events.
	keepEventBytes = 1 << 20
)

// heldLine is a line read and not sent yet, with the count of the lines of
// its process that the stream missed just before it.
type heldLine struct {
	overseer.Line
	missed uint64
}

// lineFeed gives an event stream its lines: it reads them with a Lossy
// LogReader of its own, straight from the processes' rings, which are the
// only buffer: a client that reads slowly, or not at all, holds up no
// process and costs a batch, and the lines it falls too far behind to get
// are counted (jsonLine.Missed) instead of kept.
type lineFeed struct {
	r     *overseer.LogReader
	drain context.Context // done: Next waits for nothing

	skip    positions         // of a resumed stream: the last Seq its client had
	gaps    map[string]uint64 // the reader's LogBatch.Missed
	seen    map[string]uint64 // the Seq of the last line read of each process
	pos     positions         // the Seq of the last line given of each process
	ids     []string          // the keys of pos, sorted
	posText string            // pos encoded, for the event ids

	held, later []heldLine
	after       map[string]bool // processes with a line after a change of state
	buf         bytes.Buffer
	enc         *json.Encoder
}

// newLineFeed returns the lines of o's processes from now on; or, for a
// stream resumed with Last-Event-ID (resume), the lines after the places
// it carried (had), and every line kept of the processes it carried no
// place of.
func newLineFeed(o *overseer.Overseer, resume bool, had positions) *lineFeed {
	cfg := overseer.LogReaderConfig{MaxLines: batchLines, Lossy: true}
	if resume {
		cfg.Tail = overseer.TailAll
	}
	drain, cancel := context.WithCancel(context.Background())
	cancel()
	f := &lineFeed{
		r:     o.NewLogReader(cfg),
		drain: drain,
		skip:  had,
		gaps:  make(map[string]uint64),
		seen:  make(map[string]uint64),
		pos:   make(positions, len(had)),
		after: make(map[string]bool),
	}
	for id, seq := range had {
		f.pos[id] = seq
		f.ids = append(f.ids, id)
	}
	slices.Sort(f.ids)
	f.posText = f.pos.encode(f.ids)
	f.enc = json.NewEncoder(&f.buf)
	return f
}

// close ends the reader.
func (f *lineFeed) close() { f.r.Close() }

// take holds the lines of b, but those the client has already, each with
// the count of the lines of its process missed just before it: the gap in
// Seq since the line before it, or, for the first line the stream reads
// of a process, what the reader says it missed (LogBatch.Missed). The gap
// is where the lines went missing: the two streams of a process have
// rings of their own, so the reader may miss lines of one between lines
// of the other that are still kept.
func (f *lineFeed) take(b overseer.LogBatch) {
	for _, m := range b.Missed {
		f.gaps[m.ID] = m.Count
	}
	for _, l := range b.Lines {
		gap := f.gaps[l.ID]
		delete(f.gaps, l.ID)
		if had, ok := f.skip[l.ID]; ok {
			if l.Seq <= had {
				continue // the client has it
			}
			// What the rings let go while the client was away.
			gap = l.Seq - had - 1
			delete(f.skip, l.ID)
		} else if last, ok := f.seen[l.ID]; ok && l.Seq > last {
			gap = l.Seq - last - 1
		} // else the first line of the process, or of a new one of that id
		f.seen[l.ID] = l.Seq
		f.held = append(f.held, heldLine{Line: l, missed: gap})
	}
}

// fill holds the lines there are to read now, up to about most of them
// (it waits for none), and reports whether it holds any.
func (f *lineFeed) fill(most int) bool {
	for len(f.held) < most {
		b, err := f.r.Next(f.drain)
		if err != nil {
			break // nothing left to read now (or closed)
		}
		f.take(b)
	}
	return len(f.held) > 0
}

// wait waits for lines until ctx is done, deadline passes or wake is
// closed, and reports whether it holds any.
func (f *lineFeed) wait(ctx context.Context, wake <-chan struct{}, deadline time.Time) bool {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() { // ends when wait returns
		select {
		case <-wake:
			cancel()
		case <-stop:
		}
	}()
	b, err := f.r.Next(ctx)
	if err != nil {
		return false
	}
	f.take(b)
	return len(f.held) > 0
}

// before moves the held lines that go after a change of state at at (and
// those that follow them of the same process, which keep their Seq
// order) to f.later, and returns how many of the held ones go before it,
// now first in f.held.
func (f *lineFeed) before(at time.Time) int {
	clear(f.after)
	f.later = f.later[:0]
	k := 0
	for _, l := range f.held {
		if f.after[l.ID] || l.Time.After(at) {
			f.after[l.ID] = true
			f.later = append(f.later, l)
			continue
		}
		f.held[k] = l
		k++
	}
	return k
}

// keepLater makes the lines moved by before the held ones. The two
// slices trade their arrays: they never share one.
func (f *lineFeed) keepLater() {
	clear(f.held)
	f.held, f.later = f.later, f.held[:0]
}

// drop lets go of the held lines.
func (f *lineFeed) drop() {
	clear(f.held)
	f.held = f.held[:0]
}

// events writes lines as lines events, each with the id idOf gives for the
// places after it, through write.
func (f *lineFeed) events(lines []heldLine, idOf func(pos string) string, write func([]byte) error) error {
	for len(lines) > 0 {
		n, size := 0, 0
		for n < len(lines) && n < batchLines && (n == 0 || size+len(lines[n].Text) <= batchBytes) {
			size += len(lines[n].Text)
			n++
		}
		for _, l := range lines[:n] {
			f.moved(l.ID, l.Seq)
		}
		f.posText = f.pos.encode(f.ids)
		if err := write(f.frame(idOf(f.posText), lines[:n])); err != nil {
			return err
		}
		lines = lines[n:]
	}
	return nil
}

// moved notes that the client has line seq of process id.
func (f *lineFeed) moved(id string, seq uint64) {
	if _, ok := f.pos[id]; !ok {
		i, _ := slices.BinarySearch(f.ids, id)
		f.ids = slices.Insert(f.ids, i, id)
	}
	f.pos[id] = seq
}

// frame renders the lines event of lines whose id is id: its data is
// {"lines": [...]}, as linesData encodes.
func (f *lineFeed) frame(id string, lines []heldLine) []byte {
	if f.buf.Cap() > keepEventBytes {
		f.buf = bytes.Buffer{}
		f.enc = json.NewEncoder(&f.buf)
	}
	f.buf.Reset()
	f.buf.WriteString("id: ")
	f.buf.WriteString(id)
	f.buf.WriteString("\nevent: lines\ndata: {\"lines\":[")
	n := 0
	for _, l := range lines {
		jl := toJSONLine(l.Line)
		jl.Missed = l.missed
		mark := f.buf.Len()
		if n > 0 {
			f.buf.WriteByte(',')
		}
		if err := f.enc.Encode(jl); err != nil {
			// Cannot happen: every field of a line encodes. Leave it out.
			f.buf.Truncate(mark)
			continue
		}
		f.buf.Truncate(f.buf.Len() - 1) // Encode's newline
		n++
	}
	f.buf.WriteString("]}\n\n")
	return f.buf.Bytes()
}
