//go:build unix

package overseer

import (
	"fmt"
	"testing"
	"time"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testMaxLine is the maxLine of the outputs of these tests.
const testMaxLine = 64

// refSplit is testbuild.RefSplit, as Lines.
func refSplit(input []byte, max int) []Line {
	var out []Line
	for _, p := range testbuild.RefSplit(input, max) {
		out = append(out, Line{Text: p.Text, Partial: p.Partial})
	}
	return out
}

// textPartial keeps only the fields the splitter sets, so comparisons do not
// depend on anything else.
func textPartial(lines []Line) []Line {
	out := make([]Line, 0, len(lines))
	for _, l := range lines {
		out = append(out, Line{Text: l.Text, Partial: l.Partial})
	}
	return out
}

// addLines captures texts as one read of stream s, as a pump does.
func addLines(o *output, s Stream, texts ...string) {
	p := newPump("p", 0, s, nil, nil, o, testMaxLine, nil)
	var read []byte
	for _, text := range texts {
		read = append(append(read, text...), '\n')
	}
	p.capture(read, captureRead)
}

// withoutTime zeroes the Time of lines, for comparisons.
func withoutTime(lines []Line) []Line {
	out := append([]Line(nil), lines...)
	for i := range out {
		out[i].Time = time.Time{}
	}
	return out
}

func TestOutputSince(t *testing.T) {
	var o output
	o.setLimits(100, 1<<20, testMaxLine)
	o.setID("p")

	batches := []struct {
		stream Stream
		texts  []string
	}{
		{StreamStdout, []string{"o1", "o2"}},
		{StreamStderr, []string{"e3"}},
		{StreamStdout, []string{"o4"}},
		{StreamStderr, []string{"e5", "e6"}},
		{StreamStderr, []string{"e7"}},
		{StreamStdout, []string{"o8", "o9"}},
	}
	var want []Line
	for _, b := range batches {
		addLines(&o, b.stream, b.texts...)
		for _, text := range b.texts {
			want = append(want, Line{ID: "p", Stream: b.stream, Seq: uint64(len(want) + 1), Text: text})
		}
	}
	require.Len(t, want, 9)

	all := o.since(0)
	assert.Equal(t, want, withoutTime(all))
	for _, l := range all {
		assert.False(t, l.Time.IsZero(), "Seq %d has no Time", l.Seq)
	}
	for k := 0; k <= 10; k++ {
		got := withoutTime(o.since(uint64(k)))
		wantK := want[min(k, len(want)):]
		assert.Equal(t, len(wantK), len(got), "since(%d)", k)
		if len(wantK) > 0 {
			assert.Equal(t, wantK, got, "since(%d)", k)
		}
	}

	stdout, stderr := o.texts()
	assert.Equal(t, []string{"o1", "o2", "o4", "o8", "o9"}, stdout)
	assert.Equal(t, []string{"e3", "e5", "e6", "e7"}, stderr)
}

func TestOutputSinceAfterEviction(t *testing.T) {
	var o output
	o.setLimits(3, 1<<20, testMaxLine)
	// Seq 1..12: stdout gets the odd ones, stderr the even ones.
	for i := 1; i <= 12; i++ {
		s := StreamStdout
		if i%2 == 0 {
			s = StreamStderr
		}
		addLines(&o, s, fmt.Sprintf("l%d", i))
	}
	// Each ring keeps its latest 3: stdout 7, 9, 11; stderr 8, 10, 12.
	got := o.since(0)
	var seqs []uint64
	for _, l := range got {
		seqs = append(seqs, l.Seq)
		wantStream := StreamStdout
		if l.Seq%2 == 0 {
			wantStream = StreamStderr
		}
		assert.Equal(t, wantStream, l.Stream, "Seq %d", l.Seq)
		assert.Equal(t, fmt.Sprintf("l%d", l.Seq), l.Text)
	}
	assert.Equal(t, testbuild.SeqRange(7, 12), seqs)

	got = o.since(9)
	seqs = seqs[:0]
	for _, l := range got {
		seqs = append(seqs, l.Seq)
	}
	assert.Equal(t, testbuild.SeqRange(10, 12), seqs)
	assert.Empty(t, o.since(12))

	// Lopsided: only stderr has anything newer.
	addLines(&o, StreamStderr, "l13", "l14")
	got = o.since(11)
	seqs = seqs[:0]
	for _, l := range got {
		seqs = append(seqs, l.Seq)
	}
	assert.Equal(t, []uint64{12, 13, 14}, seqs)
}

// testCursor attaches to o a cursor of a reader of its own, at the last
// tail lines held, as NewLogReader does.
func testCursor(o *output, tail int) *cursor {
	r := &LogReader{wake: make(chan struct{}, 1), done: make(chan struct{})}
	cur := &cursor{r: r, out: o, stall: defaultStall}
	o.attach(cur, tail)
	return cur
}

// A cursor reads what it has not read, within the bounds, and counts what
// the rings let go before it got there.
func TestOutputRead(t *testing.T) {
	var o output
	o.setLimits(2, 1<<20, testMaxLine) // two lines a stream
	o.setID("p")
	cur := testCursor(&o, 0)
	addLines(&o, StreamStdout, "a", "b")
	addLines(&o, StreamStderr, "c")
	assert.True(t, cur.queued.Load(), "the pumps woke the reader")

	lines, missed, more := o.read(cur, nil, readBounds{lines: 2, bytes: -1})
	assert.Equal(t, []Line{
		{ID: "p", Stream: StreamStdout, Seq: 1, Text: "a"},
		{ID: "p", Stream: StreamStdout, Seq: 2, Text: "b"},
	}, withoutTime(lines))
	assert.Zero(t, missed)
	assert.True(t, more, "bounded to two lines: c is left")

	addLines(&o, StreamStdout, "d", "e", "f") // a and b go, and d unread
	lines, missed, more = o.read(cur, lines[:0], unbounded)
	assert.Equal(t, []Line{
		{ID: "p", Stream: StreamStderr, Seq: 3, Text: "c"},
		{ID: "p", Stream: StreamStdout, Seq: 5, Text: "e"},
		{ID: "p", Stream: StreamStdout, Seq: 6, Text: "f"},
	}, withoutTime(lines))
	assert.Equal(t, uint64(1), missed, "d was let go unread")
	assert.False(t, more)

	lines, missed, more = o.read(cur, lines[:0], unbounded)
	assert.Empty(t, lines)
	assert.Zero(t, missed)
	assert.False(t, more)

	// A byte bound ends a read after the line that reaches it.
	addLines(&o, StreamStderr, "gggg", "hhhh")
	lines, _, more = o.read(cur, lines[:0], readBounds{lines: -1, bytes: 3})
	assert.Equal(t, []string{"gggg"}, texts(lines))
	assert.True(t, more)

	// Tail starts a cursor at the last lines held, never before the oldest.
	assert.Equal(t, []string{"f", "gggg", "hhhh"}, texts(readAll(&o, testCursor(&o, 3))))
	assert.Equal(t, []string{"e", "f", "gggg", "hhhh"}, texts(readAll(&o, testCursor(&o, TailAll))))
	assert.Equal(t, []string{"e", "f", "gggg", "hhhh"}, texts(readAll(&o, testCursor(&o, 100))))
	assert.Empty(t, readAll(&o, testCursor(&o, 0)))
}

var unbounded = readBounds{lines: -1, bytes: -1}

func readAll(o *output, cur *cursor) []Line {
	lines, missed, _ := o.read(cur, nil, unbounded)
	if missed > 0 {
		panic("missed lines")
	}
	return lines
}
