//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/overseer-go/overseer"
)

// printer is the state of the terminal's printer goroutine: the buffer it
// formats into, and what it knows of each process. Nothing else touches
// it (close reads err once the printer has returned).
type printer struct {
	buf    []byte
	nowait context.Context    // done: Next returns at once
	o      *overseer.Overseer // the terminal's, once it follows one
	procs  map[string]*procState
	last   *procState // of the last line: a batch is mostly runs of one process
	err    error      // the output's first error: nothing more is written

	// open is the piece of a line printed last, without its newline: the
	// output ends in the middle of its line, which its continuation
	// completes when it comes next.
	open    *piece
	openSGR bool // the open line set colours: they end with it
}

// procState is what the printer knows of one process.
type procState struct {
	id      string
	prefix  [2][]byte // "web    | ", "web    ! ", coloured when colour is on
	more    [2][]byte // the prefix of a continuation: "web    |…", "web    !…"
	event   []byte    // "web    * "
	maxLine int       // the Cmd's MaxLineBytes: a Partial piece that long was cut by size
	looked  bool      // maxLine was looked up
	lastSeq uint64    // of the last line printed
	missed  uint64    // lines missed, said before the next line
	pieces  [2]piece  // the unfinished line of each stream
	held    []heldEvent
	pid     int             // of the last event, to tell a rolling restart
	health  overseer.Health // of the last event, to tell a change of health
}

// piece is the state of an unfinished (Partial) line of one stream.
type piece struct {
	waiting bool // its continuation has not come
	pid     int  // of the run that wrote it
	broken  bool // something else was printed after it: its continuation is marked
}

// The bounds of the printer's writes.
const (
	writeAt  = 64 << 10 // a buffer this full is written at once, even in the middle of a batch
	keepBuf  = 1 << 20  // a buffer grown past this (a huge line) is let go once written
	contMark = "…"      // a continuation's prefix ends with it, instead of a space
)

func (p *printer) init() {
	p.procs = make(map[string]*procState)
}

// proc returns the state of process id.
func (t *terminal) proc(id string) *procState {
	if p := t.last; p != nil && p.id == id {
		return p
	}
	p := t.procs[id]
	if p == nil {
		p = &procState{id: id}
		name := fmt.Sprintf("%-*s ", t.width, id)
		for i, mark := range [...]string{"|", "!", "*"} {
			prefix := t.paint(id, name+mark+" ")
			if i < 2 {
				p.prefix[i] = prefix
				p.more[i] = t.paint(id, name+mark+contMark)
			} else {
				p.event = prefix
			}
		}
		t.procs[id] = p
	}
	t.last = p
	return p
}

// paint returns prefix in the colour of process id when colour is on.
func (t *terminal) paint(id, prefix string) []byte {
	if t.colour {
		prefix = "\x1b[" + t.codes[id] + "m" + prefix + "\x1b[0m"
	}
	return []byte(prefix)
}

// batch formats the lines of b into the buffer, writing it whenever it is
// full.
func (t *terminal) batch(b overseer.LogBatch) {
	for _, m := range b.Missed {
		t.proc(m.ID).missed += m.Count
	}
	for i := range b.Lines {
		t.line(&b.Lines[i])
		if len(t.buf) >= writeAt {
			t.flush()
		}
	}
	t.printed.Add(uint64(len(b.Lines)))
}

// line formats one line. A Partial line is printed without its newline,
// so that a prompt shows at once; when its continuation comes next, only
// the rest is printed, and the line is whole. When something else must be
// printed first, the piece's line is ended, and its continuation begins
// with the mark of one (contMark).
func (t *terminal) line(l *overseer.Line) {
	p := t.proc(l.ID)
	if p.missed > 0 {
		t.missed(l.Time, p)
	}
	s := 0
	if l.Stream == overseer.StreamStderr {
		s = 1
	}
	if !p.looked && t.printer.o != nil {
		p.looked = true
		if c, err := t.printer.o.Cmd(l.ID); err == nil {
			p.maxLine = c.MaxLineBytes // set before the Cmd was added, and never changed
		}
	}
	pc := &p.pieces[s]
	more := pc.waiting && pc.pid == l.PID
	// A piece of MaxLineBytes was cut by size (max_line_bytes): it is a
	// line of its own, as that key says; only shorter pieces, flushed
	// while the line waited for its end, are joined.
	partial := l.Partial && (p.maxLine <= 0 || len(l.Text) < p.maxLine)
	if t.open != nil {
		if t.open == pc && more {
			t.text(l.Text) // the rest of the open line
			t.endLine(p, l, pc, partial)
			return
		}
		t.endPiece()
	}
	prefix := p.prefix[s]
	if more && pc.broken {
		prefix = p.more[s]
	}
	t.stamp(l.Time)
	t.buf = append(t.buf, prefix...)
	t.buf = append(t.buf, hookMark(l.Hook)...)
	t.openSGR = false
	t.text(l.Text)
	t.endLine(p, l, pc, partial)
}

// text appends text, cleaned, and notes whether it set colours.
func (t *terminal) text(text string) {
	start := len(t.buf)
	t.buf = t.z.appendClean(t.buf, text)
	if t.colour && !t.openSGR && bytes.IndexByte(t.buf[start:], '\x1b') >= 0 {
		t.openSGR = true // only SGR sequences are left
	}
}

// endLine ends the line l (of p, its stream's piece pc) was appended to,
// unless l is a partial piece: then it stays open for its continuation.
func (t *terminal) endLine(p *procState, l *overseer.Line, pc *piece, partial bool) {
	p.lastSeq = l.Seq
	if partial {
		*pc = piece{waiting: true, pid: l.PID}
		t.open = pc
	} else {
		pc.waiting = false
		t.open = nil
		t.newline()
	}
	if len(p.held) > 0 && p.held[0].after <= l.Seq {
		t.release(p, l.Seq)
	}
}

// newline ends a line, and the colours it set.
func (t *terminal) newline() {
	if t.openSGR {
		t.buf = append(t.buf, "\x1b[0m"...)
		t.openSGR = false
	}
	t.buf = append(t.buf, '\n')
}

// endPiece ends the open line before something else is printed: its
// continuation, when it comes, is marked.
func (t *terminal) endPiece() {
	if t.open == nil {
		return
	}
	t.open.broken = true
	t.open = nil
	t.newline()
}

// stamp appends the time at when the terminal shows timestamps.
func (t *terminal) stamp(at time.Time) {
	if t.timestamps {
		t.buf = at.AppendFormat(t.buf, "15:04:05.000")
		t.buf = append(t.buf, ' ')
	}
}

// missed says that lines of p were not shown, before its next line, and
// forgets its unfinished lines, whose continuations may be among them.
func (t *terminal) missed(at time.Time, p *procState) {
	t.message(at, p.id, "*", fmt.Sprintf("(%d lines not shown: the terminal fell behind)", p.missed))
	p.missed = 0
	p.pieces = [2]piece{}
}

// message formats one line with the prefix of id (mark "*"), or, without
// an id, text as it is.
func (t *terminal) message(at time.Time, id, mark, text string) {
	t.endPiece()
	if id == "" {
		t.buf = append(t.buf, text...)
		t.buf = append(t.buf, '\n')
		return
	}
	p := t.proc(id)
	prefix := p.event
	switch mark {
	case "|":
		prefix = p.prefix[0]
	case "!":
		prefix = p.prefix[1]
	}
	t.stamp(at)
	t.buf = append(t.buf, prefix...)
	t.text(text)
	t.newline()
}

// items prints the events and messages taken from pending, after a notice
// of those that were dropped.
func (t *terminal) items(items []item, dropped uint64) {
	if dropped > 0 {
		t.message(time.Now(), "overseer", "*", fmt.Sprintf("(%d messages not shown: the terminal fell behind)", dropped))
	}
	for i := range items {
		if items[i].event {
			t.event(items[i].ev, items[i].after)
		} else {
			t.message(items[i].at, items[i].id, items[i].mark, items[i].text)
		}
		items[i] = item{} // let go of its texts
	}
}

// flush writes the buffer, unless the output failed or close gave up on
// it.
func (t *terminal) flush() {
	if len(t.buf) == 0 {
		return
	}
	if t.err == nil && !t.abandoned.Load() {
		if _, err := t.w.Write(t.buf); err != nil {
			t.err = err
		}
		t.madeProgress()
	}
	t.buf = t.buf[:0]
	if cap(t.buf) > keepBuf {
		t.buf = nil
	}
}
