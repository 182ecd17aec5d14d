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

// newTestRing returns a ring with the given bounds holding one line per text,
// numbered from Seq 1.
func newTestRing(maxLines, maxBytes int, texts ...string) *Ring {
	r := &Ring{}
	r.SetLimits(maxLines, maxBytes, testMaxLine)
	for i, text := range texts {
		pushText(r, uint64(i+1), text)
	}
	return r
}

// ringSeqs returns the Seq of every line held, oldest first.
func ringSeqs(r *Ring) []uint64 {
	out := make([]uint64, r.n)
	for i := range out {
		out[i] = r.At(i).Seq
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

// testMaxLine is the maxLine of the rings of these tests.
const testMaxLine = 64

// pushText pushes one line of text, copying nothing the caller keeps.
func pushText(r *Ring, seq uint64, text string) {
	r.Push(seq, 0, 0, 0, []byte(text), false)
}

// checkRing checks the ring's bookkeeping: n fits in meta and maxLines, the
// texts lie back to back from head to tail within the text buffer, and the
// bounds hold.
func checkRing(t *testing.T, r *Ring) {
	t.Helper()
	require.LessOrEqual(t, r.n, len(r.meta), "n within meta")
	require.LessOrEqual(t, r.n, r.maxLines, "n within maxLines")
	require.LessOrEqual(t, len(r.meta), r.maxLines, "meta within maxLines")
	require.LessOrEqual(t, r.Bytes(), len(r.text), "texts within the text buffer")
	off := r.head
	for i := 0; i < r.n; i++ {
		require.Equal(t, off, r.At(i).off, "line %d does not start where line %d ends", i, i-1)
		off += uint64(r.At(i).Len)
	}
	if r.n > 0 {
		require.Equal(t, r.tail, off, "tail is not where the newest line ends")
	}
	sum := 0
	for _, text := range r.Texts() {
		sum += len(text)
	}
	require.Equal(t, sum, r.Bytes(), "bytes is the sum of the held texts")
	if r.n > 1 {
		require.LessOrEqual(t, r.Bytes(), r.maxBytes, "more than one line held beyond maxBytes")
	}
}

func TestRingPushWithinMaxLines(t *testing.T) {
	texts := ringTexts(1, 10)
	r := newTestRing(10, 1<<20, texts...)
	checkRing(t, r)
	assert.Equal(t, 10, r.n)
	assert.Equal(t, texts, r.Texts())
	assert.Equal(t, testbuild.SeqRange(1, 10), ringSeqs(r))
}

func TestRingPushEvictsOldest(t *testing.T) {
	for _, maxLines := range []int{1, 2, 5, 16, 17, 40} {
		t.Run(fmt.Sprint(maxLines), func(t *testing.T) {
			r := &Ring{}
			r.SetLimits(maxLines, 1<<20, testMaxLine)
			for i := 1; i <= 100; i++ {
				pushText(r, uint64(i), fmt.Sprintf("l%d", i))
				checkRing(t, r)
				first := max(1, i-maxLines+1)
				require.Equal(t, testbuild.SeqRange(uint64(first), uint64(i)), ringSeqs(r), "after push %d", i)
				require.Equal(t, ringTexts(first, i), r.Texts(), "after push %d", i)
			}
		})
	}
}

func TestRingByteBound(t *testing.T) {
	r := newTestRing(100, 10)
	pushText(r, 1, "aaaa") // 4
	pushText(r, 2, "bbbb") // 8
	checkRing(t, r)
	assert.Equal(t, []uint64{1, 2}, ringSeqs(r))

	pushText(r, 3, "cc") // 10: still fits
	checkRing(t, r)
	assert.Equal(t, []uint64{1, 2, 3}, ringSeqs(r))
	assert.Equal(t, 10, r.Bytes())

	pushText(r, 4, "d") // 11: the oldest goes
	checkRing(t, r)
	assert.Equal(t, []uint64{2, 3, 4}, ringSeqs(r))
	assert.Equal(t, 7, r.Bytes())

	pushText(r, 5, "eeeeeeee") // 15: two go
	checkRing(t, r)
	assert.Equal(t, []uint64{4, 5}, ringSeqs(r))
	assert.Equal(t, []string{"d", "eeeeeeee"}, r.Texts())

	// A Line bigger than maxBytes on its own is kept, alone.
	huge := strings.Repeat("h", 25)
	pushText(r, 6, huge)
	checkRing(t, r)
	assert.Equal(t, []uint64{6}, ringSeqs(r))
	assert.Equal(t, []string{huge}, r.Texts())
	assert.Equal(t, 25, r.Bytes())

	// The next Line pushes it out, however small.
	pushText(r, 7, "g")
	checkRing(t, r)
	assert.Equal(t, []uint64{7}, ringSeqs(r))
	assert.Equal(t, 1, r.Bytes())
}

func TestRingByteBoundZero(t *testing.T) {
	r := newTestRing(8, 0, "a", "b", "c")
	checkRing(t, r)
	assert.Equal(t, []string{"c"}, r.Texts(), "the newest Line is always kept")
	// Empty Lines cost no bytes.
	pushText(r, 4, "")
	pushText(r, 5, "")
	checkRing(t, r)
	assert.Equal(t, []uint64{4, 5}, ringSeqs(r))
}

func TestRingAfter(t *testing.T) {
	// 20 Lines through a ring of 8: it has wrapped and start is not 0.
	r := newTestRing(8, 1<<20, ringTexts(1, 20)...)
	checkRing(t, r)
	require.Equal(t, testbuild.SeqRange(13, 20), ringSeqs(r))
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
		assert.Equal(t, tt.want, r.After(tt.seq), "after(%d)", tt.seq)
	}

	// Seq with gaps, as when two streams share the counter.
	g := &Ring{}
	g.SetLimits(4, 1<<20, testMaxLine)
	for _, seq := range []uint64{2, 5, 6, 9, 11, 14} {
		pushText(g, seq, "")
	}
	require.Equal(t, []uint64{6, 9, 11, 14}, ringSeqs(g))
	for seq, want := range map[uint64]int{0: 0, 5: 0, 6: 1, 7: 1, 8: 1, 9: 2, 10: 2, 11: 3, 13: 3, 14: 4, 100: 4} {
		assert.Equal(t, want, g.After(seq), "after(%d) with gaps", seq)
	}

	var empty Ring
	empty.SetLimits(8, 100, testMaxLine)
	assert.Equal(t, 0, empty.After(0))
}

func TestRingTexts(t *testing.T) {
	var r Ring
	r.SetLimits(3, 1<<20, testMaxLine)
	assert.Empty(t, r.Texts())
	for i, text := range []string{"a", "b", "c", "d", "e"} {
		pushText(&r, uint64(i+1), text)
	}
	assert.Equal(t, []string{"c", "d", "e"}, r.Texts())
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

			r.SetLimits(tt.maxLines, tt.maxBytes, testMaxLine)
			checkRing(t, r)
			assert.Equal(t, tt.want, r.Texts())

			// The ring goes on working under the new limits.
			for i := 21; i <= 60; i++ {
				pushText(r, uint64(i), fmt.Sprintf("l%d", i))
				checkRing(t, r)
			}
			n := min(tt.maxLines, tt.maxBytes/3, 40)
			n = max(n, 1)
			assert.Equal(t, ringTexts(60-n+1, 60), r.Texts())
			first := 60 - n + 1
			assert.Equal(t, testbuild.SeqRange(uint64(first), 60), ringSeqs(r))
		})
	}
}

func TestRingSetLimitsGrowKeepsAll(t *testing.T) {
	r := newTestRing(8, 1<<20, ringTexts(1, 20)...)
	r.SetLimits(30, 1<<20, testMaxLine)
	for i := 21; i <= 40; i++ {
		pushText(r, uint64(i), fmt.Sprintf("l%d", i))
		checkRing(t, r)
	}
	// 8 kept from before, then room for 22 more: 30 in all.
	assert.Equal(t, ringTexts(13, 40), r.Texts())

	pushText(r, 41, "l41")
	pushText(r, 42, "l42")
	checkRing(t, r)
	assert.Equal(t, ringTexts(13, 42), r.Texts())
	pushText(r, 43, "l43")
	checkRing(t, r)
	assert.Equal(t, ringTexts(14, 43), r.Texts())
}

func TestRingSetLimitsEmpty(t *testing.T) {
	var r Ring
	r.SetLimits(4, 100, testMaxLine)
	r.SetLimits(2, 100, testMaxLine)
	checkRing(t, &r)
	for i := 1; i <= 5; i++ {
		pushText(&r, uint64(i), "x")
		checkRing(t, &r)
	}
	assert.Equal(t, []uint64{4, 5}, ringSeqs(&r))
}

func TestRingTextWraps(t *testing.T) {
	// 10-byte lines through 64 bytes of text: the buffer fills up, and from
	// then on lines wrap around its end.
	r := &Ring{}
	r.SetLimits(100, 64, 10)
	for i := 1; i <= 50; i++ {
		pushText(r, uint64(i), fmt.Sprintf("line-%04d", i)+"|")
		checkRing(t, r)
		require.LessOrEqual(t, len(r.text), 64, "the text buffer outgrew maxBytes")
	}
	want := make([]string, 0, 6)
	for i := 45; i <= 50; i++ {
		want = append(want, fmt.Sprintf("line-%04d|", i))
	}
	assert.Equal(t, want, r.Texts())
}

// ringModel is the specification of ring: a slice, evicted from the front.
type ringModel struct {
	texts             []string
	seqs              []uint64
	maxLines, maxByte int
}

func (m *ringModel) push(seq uint64, text string) {
	m.texts, m.seqs = append(m.texts, text), append(m.seqs, seq)
	sum := 0
	for _, t := range m.texts {
		sum += len(t)
	}
	for len(m.texts) > 1 && (len(m.texts) > m.maxLines || sum > m.maxByte) {
		sum -= len(m.texts[0])
		m.texts, m.seqs = m.texts[1:], m.seqs[1:]
	}
}

func TestRingProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		maxLine := 1 + rng.IntN(40)
		model := ringModel{maxLines: 1 + rng.IntN(20), maxByte: rng.IntN(200)}
		r := &Ring{}
		r.SetLimits(model.maxLines, model.maxByte, maxLine)
		for seq := uint64(1); seq <= 300; seq++ {
			if rng.IntN(50) == 0 {
				// New limits: the ring keeps what the model keeps.
				model.maxLines, model.maxByte = 1+rng.IntN(20), rng.IntN(200)
				maxLine = 1 + rng.IntN(40)
				r.SetLimits(model.maxLines, model.maxByte, maxLine)
				m := ringModel{maxLines: model.maxLines, maxByte: model.maxByte}
				for i, text := range model.texts {
					m.push(model.seqs[i], text)
				}
				model = m
			}
			text := strings.Repeat(string(rune('a'+seq%26)), rng.IntN(maxLine+1))
			pushText(r, seq, text)
			model.push(seq, text)
			checkRing(t, r)
			require.Equal(t, model.seqs, ringSeqs(r), "round %d, seq %d", round, seq)
			require.Equal(t, model.texts, r.Texts(), "round %d, seq %d", round, seq)
		}
	}
}
