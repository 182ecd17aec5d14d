//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/config"
)

// terminal prints the output and the changes of state of every process,
// each line prefixed with the process's name, padded and coloured per
// process as foreman and goreman do: "web    | text" for stdout, "web    !
// text" for stderr, "web    * running (pid 42)" for a change of state.
// Colour is off when the output is not a terminal or NO_COLOR is set; then
// the processes' own colour sequences are removed too. What the processes
// wrote goes through a sanitizer (sanitize.go): no escape sequence but
// colours reaches the terminal, and no control character but tab.
//
// One goroutine, the printer, reads the lines a batch at a time from a
// LogReader, formats a batch into one buffer and writes it with one write
// (termprint.go): the processes' rings are the only queue. The changes of
// state (termevent.go) and the command's own messages (say, printf) come to
// it through a short list, pending, taken between batches.
//
// An output that takes nothing holds up neither the processes nor the
// command's end: the printer blocks in its write, the LogReader reads
// nothing, and after a second the pumps wait for it no more (the processes
// go on, and the lines the rings let go meanwhile are said to be missing
// once the output moves again); close waits for the printer for at most
// drainFor.
type terminal struct {
	w          io.Writer
	z          sanitizer
	colour     bool
	timestamps bool // each line begins with the time it was read
	width      int
	codes      map[string]string // the colour of each process
	drainFor   time.Duration     // how long close waits for the output
	stderr     io.Writer         // where close says that it gave up
	closed     bool              // close was called (by the command's goroutine only)

	o          *overseer.Overseer
	events     chan overseer.Event
	stopEvents func()
	eventsDone chan struct{} // closed when watchEvents has returned
	done       chan struct{} // closed when the printer has returned

	printed   atomic.Uint64 // lines printed (taken from the reader)
	abandoned atomic.Bool   // close gave up on the output: write nothing more

	mu       sync.Mutex
	r        *overseer.LogReader // set by follow
	ro       *overseer.Overseer  // set by follow, with r
	pending  []item              // for the printer, in order
	spare    []item              // the printer's last pending, reused
	dropped  uint64              // items not kept: pending was full
	wait     context.Context     // the printer's wait, ended by poke
	poke     context.CancelFunc
	draining bool          // close asks the printer to print what is left and return
	over     bool          // the printer has taken its last items
	wrote    chan struct{} // closed and replaced each time a write returns (made by close)

	printer // the printer goroutine's own
}

// maxPending bounds the events and messages that wait for the printer: it
// is behind only when the output takes nothing.
const maxPending = 1024

// item is an event or a message for the printer.
type item struct {
	event bool
	ev    overseer.Event
	after uint64 // of an end of a run: the Seq of its last line

	at       time.Time
	id, mark string // "" for a line of the command's own, printed as it is
	text     string
}

// palette is the colours given to processes in turn: cyan, yellow, green,
// magenta, blue, red, and their bright forms.
var palette = []string{"36", "33", "32", "35", "34", "31", "96", "93", "92", "95", "94", "91"}

// newTerminal returns the terminal that prints the output of procs to w,
// and says on stderr when it gives up on w; close ends it. It prints what
// it is told (say, printf) at once, and the processes from follow on.
func newTerminal(w, stderr io.Writer, procs []config.Process, timestamps bool) *terminal {
	t := &terminal{w: w, z: sanitizerFor(w), timestamps: timestamps, codes: make(map[string]string),
		drainFor: longestStop(procs), stderr: stderr, done: make(chan struct{})}
	t.colour = t.z.colour
	for i, p := range procs {
		t.width = max(t.width, len(p.Name))
		t.codes[p.Name] = palette[i%len(palette)]
	}
	t.printer.init()
	var cancel context.CancelFunc
	t.nowait, cancel = context.WithCancel(context.Background())
	cancel()
	t.wait, t.poke = context.WithCancel(context.Background())
	go t.run()
	return t
}

// longestStop is the longest StopTimeout of procs: how long the end of the
// command waits for its output.
func longestStop(procs []config.Process) time.Duration {
	longest := time.Duration(0)
	for _, p := range procs {
		longest = max(longest, p.Cmd.StopTimeout)
	}
	if longest <= 0 {
		longest = defaultStop
	}
	return longest
}

// follow prints the lines and the changes of state of o's processes from
// now on, until close.
func (t *terminal) follow(o *overseer.Overseer) {
	t.o = o // the command's goroutine's; the printer's copy is given by take
	t.events = make(chan overseer.Event, 256)
	t.eventsDone = make(chan struct{})
	t.stopEvents = o.Watch(t.events)
	go t.watchEvents()
	r := o.NewLogReader(overseer.LogReaderConfig{MaxLines: batchLines, ReuseText: true}) // each batch is formatted before the next is read
	t.mu.Lock()
	t.r, t.ro = r, o
	t.poke()
	t.mu.Unlock()
}

// batchLines bounds the lines the printer takes at once: a batch is written
// before the next is read, so an output must take about that much a second
// to hold the processes up (with WithLogBackpressure) rather than be taken
// as stuck.
const batchLines = 1024

// watchEvents hands the events of o.Watch to the printer until close.
func (t *terminal) watchEvents() {
	defer close(t.eventsDone)
	for ev := range t.events {
		// Every line of a run was captured before its end: the end is
		// printed after them, and whatever change follows after the end.
		var after uint64
		if ev.To.IsFinal() || ev.To == overseer.StateBackoff {
			after = t.captured(ev.ID)
		}
		t.add(item{event: true, ev: ev, after: after})
	}
}

// captured returns the Seq of the last line captured of process id.
func (t *terminal) captured(id string) uint64 {
	c, err := t.o.Cmd(id)
	if err != nil {
		return 0
	}
	jp := c.ToJSON() // the counts, without a copy of the lines
	return jp.StdoutLines + jp.StderrLines
}

// say prints a line of the command's own (its dashboard's address, say),
// as it is.
func (t *terminal) say(text string) {
	t.add(item{text: text})
}

// printf prints one line with the prefix of id, and the time at when the
// terminal shows timestamps; the text, which may quote a process (its
// STATUS=, an error), is sanitized.
func (t *terminal) printf(at time.Time, id, mark, format string, args ...any) {
	t.add(item{at: at, id: id, mark: mark, text: fmt.Sprintf(format, args...)})
}

// add hands it to the printer, unless the printer is over or too far behind.
func (t *terminal) add(it item) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.over || t.abandoned.Load():
		return // what is printed after the end is not written
	case len(t.pending) >= maxPending:
		t.dropped++
		return
	}
	t.pending = append(t.pending, it)
	t.poke()
}

// take returns what waits for the printer and how many items were dropped,
// the reader, the context to wait with (ended by the next poke), and
// whether close asks the printer to finish.
func (t *terminal) take() (items []item, dropped uint64, r *overseer.LogReader, wait context.Context, draining bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	items, t.pending, t.spare = t.pending, t.spare[:0], t.pending
	dropped, t.dropped = t.dropped, 0
	t.printer.o = t.ro
	if t.wait.Err() != nil {
		t.wait, t.poke = context.WithCancel(context.Background())
	}
	return items, dropped, t.r, t.wait, t.draining
}

// run is the printer: it prints what comes until close asks it to finish.
func (t *terminal) run() {
	defer close(t.done)
	for {
		items, dropped, r, wait, draining := t.take()
		t.items(items, dropped)
		if draining {
			t.finish(r)
			return
		}
		if r == nil {
			t.flush()
			<-wait.Done() // follow, a message, or close
			continue
		}
		if len(t.buf) > 0 {
			// Events or messages wait in the buffer: they are written with
			// the lines already there, without waiting for more.
			wait = t.nowait
		}
		b, err := r.Next(wait)
		if err != nil {
			t.flush()
			continue // poked (a message, close), or nothing more yet; ErrClosed only once close gave up
		}
		t.batch(b)
		// What else is there already goes into the same write: fewer,
		// larger writes (up to writeAt), and never a wait.
		for len(t.buf) < writeAt {
			if b, err = r.Next(t.nowait); err != nil {
				break
			}
			t.batch(b)
		}
		t.flush()
	}
}

// finish prints every line left to read, the messages that came
// meanwhile, the events held for lines that never came, and ends a line
// left unfinished.
func (t *terminal) finish(r *overseer.LogReader) {
	if r != nil {
		ended, cancel := context.WithCancel(context.Background())
		cancel() // Next then reads what is left, without waiting for more
		for {
			b, err := r.Next(ended)
			if err != nil {
				break
			}
			t.batch(b)
			t.flush()
		}
	}
	t.mu.Lock()
	items, dropped := t.pending, t.dropped
	t.pending, t.dropped, t.over = nil, 0, true
	t.mu.Unlock()
	t.items(items, dropped)
	t.releaseAll()
	t.endPiece()
	t.flush()
}

// close prints every line captured so far, then ends the subscriptions.
// It waits until the output has taken everything, for at most drainFor,
// or, once abort is closed (a second Ctrl-C), until it has taken nothing
// for outStall, and says so on stderr when it gives up.
//
// What is printed afterwards (a last log record) is not written.
func (t *terminal) close(abort <-chan struct{}) {
	if t.closed {
		return
	}
	t.closed = true
	if t.stopEvents != nil {
		t.stopEvents()
		close(t.events)
		<-t.eventsDone // every event sent is pending
	}
	t.mu.Lock()
	t.draining = true
	t.poke()
	r := t.r
	t.mu.Unlock()
	var err error
	timer := time.NewTimer(t.drainFor)
	defer timer.Stop()
	// After a second signal (abort), the output is given up on once it
	// takes nothing for outStall: a printer that is writing what is left,
	// or about to, goes on (the signal kills the processes, it does not
	// drop their last lines); one stuck in a write is left behind.
	var stall <-chan time.Time
	for waiting := true; waiting; {
		select {
		case <-t.done:
			err, waiting = t.err, false // the printer has returned
		case <-timer.C:
			err, waiting = t.stuck(false), false
		case <-abort:
			abort = nil
			stall = time.After(outStall)
		case <-t.wroteCh():
			if stall != nil {
				stall = time.After(outStall)
			}
		case <-stall:
			err, waiting = t.stuck(true), false
		}
	}
	if _, gaveUp := err.(*stuckError); gaveUp {
		t.abandoned.Store(true) // the printer is stuck in a write: left to the end of the command
	}
	if r != nil {
		r.Close()
	}
	if err != nil {
		fmt.Fprintln(t.stderr, "overseer:", err)
	}
}

// wroteCh returns a channel that is closed when the printer's next write
// returns.
func (t *terminal) wroteCh() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.wrote == nil {
		t.wrote = make(chan struct{})
	}
	return t.wrote
}

// madeProgress wakes close when a write has returned.
func (t *terminal) madeProgress() {
	t.mu.Lock()
	if t.wrote != nil {
		close(t.wrote)
		t.wrote = nil
	}
	t.mu.Unlock()
}

// stuck is close's error when it gives up on the output: about how many
// lines are left unwritten.
func (t *terminal) stuck(aborted bool) error {
	var captured uint64
	if t.o != nil {
		for _, id := range t.o.ListAll() {
			captured += t.captured(id)
		}
	}
	t.mu.Lock()
	left := uint64(len(t.pending)) + t.dropped
	t.mu.Unlock()
	if printed := t.printed.Load(); captured > printed {
		left += captured - printed
	}
	return &stuckError{lines: max(left, 1), after: t.drainFor, aborted: aborted}
}
