//go:build unix

package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
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
// Lines are written through an outQueue: an output that takes nothing
// holds up neither the processes nor the command's end, which waits for
// the output for at most drainFor.
type terminal struct {
	q          *outQueue
	z          sanitizer
	colour     bool
	timestamps bool // each line begins with the time it was read
	width      int
	codes      map[string]string // the colour of each process
	drainFor   time.Duration     // how long close waits for the output
	stderr     io.Writer         // where close says that it gave up
	closed     bool              // close was called (by the command's goroutine only)

	o          *overseer.Overseer
	lines      chan overseer.Line
	events     chan overseer.Event
	stopLines  func()
	stopEvents func()
	done       chan struct{}
	printed    chan struct{} // cap 1: a line was printed

	mu      sync.Mutex
	lastSeq map[string]uint64 // the Seq of the last line printed of each process

	// The end of a run (a final state or backoff) is printed after the
	// run's last line: held waits for it.
	held map[string][]heldEvent

	pids map[string]int // the pid of the last event of each process, to tell a rolling restart
}

// heldEvent is an event printed once the line of Seq after has been.
type heldEvent struct {
	ev    overseer.Event
	after uint64
}

// palette is the colours given to processes in turn: cyan, yellow, green,
// magenta, blue, red, and their bright forms.
var palette = []string{"36", "33", "32", "35", "34", "31", "96", "93", "92", "95", "94", "91"}

// newTerminal returns the terminal that prints the output of procs to w,
// and says on stderr when it gives up on w; close ends it.
func newTerminal(w, stderr io.Writer, procs []config.Process, timestamps bool) *terminal {
	t := &terminal{z: sanitizerFor(w), timestamps: timestamps, codes: make(map[string]string), lastSeq: make(map[string]uint64),
		held: make(map[string][]heldEvent), pids: make(map[string]int), drainFor: longestStop(procs), stderr: stderr}
	t.colour = t.z.colour
	for i, p := range procs {
		t.width = max(t.width, len(p.Name))
		t.codes[p.Name] = palette[i%len(palette)]
	}
	t.q = newOutQueue(w, func(dropped uint64) string {
		return t.format(time.Now(), "overseer", "*", fmt.Sprintf("(%d lines not shown: the terminal fell behind)", dropped))
	})
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

// follow subscribes to o and prints what comes until close.
func (t *terminal) follow(o *overseer.Overseer) {
	t.o = o
	t.printed = make(chan struct{}, 1)
	t.lines = make(chan overseer.Line, 4096)
	t.events = make(chan overseer.Event, 256)
	t.stopLines = o.WatchLogs(t.lines)
	t.stopEvents = o.Watch(t.events)
	t.done = make(chan struct{})
	go t.print()
}

// say prints a line of the command's own (its dashboard's address, say),
// as it is.
func (t *terminal) say(text string) {
	t.q.put([]byte(text + "\n"))
}

// close waits until every line captured so far has been queued (or
// nothing has come for a while), then ends the subscriptions: ending them
// first would drop what still waits in their backlogs. Then it waits until
// the output has taken everything, for at most drainFor, or until abort
// is closed (a second Ctrl-C), and says so on stderr when it gives up.
//
// What is printed afterwards (a last log record) is not written.
func (t *terminal) close(abort <-chan struct{}) {
	if t.closed {
		return
	}
	t.closed = true
	if t.done != nil {
		t.flush(abort)
	}
	err := t.q.drain(t.drainFor, abort)
	if err != nil {
		fmt.Fprintln(t.stderr, "overseer:", err)
	}
	t.q.close(err == nil)
}

// flush queues every line captured so far and ends the subscriptions.
func (t *terminal) flush(abort <-chan struct{}) {
	for _, id := range t.o.ListAll() {
		want := t.captured(id)
		for t.seen(id) < want {
			select {
			case <-t.printed:
			case <-time.After(2 * time.Second):
				want = 0 // nothing is coming: the terminal fell behind for good
			case <-abort:
				want = 0
			}
		}
	}
	t.stopLines()
	t.stopEvents()
	close(t.lines)
	close(t.events)
	<-t.done
	t.done = nil
	for _, held := range t.held {
		for _, h := range held {
			t.print1(h.ev)
		}
	}
}

// captured returns the Seq of the last line captured of process id.
func (t *terminal) captured(id string) uint64 {
	c, err := t.o.Cmd(id)
	if err != nil {
		return 0
	}
	seq := t.seen(id)
	if lines := c.Lines(seq); len(lines) > 0 {
		seq = lines[len(lines)-1].Seq
	}
	return seq
}

// seen returns the Seq of the last line printed of process id.
func (t *terminal) seen(id string) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lastSeq[id]
}

func (t *terminal) print() {
	defer close(t.done)
	lines, events := t.lines, t.events
	for lines != nil || events != nil {
		select {
		case l, ok := <-lines:
			if !ok {
				lines = nil
				continue
			}
			t.line(l)
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			t.event(ev)
		}
	}
}

func (t *terminal) line(l overseer.Line) {
	if last := t.seen(l.ID); last != 0 && l.Seq > last+1 {
		t.printf(l.Time, l.ID, "*", "(%d lines not shown: the terminal fell behind)", l.Seq-last-1)
	}
	mark := "|"
	if l.Stream == overseer.StreamStderr {
		mark = "!"
	}
	text := t.z.clean(l.Text)
	if t.colour && strings.Contains(text, "\x1b[") {
		text += "\x1b[0m" // the colours it set end with its line
	}
	t.emit(l.Time, l.ID, mark, text)
	t.mu.Lock()
	t.lastSeq[l.ID] = l.Seq
	t.mu.Unlock()
	select {
	case t.printed <- struct{}{}:
	default:
	}
	held := t.held[l.ID]
	for len(held) > 0 && held[0].after <= l.Seq {
		t.print1(held[0].ev)
		held = held[1:]
	}
	t.held[l.ID] = held
}

func (t *terminal) event(ev overseer.Event) {
	// Every line of a run was captured before its end: print them first,
	// and whatever change follows after the end.
	var after uint64
	if ev.To.IsFinal() || ev.To == overseer.StateBackoff {
		after = t.captured(ev.ID)
	}
	if len(t.held[ev.ID]) > 0 || t.seen(ev.ID) < after {
		t.held[ev.ID] = append(t.held[ev.ID], heldEvent{ev: ev, after: after})
		return
	}
	t.print1(ev)
}

// print1 prints one change of state: "web * running (pid 42)", or what
// the process says of itself or waits for ("redis * running: Ready to
// accept connections", "api * waiting for migrate (completed)"), and a
// warning that came with it.
func (t *terminal) print1(ev overseer.Event) {
	if text := t.describe(ev); text != "" {
		t.printf(ev.Time, ev.ID, "*", "%s", text)
	}
	if ev.Warning != "" {
		t.printf(ev.Time, ev.ID, "*", "warning: %s", ev.Warning)
	}
}

// describe is the text print1 prints for ev, "" for nothing.
func (t *terminal) describe(ev overseer.Event) string {
	prevPID := t.pids[ev.ID]
	t.pids[ev.ID] = ev.PID
	if ev.From == ev.To {
		switch {
		case ev.To == overseer.StateRunning && ev.PID != prevPID:
			// A rolling restart's new run took over.
			return fmt.Sprintf("running (pid %d, restart %d, rolling)", ev.PID, ev.Restarts)
		case ev.StatusText == "":
			return "" // a text cleared: the state says enough
		case ev.To == overseer.StateInitial:
			return ev.StatusText // "waiting for db (ready)"
		}
		return ev.To.String() + ": " + ev.StatusText
	}
	if ev.To == overseer.StateInitial {
		return "" // back to initial with a text cleared: nothing happened
	}
	var detail []string
	if ev.To == overseer.StateRunning && ev.PID != 0 {
		detail = append(detail, fmt.Sprintf("pid %d", ev.PID))
	}
	switch {
	case ev.From == overseer.StateStopping && ev.To == overseer.StateInterrupted:
		// Stopped on request: how it died of the stop signal is no news.
	case ev.From == overseer.StateRunning || ev.From == overseer.StateStopping || ev.From == overseer.StateStarting:
		if ev.Exit >= 0 {
			detail = append(detail, fmt.Sprintf("exit %d", ev.Exit))
		}
		if ev.Error != "" {
			detail = append(detail, tidyError(ev.ID, ev.Error))
		}
	case ev.To == overseer.StateFatal && ev.Error != "":
		detail = append(detail, tidyError(ev.ID, ev.Error))
	}
	if ev.Restarts > 0 && ev.To == overseer.StateStarting {
		detail = append(detail, fmt.Sprintf("restart %d", ev.Restarts))
	}
	text := ev.To.String()
	if ev.StatusText != "" && ev.To == overseer.StateRunning {
		text += ": " + ev.StatusText
	}
	if len(detail) > 0 {
		text += " (" + strings.Join(detail, ", ") + ")"
	}
	return text
}

// tidyError is the text of an error of process id, as printed after its
// name: without the "overseer: " and "id: " that the library's errors begin
// with, which the line's prefix says already.
func tidyError(id, text string) string {
	for {
		rest, ok := strings.CutPrefix(text, "overseer: ")
		if !ok && id != "" {
			rest, ok = strings.CutPrefix(text, id+": ")
		}
		if !ok {
			break
		}
		text = rest
	}
	// Wrapped errors of the library repeat its prefix inside the text.
	text = strings.ReplaceAll(text, ": overseer: ", ": ")
	if id != "" {
		text = strings.ReplaceAll(text, ": "+id+": ", ": ")
	}
	return strings.ReplaceAll(text, "invalid argument: ", "")
}

// printf writes one line with the prefix of id, and the time at when the
// terminal shows timestamps; the text, which may quote a process (its
// STATUS=, an error), is sanitized.
func (t *terminal) printf(at time.Time, id, mark, format string, args ...any) {
	t.emit(at, id, mark, t.z.clean(fmt.Sprintf(format, args...)))
}

// emit writes one line of clean text with the prefix of id.
func (t *terminal) emit(at time.Time, id, mark, text string) {
	t.q.put([]byte(t.format(at, id, mark, text)))
}

// format is a line of text with the prefix of id, and the time at when the
// terminal shows timestamps.
func (t *terminal) format(at time.Time, id, mark, text string) string {
	prefix := fmt.Sprintf("%-*s %s ", t.width, id, mark)
	if t.colour {
		prefix = "\x1b[" + t.codes[id] + "m" + prefix + "\x1b[0m"
	}
	if t.timestamps {
		prefix = at.Format("15:04:05.000") + " " + prefix
	}
	return prefix + text + "\n"
}
