//go:build unix

package overseer

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullSize (OVERSEER_FULL=1 in the environment) makes TestLoadOverflowCounted
// run 20 children × 200,000 lines instead of 25,000, which keeps it within a
// second under -race.
var fullSize = os.Getenv("OVERSEER_FULL") == "1"

// Output is lossless under load: 20 children each printing 200,000 lines
// at full speed at the same time, one printing a 10 MB line and one binary
// junk, and a subscriber that reads as fast as it can gets every line, with
// Dropped at 0 — with WithLogBackpressure, which slows the children down to
// the subscriber's pace. Without it the subscriber, one goroutine among 40
// busy pumps on 2 cores, falls behind and loses (and counts) lines:
// TestLoadOverflowCounted checks that accounting.
func TestLoadLossless(t *testing.T) {
	runLoad(t, loadSpec{fillers: 20, fillLines: 200_000, longBytes: 10 << 20, junkBytes: 1 << 20, backpressure: true})
}

// Output is lossless when everything fits in what a subscription holds: 20
// children printing at full speed, one printing a 10 MB line, one printing
// binary junk on both streams, all at once, each with rings that hold all
// it prints (the rings are where the lines wait for the subscriber). The
// one subscriber gets every line (Partial pieces joined, they are the input
// as the reference splitter cuts it), each process's Seq goes up by one,
// nothing is dropped, the raw writers get every byte, and every Line and
// Status can be marshalled to JSON.
func TestLoadWithinBacklog(t *testing.T) {
	runLoad(t, loadSpec{fillers: 20, fillLines: 2_500, longBytes: 10 << 20, junkBytes: 64 << 10, ringLines: 1 << 16})
}

// Children printing faster than the one subscriber reads, with a channel
// of 1,024 lines and rings of 1,000: whatever the subscriber loses is counted,
// exactly, and nothing else is lost. Each process's Seq only goes up; the
// gaps and the lines missing at the end add up to Dropped; every line that
// comes is right; the raw writers and the rings get everything.
func TestLoadOverflowCounted(t *testing.T) {
	n := 25_000
	if fullSize {
		n = 200_000
	}
	runLoad(t, loadSpec{fillers: 20, fillLines: n, allowDrops: true, channel: 1 << 10})
}

// loadSpec says which children a load test runs at once: fillers children
// printing fillLines lines of 100 bytes (fill), one printing a line of
// longBytes (with a short line before it and an unterminated one after), and
// one printing junkBytes of binary junk to stdout twice and other junk to
// stderr; a zero size leaves that child out.
type loadSpec struct {
	fillers    int
	fillLines  int
	longBytes  int
	junkBytes  int
	allowDrops bool // the subscriber may lose lines, but they must be counted
	channel    int  // the subscriber's channel; 0 means 65,536 lines
	// ringLines is every child's BufferLines (with a BufferBytes of 64
	// MiB); 0 leaves the defaults.
	ringLines int
	// backpressure makes the Overseer WithLogBackpressure.
	backpressure bool
}

const (
	fillLineSize = 100 // with its "\n" (see the child's fill)
	junkMaxLine  = 37  // small, so that junk lines come in many Partial pieces
)

// ring gives c the rings the spec says.
func (spec loadSpec) ring(c *Cmd) {
	if spec.ringLines > 0 {
		c.BufferLines, c.BufferBytes = spec.ringLines, 64<<20
	}
}

func runLoad(t *testing.T, spec loadSpec) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(20240611, 7))

	o := newTestOverseer(t)
	if spec.backpressure {
		WithLogBackpressure()(o)
		// What is tested is that a reader that keeps reading loses
		// nothing, not how soon a stuck one is given up on (fanout's
		// tests do that): on a machine loaded far beyond its cores the
		// reader may be descheduled for longer than the default stall.
		o.hub.stall = waitTimeout
	}
	lines := make(chan Line, cmp.Or(spec.channel, 1<<16))
	stop := o.WatchLogs(lines)
	defer stop()

	fillText := strings.Repeat("x", fillLineSize-1)
	checks := map[string]*procCheck{}
	raws := map[string][2]rawChecker{}
	total := 0 // Lines expected in all: at least the reference splitter's pieces
	for i := range spec.fillers {
		id := fmt.Sprintf("fill%02d", i)
		c := addChild(t, o, id, "fill:"+strconv.Itoa(spec.fillLines), "exit:0")
		c.Restart = RestartNever
		spec.ring(c)
		w, we := newPatternWriter(fillText+"\n", int64(spec.fillLines)*fillLineSize), &bufWriter{}
		c.Stdout, c.Stderr = w, we
		raws[id] = [2]rawChecker{w, we}
		checks[id] = &procCheck{streams: [3]*streamCheck{
			StreamStdout: {fill: fillText, n: spec.fillLines, pieces: spec.fillLines, max: defaultMaxLineBytes},
			StreamStderr: {max: defaultMaxLineBytes},
		}}
		total += spec.fillLines
	}
	// The other children copy files the test writes.
	file := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		return path
	}
	addCat := func(id string, maxLine int, stdout, stderr []byte, ops ...string) {
		c := addChild(t, o, id, append(ops, "exit:0")...)
		c.Restart = RestartNever
		c.MaxLineBytes = maxLine
		spec.ring(c)
		wo, we := &bufWriter{want: stdout}, &bufWriter{want: stderr}
		c.Stdout, c.Stderr = wo, we
		raws[id] = [2]rawChecker{wo, we}
		pc := &procCheck{streams: [3]*streamCheck{
			StreamStdout: newStreamCheck(stdout, maxLine),
			StreamStderr: newStreamCheck(stderr, maxLine),
		}}
		checks[id] = pc
		total += pc.streams[StreamStdout].pieces + pc.streams[StreamStderr].pieces
	}
	if spec.longBytes > 0 {
		long := append([]byte("before\n"), noNewline(rng, spec.longBytes)...)
		long = append(long, "\nafter"...)
		addCat("long", defaultMaxLineBytes, long, nil, "cat:"+file("long", long))
	}
	var junkOut, junkErr []byte
	if spec.junkBytes > 0 {
		// Random bytes with plenty of NUL, lone "\r", "\r\n", "\r\r\n",
		// invalid UTF-8 and empty lines, ending in "\r" without "\n"; the
		// stdout file is written twice, so the second copy begins on the
		// unfinished line of the first.
		junkOut, junkErr = junk(rng, spec.junkBytes), junk(rng, spec.junkBytes)
		outFile, errFile := file("junk.out", junkOut), file("junk.err", junkErr)
		junkOut = append(junkOut, junkOut...)
		addCat("junk", junkMaxLine, junkOut, junkErr, "cat:"+outFile, "caterr:"+errFile, "cat:"+outFile)
	}

	// Receive until every line is in, checking each as it comes.
	errc := goSuperviseAll(context.Background(), o)
	superviseDone := false
	var dropped uint64 // so far: a reader counts a loss once it reads past it
	remaining := 0     // streams with lines still to come
	for _, pc := range checks {
		for _, sc := range pc.streams[1:] {
			if !sc.complete() {
				remaining++
			}
		}
	}
	received := 0
	for remaining > 0 && (!superviseDone || uint64(received)+dropped < uint64(total)) {
		var l Line
		select {
		case l = <-lines: // the common case, far cheaper than a select with a timer
		default:
			select {
			case l = <-lines:
			case err := <-errc:
				require.NoError(t, err, "SuperviseAll")
				superviseDone = true
				_, dropped = o.Dropped()
				if !spec.allowDrops {
					require.Zero(t, dropped, "lines dropped for a subscriber that reads as fast as it can")
				}
				// Now the number of Lines is known: an unfinished line
				// that waited 100 ms may have come as a Partial piece of
				// its own, so there may be more than the reference
				// splitter's pieces.
				total = 0
				for id := range checks {
					total += lastSeq(t, o, id)
				}
				continue
			case <-time.After(waitTimeout):
				_, now := o.Dropped()
				if superviseDone && uint64(received)+now >= uint64(total) {
					// The reader counted its last losses after
					// SuperviseAll returned: every line is accounted for.
					dropped = now
					continue
				}
				t.Fatalf("no line for %v (SuperviseAll returned: %v; %d of %d lines received, %d dropped)",
					waitTimeout, superviseDone, received, total, now)
			}
		}
		received++
		pc := checks[l.ID]
		if pc == nil {
			t.Fatalf("a line of an unknown process: %+v", l)
		}
		if l.Seq <= pc.lastSeq || (!spec.allowDrops && l.Seq != pc.lastSeq+1) {
			_, dropped := o.Dropped()
			t.Fatalf("%s: Seq %d after %d (%d lines dropped so far)", l.ID, l.Seq, pc.lastSeq, dropped)
		}
		if l.Seq != pc.lastSeq+1 {
			// The Lines dropped may have been pieces of the lines
			// being received.
			pc.gaps += l.Seq - pc.lastSeq - 1
			for _, sc := range pc.streams[1:] {
				sc.broken, sc.pending = true, sc.pending[:0]
			}
		}
		pc.lastSeq = l.Seq
		pc.received++
		if l.Stream != StreamStdout && l.Stream != StreamStderr {
			t.Fatalf("%s: line %d has stream %d", l.ID, l.Seq, l.Stream)
		}
		if l.Time.IsZero() {
			t.Fatalf("%s: line %d has no time", l.ID, l.Seq)
		}
		sc := pc.streams[l.Stream]
		if len(l.Text) <= 4<<10 && (sc.fill == "" || l.Seq%1000 == 0) || l.Seq%16 == 0 {
			if _, err := json.Marshal(l); err != nil {
				t.Fatalf("%s: json.Marshal of line %d: %v", l.ID, l.Seq, err)
			}
		}
		wasComplete := sc.complete()
		if err := sc.add(l); err != nil {
			t.Fatalf("%s %v: %v", l.ID, l.Stream, err)
		}
		if !wasComplete && sc.complete() {
			remaining--
		}
	}
	if !superviseDone {
		require.NoError(t, recvErr(t, errc, "SuperviseAll"))
	}
	// Every process has finished and every line of it is published:
	// whatever comes now is a line too many.
	stop()
	require.Empty(t, lines, "lines beyond those written")
	events, dropped := o.Dropped()
	assert.Zero(t, events, "events dropped")
	t.Logf("%d lines received, %d dropped", received, dropped)
	if !spec.allowDrops {
		assert.Zero(t, dropped, "lines dropped")
	}

	lost := uint64(0)
	for id, pc := range checks {
		c, err := o.Cmd(id)
		require.NoError(t, err)
		// Seq counts the Lines published: the reference splitter's
		// pieces, and a Partial piece for every unfinished line delivered
		// after a wait of 100 ms.
		want := pc.streams[StreamStdout].pieces + pc.streams[StreamStderr].pieces
		published := lastSeq(t, o, id)
		require.GreaterOrEqual(t, published, want, "%s: fewer Lines than the lines written", id)
		lost += pc.gaps + uint64(published) - pc.lastSeq
		if !spec.allowDrops {
			for s := StreamStdout; s <= StreamStderr; s++ {
				require.NoError(t, pc.streams[s].finished(), "%s %v", id, s)
			}
		}
		for k, w := range raws[id] {
			assert.NoError(t, w.check(), "%s: the raw writer of %v", id, Stream(k+1))
		}
		st := c.Status()
		assert.Equal(t, StateFinished, st.State, id)
		assert.Equal(t, 0, st.Exit, id)
		_, err = json.Marshal(st)
		assert.NoError(t, err, "json.Marshal of the Status of %s", id)
	}
	assert.Equal(t, dropped, lost, "the lines dropped are not the lines missing")
	_, err := json.Marshal(o.ToJSONAll())
	require.NoError(t, err)

	if junkOut == nil {
		return
	}
	// The ring of the junk process keeps the last pieces of each stream,
	// invalid UTF-8 and all: the end of the input, lines ended by "\n".
	jc, err := o.Cmd("junk")
	require.NoError(t, err)
	for _, s := range []Stream{StreamStdout, StreamStderr} {
		input := junkOut
		if s == StreamStderr {
			input = junkErr
		}
		var kept []Line
		for _, l := range jc.Lines(0) {
			if l.Stream == s {
				kept = append(kept, l)
			}
		}
		if spec.ringLines == 0 {
			require.Len(t, kept, defaultBufferLines, "junk %v: lines kept", s)
		}
		got, want := joinLines(kept), joinLines(refSplit(input, math.MaxInt))
		if !strings.HasSuffix(want, got) {
			t.Errorf("junk %v: the lines kept are not the end of the input: %s", s, diffText(got, want[max(0, len(want)-len(got)):]))
		}
	}
}

// lastSeq returns the Seq of the last Line of process id.
func lastSeq(t *testing.T, o *Overseer, id string) int {
	t.Helper()
	c, err := o.Cmd(id)
	require.NoError(t, err)
	kept := c.Lines(0)
	require.NotEmpty(t, kept, id)
	return int(kept[len(kept)-1].Seq)
}

// joinLines returns the texts of lines, each ended by "\n" unless Partial.
func joinLines(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text)
		if !l.Partial {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// procCheck follows the Lines of one process as a subscriber gets them.
type procCheck struct {
	lastSeq  uint64
	gaps     uint64 // Seqs skipped
	received int
	streams  [3]*streamCheck // by Stream
}

// streamCheck compares the Lines of one stream, Partial pieces joined, with
// the lines expected: n copies of fill, or want.
type streamCheck struct {
	fill   string
	want   []string
	n      int // how many whole lines are expected
	pieces int // how many Lines they come in
	max    int // the Cmd's MaxLineBytes

	got     int    // whole lines received
	pending []byte // the pieces of the line being received
	broken  bool   // Lines were dropped since the last whole line
}

// newStreamCheck expects the lines of input as the reference splitter cuts
// them, whole, and counts the pieces it cuts them into.
func newStreamCheck(input []byte, max int) *streamCheck {
	var want []string
	for _, l := range refSplit(input, math.MaxInt) {
		want = append(want, l.Text)
	}
	return &streamCheck{want: want, n: len(want), pieces: len(refSplit(input, max)), max: max}
}

func (s *streamCheck) complete() bool { return s.got == s.n && len(s.pending) == 0 }

func (s *streamCheck) add(l Line) error {
	if len(l.Text) > s.max {
		return fmt.Errorf("line %d: %d bytes, above MaxLineBytes %d", l.Seq, len(l.Text), s.max)
	}
	if s.got == s.n {
		return fmt.Errorf("line %d (%q...): more lines than the %d written", l.Seq, truncate(l.Text), s.n)
	}
	if l.Partial {
		if l.Text == "" {
			return fmt.Errorf("line %d: an empty Partial piece", l.Seq)
		}
		s.pending = append(s.pending, l.Text...)
		return nil
	}
	text := l.Text
	if len(s.pending) > 0 {
		text = string(append(s.pending, l.Text...))
		s.pending = s.pending[:0]
	}
	want := s.fill
	if s.want != nil {
		want = s.want[s.got]
	}
	if s.broken {
		// Only the end of the line is known to be here; and, with
		// lines other than fill, not which line it ends.
		s.broken = false
		if s.want == nil && !strings.HasSuffix(want, text) {
			return fmt.Errorf("line %d (after lines dropped): %q is not the end of a line", l.Seq, truncate(text))
		}
		return nil
	}
	if text != want {
		return fmt.Errorf("line %d (whole line %d): %s", l.Seq, s.got, diffText(text, want))
	}
	s.got++
	return nil
}

// finished checks that every line expected came.
func (s *streamCheck) finished() error {
	if !s.complete() {
		return fmt.Errorf("%d whole lines of %d received, %d bytes of an unfinished line", s.got, s.n, len(s.pending))
	}
	return nil
}

// diffText says where got differs from want.
func diffText(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return fmt.Sprintf("got %d bytes, want %d; they differ from byte %d: got %q..., want %q...",
		len(got), len(want), i, truncate(got[i:]), truncate(want[i:]))
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

// rawChecker is a raw writer that can tell whether it got what it should.
type rawChecker interface {
	check() error
}

// bufWriter keeps what is written to it, for comparison with want.
type bufWriter struct {
	syncBuffer
	want []byte
}

func (w *bufWriter) check() error {
	if got := w.Bytes(); !bytes.Equal(got, w.want) {
		return fmt.Errorf("raw output: %s", diffText(string(got), string(w.want)))
	}
	return nil
}

// patternWriter checks, as it is written, that it gets unit repeated, total
// bytes in all: a fill child's output need not be kept to be compared.
type patternWriter struct {
	unit     int
	total    int64
	expected []byte // unit repeated, longer than a unit and any one Write

	mu  sync.Mutex
	off int64 // bytes written so far
	bad error // the first difference
}

func newPatternWriter(unit string, total int64) *patternWriter {
	return &patternWriter{unit: len(unit), total: total, expected: []byte(strings.Repeat(unit, 2*readSize/len(unit)+2))}
}

func (w *patternWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		at := int(w.off % int64(w.unit))
		k := min(len(p), len(w.expected)-at)
		if w.bad == nil && !bytes.Equal(p[:k], w.expected[at:at+k]) {
			w.bad = fmt.Errorf("the %d bytes written at offset %d are not the pattern", k, w.off)
		}
		w.off += int64(k)
		p = p[k:]
	}
	return n, nil
}

func (w *patternWriter) check() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.bad == nil && w.off != w.total {
		return fmt.Errorf("%d bytes written, want %d", w.off, w.total)
	}
	return w.bad
}

// noNewline returns n random bytes, none of them "\n".
func noNewline(rng *rand.Rand, n int) []byte {
	var seed [32]byte
	for i := range seed {
		seed[i] = byte(rng.Uint32())
	}
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(seed).Read(b)
	for rest := b; ; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		rest[i] = 'N'
		rest = rest[i+1:]
	}
	return b
}

// junk returns n bytes meant to trip a line splitter: random bytes (NUL and
// invalid UTF-8 among them), with frequent "\n", lone "\r", "\r\n" and
// "\r\r\n", runs of either, and lines of every length up to a few hundred
// bytes; it ends with a "\r" and no "\n".
func junk(rng *rand.Rand, n int) []byte {
	b := make([]byte, 0, n+8)
	for len(b) < n-1 {
		switch k := rng.IntN(64); {
		case k < 4:
			b = append(b, '\n')
		case k < 6:
			b = append(b, '\r')
		case k < 8:
			b = append(b, "\r\n"...)
		case k < 9:
			b = append(b, "\r\r\n"...)
		case k < 11:
			b = append(b, 0)
		case k < 12:
			b = append(b, 0xff, 0xfe, 0xc0, 0x80) // never UTF-8
		case k < 13:
			b = append(b, 0xe2, 0x82) // a cut sequence
		case k < 14:
			b = append(b, "é→😀"...)
		case k < 15:
			b = append(b, bytes.Repeat([]byte{'\n'}, rng.IntN(5))...)
		case k < 16:
			b = append(b, bytes.Repeat([]byte{'\r'}, rng.IntN(5))...)
		default:
			b = append(b, byte(rng.Uint32()))
		}
	}
	return append(b[:n-1], '\r')
}
