package linebuf

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refSplit is testbuild.RefSplit, as pieces.
func refSplit(input []byte, max int) []piece {
	var out []piece
	for _, p := range testbuild.RefSplit(input, max) {
		out = append(out, piece{Text: p.Text, Partial: p.Partial})
	}
	return out
}

// textPartial keeps only the fields the splitter sets, so comparisons do not
// depend on anything else.
func textPartial(lines []piece) []piece {
	out := make([]piece, 0, len(lines))
	for _, l := range lines {
		out = append(out, piece{Text: l.Text, Partial: l.Partial})
	}
	return out
}

// oneByteChunks cuts s into 1-byte chunks.
func oneByteChunks(s string) []string {
	out := make([]string, len(s))
	for i := 0; i < len(s); i++ {
		out[i] = s[i : i+1]
	}
	return out
}

// runSplit feeds chunks to a new splitter, checking the bound on pending
// after every call, and returns what split gave and what flush added.
func runSplit(t testing.TB, max int, chunks []string) (split, flushed []piece) {
	t.Helper()
	s := newTestSplitter(max)
	for i, c := range chunks {
		s.Split([]byte(c))
		if len(s.pending) > s.Max+1 {
			t.Fatalf("after chunk %d: len(pending) = %d > max+1 = %d", i, len(s.pending), s.Max+1)
		}
	}
	split = s.take()
	s.Flush()
	flushed = s.take()
	if len(s.pending) != 0 {
		t.Fatalf("after flush: len(pending) = %d, want 0", len(s.pending))
	}
	return textPartial(split), textPartial(flushed)
}

// testSplitter is a splitter whose emit copies every line it gets.
type testSplitter struct {
	Splitter
	lines []piece
}

func newTestSplitter(max int) *testSplitter {
	t := &testSplitter{}
	t.Splitter = Splitter{Max: max, Emit: func(text []byte, partial bool) {
		t.lines = append(t.lines, piece{Text: string(text), Partial: partial})
	}}
	return t
}

// take returns the lines emitted since the last take.
func (t *testSplitter) take() []piece {
	lines := t.lines
	t.lines = nil
	return lines
}

func splitLine(text string) piece    { return piece{Text: text} }
func splitPartial(text string) piece { return piece{Text: text, Partial: true} }

// piece is what a test keeps of one line, or piece of a line, emitted.
type piece struct {
	Text    string
	Partial bool
}

func TestSplitTable(t *testing.T) {
	const max = 8
	long := strings.Repeat("x", 200<<10) // 200 KiB
	const max64K = 64 << 10
	var longWant []piece
	for i := 0; i < 3; i++ {
		longWant = append(longWant, splitPartial(long[i*max64K:(i+1)*max64K]))
	}
	longWant = append(longWant, splitLine(long[3*max64K:]))
	var longChunks []string
	for rest := long + "\n"; len(rest) > 0; {
		n := min(len(rest), max64K)
		longChunks = append(longChunks, rest[:n])
		rest = rest[n:]
	}

	tests := []struct {
		name       string
		max        int
		chunks     []string
		wantSplit  []piece // what split returns over all chunks
		wantFlush  []piece // what flush adds at the end
		skipBytes1 bool    // skip the 1-byte chunking (too slow to matter)
	}{
		{
			name:      "plain lines",
			max:       max,
			chunks:    []string{"one\ntwo\nthree\n"},
			wantSplit: []piece{splitLine("one"), splitLine("two"), splitLine("three")},
		},
		{
			name:      "lines across chunks",
			max:       max,
			chunks:    []string{"on", "e\ntw", "o\n"},
			wantSplit: []piece{splitLine("one"), splitLine("two")},
		},
		{
			name:      "CRLF",
			max:       max,
			chunks:    []string{"one\r\ntwo\r\n"},
			wantSplit: []piece{splitLine("one"), splitLine("two")},
		},
		{
			name:      "CRLF split between chunks",
			max:       max,
			chunks:    []string{"one\r", "\ntwo\r", "\n"},
			wantSplit: []piece{splitLine("one"), splitLine("two")},
		},
		{
			name:      "only one CR dropped",
			max:       max,
			chunks:    []string{"a\r\r\n"},
			wantSplit: []piece{splitLine("a\r")},
		},
		{
			name:      "lone CR in the middle kept",
			max:       max,
			chunks:    []string{"a\rb\n\rc\n"},
			wantSplit: []piece{splitLine("a\rb"), splitLine("\rc")},
		},
		{
			name:      "CR at the very end kept after flush",
			max:       max,
			chunks:    []string{"done\r"},
			wantFlush: []piece{splitLine("done\r")},
		},
		{
			name:      "lone CR at the very end kept after flush",
			max:       max,
			chunks:    []string{"a\n", "\r"},
			wantSplit: []piece{splitLine("a")},
			wantFlush: []piece{splitLine("\r")},
		},
		{
			name:      "final line without newline only on flush",
			max:       max,
			chunks:    []string{"one\ntw", "o"},
			wantSplit: []piece{splitLine("one")},
			wantFlush: []piece{splitLine("two")},
		},
		{
			name:      "empty lines",
			max:       max,
			chunks:    []string{"\n\na\n\r\n\n"},
			wantSplit: []piece{splitLine(""), splitLine(""), splitLine("a"), splitLine(""), splitLine("")},
		},
		{
			name:   "empty input",
			max:    max,
			chunks: []string{"", ""},
		},
		{
			name:      "line of exactly max bytes",
			max:       max,
			chunks:    []string{"12345678\n"},
			wantSplit: []piece{splitLine("12345678")},
		},
		{
			name:      "line of exactly max bytes unterminated",
			max:       max,
			chunks:    []string{"12345678"},
			wantFlush: []piece{splitLine("12345678")},
		},
		{
			name:      "line of max+1 bytes",
			max:       max,
			chunks:    []string{"123456789\n"},
			wantSplit: []piece{splitPartial("12345678"), splitLine("9")},
		},
		{
			name:      "line of max+1 bytes unterminated",
			max:       max,
			chunks:    []string{"123456789"},
			wantSplit: []piece{splitPartial("12345678")},
			wantFlush: []piece{splitLine("9")},
		},
		{
			name:      "line of 2.5 max bytes",
			max:       max,
			chunks:    []string{"aaaaaaaabbbbbbbbcccc\n"},
			wantSplit: []piece{splitPartial("aaaaaaaa"), splitPartial("bbbbbbbb"), splitLine("cccc")},
		},
		{
			name:      "line of max bytes then CRLF",
			max:       max,
			chunks:    []string{"12345678\r\n"},
			wantSplit: []piece{splitLine("12345678")},
		},
		{
			name:      "line of max bytes then CR and LF in separate chunks",
			max:       max,
			chunks:    []string{"12345678", "\r", "\n"},
			wantSplit: []piece{splitLine("12345678")},
		},
		{
			name:      "line of max bytes then CR, flushed",
			max:       max,
			chunks:    []string{"12345678\r"},
			wantSplit: nil,
			wantFlush: []piece{splitPartial("12345678"), splitLine("\r")},
		},
		{
			name:      "line of max bytes then CR then more text",
			max:       max,
			chunks:    []string{"12345678\r", "x\n"},
			wantSplit: []piece{splitPartial("12345678"), splitLine("\rx")},
		},
		{
			name:      "line of 2 max bytes then CRLF",
			max:       max,
			chunks:    []string{"aaaaaaaa", "bbbbbbbb", "\r\n"},
			wantSplit: []piece{splitPartial("aaaaaaaa"), splitLine("bbbbbbbb")},
		},
		{
			name:      "invalid UTF-8 and NUL bytes kept",
			max:       max,
			chunks:    []string{"\xff\xfe\x00a\x00\n\xc3\n\x00"},
			wantSplit: []piece{splitLine("\xff\xfe\x00a\x00"), splitLine("\xc3")},
			wantFlush: []piece{splitLine("\x00")},
		},
		{
			name:      "invalid UTF-8 cut inside a rune",
			max:       2,
			chunks:    []string{"é€\n"},
			wantSplit: []piece{splitPartial("é"), splitPartial("\xe2\x82"), splitLine("\xac")},
		},
		{
			name:       "200 KiB line with max 64 KiB",
			max:        max64K,
			chunks:     longChunks,
			wantSplit:  longWant,
			skipBytes1: true,
		},
		{
			name:      "max 1",
			max:       1,
			chunks:    []string{"ab\r\n\r\n"},
			wantSplit: []piece{splitPartial("a"), splitLine("b"), splitLine("")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := strings.Join(tt.chunks, "")
			// The hand-written expectations and the reference agree.
			want := append(append([]piece{}, tt.wantSplit...), tt.wantFlush...)
			require.Equal(t, textPartial(want), textPartial(refSplit([]byte(input), tt.max)), "refSplit")

			chunkings := map[string][]string{"given": tt.chunks, "whole": {input}}
			if !tt.skipBytes1 {
				chunkings["1-byte"] = oneByteChunks(input)
			}
			for name, chunks := range chunkings {
				split, flushed := runSplit(t, tt.max, chunks)
				assert.Equal(t, textPartial(tt.wantSplit), split, "%s chunks: split", name)
				assert.Equal(t, textPartial(tt.wantFlush), flushed, "%s chunks: flush", name)
			}
		})
	}
}

// TestSplitDoesNotAliasInput checks that the unfinished line does not share
// memory with the caller's buffer, which pumps reuse for the next read.
func TestSplitDoesNotAliasInput(t *testing.T) {
	s := newTestSplitter(4)
	buf := []byte("ab\ncdefgh")
	s.Split(buf)
	for i := range buf {
		buf[i] = '#'
	}
	s.Flush()
	assert.Equal(t, []piece{{Text: "ab"}, {Text: "cdef", Partial: true}, {Text: "gh"}}, s.take())
}

func randomSplitInput(r *rand.Rand) []byte {
	alphabet := []byte{'a', 'a', 'a', 'a', 'a', 'a', 'b', '\n', '\n', '\n', '\r', '\r', '\x00', 0xff}
	n := r.IntN(80)
	in := make([]byte, n)
	for i := range in {
		in[i] = alphabet[r.IntN(len(alphabet))]
	}
	return in
}

func randomSplitChunks(r *rand.Rand, in []byte) []string {
	var chunks []string
	for len(in) > 0 {
		n := r.IntN(min(len(in), 12) + 1) // 0 (an empty chunk) up to 12 bytes
		chunks = append(chunks, string(in[:n]))
		in = in[n:]
	}
	return chunks
}

func TestSplitProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 3000 {
		in := randomSplitInput(r)
		max := 1 + r.IntN(20)
		want := textPartial(refSplit(in, max))

		chunkings := [][]string{
			{string(in)},
			oneByteChunks(string(in)),
		}
		for range 4 {
			chunkings = append(chunkings, randomSplitChunks(r, in))
		}

		// What split gives before flush does not depend on the chunking.
		whole, _ := runSplit(t, max, chunkings[0])
		for _, chunks := range chunkings {
			split, flushed := runSplit(t, max, chunks)
			got := append(split, flushed...)
			if !assert.Equal(t, want, got, "iter %d, max %d, input %q, chunks %q", iter, max, in, chunks) {
				return
			}
			if !assert.Equal(t, whole, split, "iter %d, max %d, input %q, chunks %q: split before flush", iter, max, in, chunks) {
				return
			}
			for _, l := range got {
				if len(l.Text) > max {
					t.Fatalf("iter %d: input %q: Text %q longer than max %d", iter, in, l.Text, max)
				}
			}
		}
	}
}

func TestSplitFlushPartial(t *testing.T) {
	s := newTestSplitter(16)
	s.Split([]byte("abc"))
	require.Empty(t, s.take())

	s.FlushPartial()
	require.Equal(t, []piece{{Text: "abc", Partial: true}}, s.take())
	assert.Empty(t, s.pending)

	// The line goes on in the next piece.
	s.Split([]byte("def\nghi\n"))
	assert.Equal(t, []piece{{Text: "def"}, {Text: "ghi"}}, s.take())

	s.FlushPartial()
	assert.Empty(t, s.take(), "nothing pending: no piece")
	s.Flush()
	assert.Empty(t, s.take(), "no line open: no piece")
}

// A stream that ends after a partial piece, with nothing more of its line
// (a prompt, then the end), ends the line with an empty piece: a partial
// piece is always followed by the rest of its line.
func TestSplitFlushEndsAPartialLine(t *testing.T) {
	s := newTestSplitter(16)
	s.Split([]byte("prompt> "))
	s.FlushPartial()
	require.Equal(t, []piece{{Text: "prompt> ", Partial: true}}, s.take())
	s.Flush()
	assert.Equal(t, []piece{{Text: ""}}, s.take())
	s.Flush()
	assert.Empty(t, s.take(), "once")
}

func TestSplitFlushPartialLong(t *testing.T) {
	s := newTestSplitter(4)
	s.Split([]byte("abcdefg\r"))
	assert.True(t, s.Waiting())
	s.FlushPartial()
	// Every piece is Partial, the last one too; the "\r" waits, as a "\n"
	// may follow and drop it.
	assert.Equal(t, []piece{
		{Text: "abcd", Partial: true},
		{Text: "efg", Partial: true},
	}, s.take())
	assert.Equal(t, "\r", string(s.pending))
	assert.False(t, s.Waiting(), "a lone \r is not worth a piece")
	s.FlushPartial()
	assert.Empty(t, s.take())

	s.Split([]byte("\nnext\n"))
	assert.Equal(t, []piece{{Text: ""}, {Text: "next"}}, s.take(), "the \r was dropped with the \n")

	s.Split([]byte("x\r"))
	s.Flush()
	assert.Equal(t, []piece{{Text: "x\r"}}, s.take(), "at the end of the stream the \r is kept")
}

// The sizes of BenchmarkSplit: the overseer package's read size and default
// MaxLineBytes.
const (
	benchReadSize = 64 << 10
	benchMaxLine  = 64 << 10
)

func BenchmarkSplit(b *testing.B) {
	line := strings.Repeat("x", 99) + "\n"
	data := []byte(strings.Repeat(line, benchReadSize/len(line)+1)[:benchReadSize])
	lines := 0
	s := Splitter{Max: benchMaxLine, Emit: func([]byte, bool) { lines++ }}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		s.Split(data)
	}
	if lines == 0 {
		b.Fatal("no lines")
	}
}

// TestRefSplit checks the reference itself against hand-written cases, so a
// mistake in it cannot hide one in splitter.
func TestRefSplit(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want []piece
	}{
		{"", 4, nil},
		{"\n", 4, []piece{{Text: ""}}},
		{"\r\n", 4, []piece{{Text: ""}}},
		{"\r", 4, []piece{{Text: "\r"}}},
		{"abcdefghij\r", 4, []piece{{Text: "abcd", Partial: true}, {Text: "efgh", Partial: true}, {Text: "ij\r"}}},
		{"abcd\r\nx", 4, []piece{{Text: "abcd"}, {Text: "x"}}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/%d", tt.in, tt.max), func(t *testing.T) {
			assert.Equal(t, tt.want, refSplit([]byte(tt.in), tt.max))
		})
	}
}
