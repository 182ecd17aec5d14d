package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/config"
)

// terminal prints the output and the changes of state of every process,
// each line prefixed with the process's name, padded and coloured per
// process as foreman and goreman do: "web    | text" for stdout, "web    !
// text" for stderr, "web    * running (pid 42)" for a change of state.
// Colour is off when the output is not a terminal or NO_COLOR is set; then
// the processes' own colour sequences are removed too.
type terminal struct {
	w      io.Writer
	colour bool
	width  int
	codes  map[string]string // the colour of each process

	lines      chan overseer.Line
	events     chan overseer.Event
	stopLines  func()
	stopEvents func()
	done       chan struct{}
	lastSeq    map[string]uint64
}

// palette is the colours given to processes in turn: cyan, yellow, green,
// magenta, blue, red, and their bright forms.
var palette = []string{"36", "33", "32", "35", "34", "31", "96", "93", "92", "95", "94", "91"}

func newTerminal(w io.Writer, procs []config.Process) *terminal {
	t := &terminal{w: w, codes: make(map[string]string), lastSeq: make(map[string]uint64)}
	_, noColour := os.LookupEnv("NO_COLOR")
	if f, ok := w.(*os.File); ok && !noColour {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			t.colour = true
		}
	}
	for i, p := range procs {
		t.width = max(t.width, len(p.Name))
		t.codes[p.Name] = palette[i%len(palette)]
	}
	return t
}

// follow subscribes to o and prints what comes until close.
func (t *terminal) follow(o *overseer.Overseer) {
	t.lines = make(chan overseer.Line, 4096)
	t.events = make(chan overseer.Event, 256)
	t.stopLines = o.WatchLogs(t.lines)
	t.stopEvents = o.Watch(t.events)
	t.done = make(chan struct{})
	go t.print()
}

// close ends the subscriptions and waits for what was received to be
// printed.
func (t *terminal) close() {
	if t.done == nil {
		return
	}
	t.stopLines()
	t.stopEvents()
	close(t.lines)
	close(t.events)
	<-t.done
	t.done = nil
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
	if last := t.lastSeq[l.ID]; last != 0 && l.Seq > last+1 {
		t.printf(l.ID, "*", "(%d lines not shown: the terminal fell behind)", l.Seq-last-1)
	}
	t.lastSeq[l.ID] = l.Seq
	mark := "|"
	if l.Stream == overseer.StreamStderr {
		mark = "!"
	}
	text := l.Text
	if !t.colour {
		text = stripANSI(text)
	}
	t.printf(l.ID, mark, "%s", text)
}

func (t *terminal) event(ev overseer.Event) {
	var detail []string
	if ev.To == overseer.StateRunning && ev.PID != 0 {
		detail = append(detail, fmt.Sprintf("pid %d", ev.PID))
	}
	if ev.From == overseer.StateRunning || ev.From == overseer.StateStopping {
		if ev.Exit >= 0 {
			detail = append(detail, fmt.Sprintf("exit %d", ev.Exit))
		}
		if ev.Err != "" {
			detail = append(detail, ev.Err)
		}
	}
	if ev.To == overseer.StateFatal && ev.Err != "" && len(detail) == 0 {
		detail = append(detail, ev.Err)
	}
	if ev.Restarts > 0 && ev.To == overseer.StateStarting {
		detail = append(detail, fmt.Sprintf("restart %d", ev.Restarts))
	}
	text := ev.To.String()
	if len(detail) > 0 {
		text += " (" + strings.Join(detail, ", ") + ")"
	}
	t.printf(ev.ID, "*", "%s", text)
}

// printf writes one line with the prefix of id.
func (t *terminal) printf(id, mark, format string, args ...any) {
	prefix := fmt.Sprintf("%-*s %s ", t.width, id, mark)
	if t.colour {
		prefix = "\x1b[" + t.codes[id] + "m" + prefix + "\x1b[0m"
	}
	fmt.Fprintf(t.w, prefix+format+"\n", args...)
}

// ansi matches the escape sequences of terminals: CSI (colours among them)
// and OSC.
var ansi = regexp.MustCompile(`\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\))`)

// stripANSI removes terminal escape sequences from s.
func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	return ansi.ReplaceAllString(s, "")
}
