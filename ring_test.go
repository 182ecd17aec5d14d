//go:build unix

package overseer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestRing returns a ring with the given bounds holding one Line per text,
// numbered from Seq 1.
func newTestRing(maxLines, maxBytes int, texts ...string) *ring {
	r := &ring{}
	r.setLimits(maxLines, maxBytes)
	for i, text := range texts {
		r.push(Line{Seq: uint64(i + 1), Text: text})
	}
	return r
}

// ringSeqs returns the Seq of every Line held, oldest first.
func ringSeqs(r *ring) []uint64 {
	out := make([]uint64, r.n)
	for i := range out {
		out[i] = r.at(i).Seq
	}
	return out
}

// ringTexts returns "l<first>" .. "l<last>".
func ringTexts(first, last int) []string {
	var out []string
	for i := first; i <= last; i++ {
		out = append(out, fmt.Sprintf("l%d", i))
	}
	return out
}

func ringSeqRange(first, last uint64) []uint64 {
	var out []uint64
	for i := first; i <= last; i++ {
		out = append(out, i)
	}
	return out
}

// checkRing checks the ring's bookkeeping: bytes is the sum of the held
// Texts, n fits in buf and maxLines, and every slot of buf outside the live
// window is cleared.
func checkRing(t *testing.T, r *ring) {
	t.Helper()
	require.LessOrEqual(t, r.n, len(r.buf), "n within buf")
	require.LessOrEqual(t, r.n, r.maxLines, "n within maxLines")
	require.LessOrEqual(t, len(r.buf), r.maxLines, "buf within maxLines")
	sum := 0
	for _, text := range r.texts() {
		sum += len(text)
	}
	require.Equal(t, sum, r.bytes, "bytes is the sum of the held Texts")
	if r.n > 1 {
		require.LessOrEqual(t, r.bytes, r.maxBytes, "more than one Line held beyond maxBytes")
	}
	for k := r.n; k < len(r.buf); k++ {
		slot := r.buf[(r.start+k)%len(r.buf)]
		require.Equal(t, Line{}, slot, "slot %d outside the live window is not cleared", (r.start+k)%len(r.buf))
	}
}

func TestRingPushWithinMaxLines(t *testing.T) {
	texts := ringTexts(1, 10)
	r := newTestRing(10, 1<<20, texts...)
	checkRing(t, r)
	assert.Equal(t, 10, r.n)
	assert.Equal(t, texts, r.texts())
	assert.Equal(t, ringSeqRange(1, 10), ringSeqs(r))
}

func TestRingPushEvictsOldest(t *testing.T) {
	for _, maxLines := range []int{1, 2, 5, 16, 17, 40} {
		t.Run(fmt.Sprint(maxLines), func(t *testing.T) {
			r := &ring{}
			r.setLimits(maxLines, 1<<20)
			for i := 1; i <= 100; i++ {
				r.push(Line{Seq: uint64(i), Text: fmt.Sprintf("l%d", i)})
				checkRing(t, r)
				first := max(1, i-maxLines+1)
				require.Equal(t, ringSeqRange(uint64(first), uint64(i)), ringSeqs(r), "after push %d", i)
				require.Equal(t, ringTexts(first, i), r.texts(), "after push %d", i)
			}
		})
	}
}

func TestRingByteBound(t *testing.T) {
	r := newTestRing(100, 10)
	r.push(Line{Seq: 1, Text: "aaaa"}) // 4
	r.push(Line{Seq: 2, Text: "bbbb"}) // 8
	checkRing(t, r)
	assert.Equal(t, []uint64{1, 2}, ringSeqs(r))

	r.push(Line{Seq: 3, Text: "cc"}) // 10: still fits
	checkRing(t, r)
	assert.Equal(t, []uint64{1, 2, 3}, ringSeqs(r))
	assert.Equal(t, 10, r.bytes)

	r.push(Line{Seq: 4, Text: "d"}) // 11: the oldest goes
	checkRing(t, r)
	assert.Equal(t, []uint64{2, 3, 4}, ringSeqs(r))
	assert.Equal(t, 7, r.bytes)

	r.push(Line{Seq: 5, Text: "eeeeeeee"}) // 15: two go
	checkRing(t, r)
	assert.Equal(t, []uint64{4, 5}, ringSeqs(r))
	assert.Equal(t, []string{"d", "eeeeeeee"}, r.texts())

	// A Line bigger than maxBytes on its own is kept, alone.
	huge := strings.Repeat("h", 25)
	r.push(Line{Seq: 6, Text: huge})
	checkRing(t, r)
	assert.Equal(t, []uint64{6}, ringSeqs(r))
	assert.Equal(t, []string{huge}, r.texts())
	assert.Equal(t, 25, r.bytes)

	// The next Line pushes it out, however small.
	r.push(Line{Seq: 7, Text: "g"})
	checkRing(t, r)
	assert.Equal(t, []uint64{7}, ringSeqs(r))
	assert.Equal(t, 1, r.bytes)
}

func TestRingByteBoundZero(t *testing.T) {
	r := newTestRing(8, 0, "a", "b", "c")
	checkRing(t, r)
	assert.Equal(t, []string{"c"}, r.texts(), "the newest Line is always kept")
	// Empty Lines cost no bytes.
	r.push(Line{Seq: 4})
	r.push(Line{Seq: 5})
	checkRing(t, r)
	assert.Equal(t, []uint64{4, 5}, ringSeqs(r))
}

func TestRingAfter(t *testing.T) {
	// 20 Lines through a ring of 8: it has wrapped and start is not 0.
	r := newTestRing(8, 1<<20, ringTexts(1, 20)...)
	checkRing(t, r)
	require.Equal(t, ringSeqRange(13, 20), ringSeqs(r))
	require.NotZero(t, r.start, "the ring should have wrapped")

	tests := []struct {
		seq  uint64
		want int
	}{
		{0, 0},
		{1, 0},
		{12, 0},
		{13, 1},
		{14, 2},
		{16, 4},
		{19, 7},
		{20, 8},
		{21, 8},
		{^uint64(0), 8},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.after(tt.seq), "after(%d)", tt.seq)
	}

	// Seq with gaps, as when two streams share the counter.
	g := &ring{}
	g.setLimits(4, 1<<20)
	for _, seq := range []uint64{2, 5, 6, 9, 11, 14} {
		g.push(Line{Seq: seq})
	}
	require.Equal(t, []uint64{6, 9, 11, 14}, ringSeqs(g))
	for seq, want := range map[uint64]int{0: 0, 5: 0, 6: 1, 7: 1, 8: 1, 9: 2, 10: 2, 11: 3, 13: 3, 14: 4, 100: 4} {
		assert.Equal(t, want, g.after(seq), "after(%d) with gaps", seq)
	}

	var empty ring
	empty.setLimits(8, 100)
	assert.Equal(t, 0, empty.after(0))
}

func TestRingTexts(t *testing.T) {
	var r ring
	r.setLimits(3, 1<<20)
	assert.Empty(t, r.texts())
	for i, text := range []string{"a", "b", "c", "d", "e"} {
		r.push(Line{Seq: uint64(i + 1), Text: text})
	}
	assert.Equal(t, []string{"c", "d", "e"}, r.texts())
}

func TestRingSetLimits(t *testing.T) {
	tests := []struct {
		name               string
		maxLines, maxBytes int
		want               []string
	}{
		{"shrink lines", 3, 1 << 20, ringTexts(18, 20)},
		{"shrink to one line", 1, 1 << 20, ringTexts(20, 20)},
		{"same lines", 8, 1 << 20, ringTexts(13, 20)},
		{"grow lines", 30, 1 << 20, ringTexts(13, 20)},
		{"shrink bytes", 8, 9, ringTexts(18, 20)}, // "l18" "l19" "l20": 3 bytes each
		{"shrink lines and bytes", 5, 6, ringTexts(19, 20)},
		{"bytes below one line", 8, 1, ringTexts(20, 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 20 Lines through a ring of 8: wrapped, start is not 0.
			r := newTestRing(8, 1<<20, ringTexts(1, 20)...)
			require.NotZero(t, r.start)

			r.setLimits(tt.maxLines, tt.maxBytes)
			checkRing(t, r)
			assert.Equal(t, tt.want, r.texts())

			// The ring goes on working under the new limits.
			for i := 21; i <= 60; i++ {
				r.push(Line{Seq: uint64(i), Text: fmt.Sprintf("l%d", i)})
				checkRing(t, r)
			}
			n := min(tt.maxLines, tt.maxBytes/3, 40)
			n = max(n, 1)
			assert.Equal(t, ringTexts(60-n+1, 60), r.texts())
			first := 60 - n + 1
			assert.Equal(t, ringSeqRange(uint64(first), 60), ringSeqs(r))
		})
	}
}

func TestRingSetLimitsGrowKeepsAll(t *testing.T) {
	r := newTestRing(8, 1<<20, ringTexts(1, 20)...)
	r.setLimits(30, 1<<20)
	for i := 21; i <= 40; i++ {
		r.push(Line{Seq: uint64(i), Text: fmt.Sprintf("l%d", i)})
		checkRing(t, r)
	}
	// 8 kept from before, then room for 22 more: 30 in all.
	assert.Equal(t, ringTexts(13, 40), r.texts())

	r.push(Line{Seq: 41, Text: "l41"})
	r.push(Line{Seq: 42, Text: "l42"})
	checkRing(t, r)
	assert.Equal(t, ringTexts(13, 42), r.texts())
	r.push(Line{Seq: 43, Text: "l43"})
	checkRing(t, r)
	assert.Equal(t, ringTexts(14, 43), r.texts())
}

func TestRingSetLimitsEmpty(t *testing.T) {
	var r ring
	r.setLimits(4, 100)
	r.setLimits(2, 100)
	checkRing(t, &r)
	for i := 1; i <= 5; i++ {
		r.push(Line{Seq: uint64(i), Text: "x"})
		checkRing(t, &r)
	}
	assert.Equal(t, []uint64{4, 5}, ringSeqs(&r))
}

func TestRingPopClearsSlots(t *testing.T) {
	// Byte eviction in a full, wrapped ring leaves slots outside the live
	// window; none of them may still hold a Text.
	r := newTestRing(8, 100, ringTexts(1, 12)...)
	require.Equal(t, 8, len(r.buf))
	require.NotZero(t, r.start)

	r.push(Line{Seq: 13, Text: strings.Repeat("z", 100)})
	checkRing(t, r)
	assert.Equal(t, []uint64{13}, ringSeqs(r))
	live := (r.start) % len(r.buf)
	for i, slot := range r.buf {
		if i == live {
			continue
		}
		assert.Empty(t, slot.Text, "buf[%d] still references an evicted Text", i)
		assert.Zero(t, slot.Seq, "buf[%d] not cleared", i)
	}

	// Line-count eviction, too: the slot is reused, never left stale.
	r = newTestRing(4, 1<<20, ringTexts(1, 4)...)
	r.push(Line{Seq: 5, Text: "l5"})
	checkRing(t, r)
	assert.Equal(t, ringTexts(2, 5), r.texts())
	for _, slot := range r.buf {
		assert.NotEqual(t, "l1", slot.Text)
	}
}

func TestOutputSince(t *testing.T) {
	var o output
	o.setLimits(100, 1<<20)

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
		lines := make([]Line, len(b.texts))
		for i, text := range b.texts {
			lines[i] = Line{Stream: b.stream, Text: text}
		}
		o.add(b.stream, lines)
		for _, l := range lines {
			// add numbers the caller's Lines in place.
			require.Equal(t, uint64(len(want)+1), l.Seq, "Seq of %q", l.Text)
			want = append(want, l)
		}
	}
	require.Len(t, want, 9)

	all := o.since(0)
	assert.Equal(t, want, all)
	for i, l := range all {
		assert.Equal(t, uint64(i+1), l.Seq, "Seq starts at 1 and counts across streams")
	}
	for k := 0; k <= 10; k++ {
		got := o.since(uint64(k))
		wantK := want[min(k, len(want)):]
		assert.Equal(t, len(wantK), len(got), "since(%d)", k)
		if len(wantK) > 0 {
			assert.Equal(t, wantK, got, "since(%d)", k)
		}
		for _, l := range got {
			assert.Greater(t, l.Seq, uint64(k))
		}
	}

	stdout, stderr := o.texts()
	assert.Equal(t, []string{"o1", "o2", "o4", "o8", "o9"}, stdout)
	assert.Equal(t, []string{"e3", "e5", "e6", "e7"}, stderr)
}

func TestOutputSinceAfterEviction(t *testing.T) {
	var o output
	o.setLimits(3, 1<<20)
	// Seq 1..12: stdout gets the odd ones, stderr the even ones.
	for i := 1; i <= 12; i++ {
		s := StreamStdout
		if i%2 == 0 {
			s = StreamStderr
		}
		o.add(s, []Line{{Stream: s, Text: fmt.Sprintf("l%d", i)}})
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
	assert.Equal(t, ringSeqRange(7, 12), seqs)

	got = o.since(9)
	seqs = seqs[:0]
	for _, l := range got {
		seqs = append(seqs, l.Seq)
	}
	assert.Equal(t, ringSeqRange(10, 12), seqs)
	assert.Empty(t, o.since(12))

	// Lopsided: only stderr has anything newer.
	o.add(StreamStderr, []Line{{Stream: StreamStderr, Text: "l13"}, {Stream: StreamStderr, Text: "l14"}})
	got = o.since(11)
	seqs = seqs[:0]
	for _, l := range got {
		seqs = append(seqs, l.Seq)
	}
	assert.Equal(t, []uint64{12, 13, 14}, seqs)
}

func TestOutputPublish(t *testing.T) {
	var o output
	o.setLimits(10, 1<<20)
	var published [][]Line
	o.publish = func(lines []Line) {
		published = append(published, append([]Line(nil), lines...))
	}
	o.add(StreamStdout, []Line{{Text: "a"}, {Text: "b"}})
	o.add(StreamStderr, []Line{{Text: "c"}})
	require.Len(t, published, 2)
	assert.Equal(t, []Line{{Seq: 1, Text: "a"}, {Seq: 2, Text: "b"}}, published[0])
	assert.Equal(t, []Line{{Seq: 3, Text: "c"}}, published[1])
}
