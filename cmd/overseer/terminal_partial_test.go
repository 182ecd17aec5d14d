//go:build unix

package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/overseer-go/overseer"
)

// printerTo returns a terminal that prints to buf, without its goroutines:
// the test feeds its printer batches.
func printerTo(buf *bytes.Buffer, names ...string) *terminal {
	t := &terminal{w: buf, codes: make(map[string]string)}
	for i, name := range names {
		t.width = max(t.width, len(name))
		t.codes[name] = palette[i%len(palette)]
	}
	t.printer.init()
	return t
}

// piece is a Line of process id for a test: its stream, Seq and Text, and
// whether it is Partial.
func testLine(id string, stream overseer.Stream, seq uint64, text string, partial bool) overseer.Line {
	return overseer.Line{ID: id, Stream: stream, Seq: seq, PID: 100, Time: time.Unix(0, 0), Text: text, Partial: partial}
}

// A Partial piece is printed at once without its newline (a prompt shows),
// and its continuation, when it comes next, completes its line.
func TestPartialLineJoined(t *testing.T) {
	var buf bytes.Buffer
	term := printerTo(&buf, "web", "db")
	term.batch(overseer.LogBatch{Lines: []overseer.Line{testLine("web", overseer.StreamStdout, 1, "Password: ", true)}})
	term.flush()
	assert.Equal(t, "web | Password: ", buf.String(), "the prompt is written at once")
	term.batch(overseer.LogBatch{Lines: []overseer.Line{
		testLine("web", overseer.StreamStdout, 2, "sec", true),
		testLine("web", overseer.StreamStdout, 3, "ret", false),
		testLine("web", overseer.StreamStdout, 4, "next", false),
	}})
	term.flush()
	assert.Equal(t, "web | Password: secret\nweb | next\n", buf.String())
}

// When something else is printed between a piece and its continuation (a
// line of another process or of the other stream, a change of state, a
// message), the piece's line is ended, and the continuation is marked.
func TestPartialLineInterrupted(t *testing.T) {
	for name, between := range map[string]func(term *terminal){
		"another process": func(term *terminal) {
			term.batch(overseer.LogBatch{Lines: []overseer.Line{testLine("db", overseer.StreamStdout, 1, "ready", false)}})
		},
		"the other stream": func(term *terminal) {
			term.batch(overseer.LogBatch{Lines: []overseer.Line{testLine("web", overseer.StreamStderr, 2, "oops", false)}})
		},
		"a message": func(term *terminal) { term.items([]item{{text: "overseer: hello"}}, 0) },
		"an event": func(term *terminal) {
			term.items([]item{{event: true, ev: overseer.Event{ID: "db", From: overseer.StateStarting, To: overseer.StateRunning, PID: 7}}}, 0)
		},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			term := printerTo(&buf, "web", "db")
			term.batch(overseer.LogBatch{Lines: []overseer.Line{testLine("web", overseer.StreamStdout, 1, "Loading", true)}})
			between(term)
			term.batch(overseer.LogBatch{Lines: []overseer.Line{
				testLine("web", overseer.StreamStdout, 3, "... done", false),
				testLine("web", overseer.StreamStdout, 4, "next", false),
			}})
			term.flush()
			out := buf.String()
			assert.Regexp(t, `^web \| Loading\n.+\n(web ! oops\n)?web \|…\.\.\. done\nweb \| next\n$`, out)
		})
	}
}

// A Partial piece followed by a line of another run of the same process
// (a rolling restart's) is not joined to it.
func TestPartialLineOtherRun(t *testing.T) {
	var buf bytes.Buffer
	term := printerTo(&buf, "web")
	other := testLine("web", overseer.StreamStdout, 2, "new run", false)
	other.PID = 200
	term.batch(overseer.LogBatch{Lines: []overseer.Line{testLine("web", overseer.StreamStdout, 1, "old", true), other}})
	term.flush()
	assert.Equal(t, "web | old\nweb | new run\n", buf.String())
}

// A piece that is the last thing printed is ended when the terminal
// finishes, and a change of state of its process ends it too.
func TestPartialLineAtTheEnd(t *testing.T) {
	var buf bytes.Buffer
	term := printerTo(&buf, "web")
	term.batch(overseer.LogBatch{Lines: []overseer.Line{testLine("web", overseer.StreamStdout, 1, "Continue? [y/N] ", true)}})
	term.finish(nil)
	assert.Equal(t, "web | Continue? [y/N] \n", buf.String())

	buf.Reset()
	term = printerTo(&buf, "web")
	term.batch(overseer.LogBatch{Lines: []overseer.Line{testLine("web", overseer.StreamStdout, 1, "bye", true)}})
	term.event(overseer.Event{ID: "web", From: overseer.StateRunning, To: overseer.StateFinished, Exit: 0}, 1)
	term.finish(nil)
	assert.Equal(t, "web | bye\nweb * finished (exit 0)\n", buf.String())
}

// The colours a piece sets end with its line, whether its continuation
// completes it or something else ends it.
func TestPartialLineColours(t *testing.T) {
	var buf bytes.Buffer
	term := printerTo(&buf, "web")
	term.colour, term.z = true, sanitizer{colour: true, tty: true}
	term.batch(overseer.LogBatch{Lines: []overseer.Line{
		testLine("web", overseer.StreamStdout, 1, "\x1b[31mred", true),
		testLine("web", overseer.StreamStdout, 2, " still", false),
		testLine("web", overseer.StreamStdout, 3, "\x1b[32mgreen", true),
	}})
	term.items([]item{{text: "said"}}, 0)
	term.flush()
	p := "\x1b[36mweb | \x1b[0m"
	assert.Equal(t, p+"\x1b[31mred still\x1b[0m\n"+p+"\x1b[32mgreen\x1b[0m\nsaid\n", buf.String())
}

// Lines missed are said before the next line of their process, in its
// place.
func TestMissedLinesSaid(t *testing.T) {
	var buf bytes.Buffer
	term := printerTo(&buf, "web", "db")
	term.batch(overseer.LogBatch{
		Missed: []overseer.MissedLines{{ID: "web", Count: 5}},
		Lines: []overseer.Line{
			testLine("db", overseer.StreamStdout, 1, "db line", false),
			testLine("web", overseer.StreamStdout, 6, "web line", false),
		},
	})
	term.flush()
	assert.Equal(t, "db  | db line\nweb * (5 lines not shown: the terminal fell behind)\nweb | web line\n", buf.String())
}

// The pieces of a line longer than max_line_bytes are lines of their own,
// as that key says: only a shorter piece is joined.
func TestPartialLineCutBySize(t *testing.T) {
	var buf bytes.Buffer
	term := printerTo(&buf, "p")
	p := term.proc("p")
	p.maxLine, p.looked = 8, true
	term.batch(overseer.LogBatch{Lines: []overseer.Line{
		testLine("p", overseer.StreamStdout, 1, "abcdefgh", true),
		testLine("p", overseer.StreamStdout, 2, "ijkl", true),
		testLine("p", overseer.StreamStdout, 3, "mnop", false),
	}})
	term.flush()
	assert.Equal(t, "p | abcdefgh\np | ijklmnop\n", buf.String())
}

// Formatting a batch allocates nothing, sanitizing, colours and timestamps
// included, once the buffer has grown.
func TestBatchAllocatesNothing(t *testing.T) {
	var buf bytes.Buffer
	term := printerTo(&buf, "web", "db")
	term.colour, term.timestamps, term.z = true, true, sanitizer{colour: true, tty: true}
	b := overseer.LogBatch{Lines: []overseer.Line{
		testLine("web", overseer.StreamStdout, 1, "plain text", false),
		testLine("db", overseer.StreamStderr, 1, "\x1b[31mred\x1b[0m and \x1b]0;title\a a bell\x07 x\xffy", false),
		testLine("web", overseer.StreamStdout, 2, "a prompt: ", true),
		testLine("web", overseer.StreamStdout, 3, "answer", false),
	}}
	term.batch(b)
	allocs := testing.AllocsPerRun(100, func() {
		term.buf = term.buf[:0]
		term.batch(b)
	})
	assert.Zero(t, allocs)
}

// BenchmarkBatch is the printer's cost per line, without the write: a batch
// of 1,024 lines of 100 bytes of one process.
func BenchmarkBatch(b *testing.B) {
	var buf bytes.Buffer
	term := printerTo(&buf, "web")
	lines := make([]overseer.Line, 1024)
	for i := range lines {
		lines[i] = testLine("web", overseer.StreamStdout, uint64(i+1), string(bytes.Repeat([]byte{'a' + byte(i%26)}, 99)), false)
	}
	batch := overseer.LogBatch{Lines: lines}
	b.SetBytes(int64(len(lines) * 100))
	b.ReportAllocs()
	for b.Loop() {
		term.buf = term.buf[:0]
		term.batch(batch)
	}
}
