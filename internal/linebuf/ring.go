package linebuf

import (
	"sort"
	"strings"
)

// Ring keeps the latest lines of one stream: at most maxLines of them, and
// at most maxBytes of text in all unless the newest line alone is longer.
//
// The texts are kept back to back in one circular byte buffer and the rest
// of each line in a circular array of Meta; neither holds a pointer, so
// capturing a line costs a copy of its bytes and no allocation, and the
// garbage collector never scans what the ring holds. Strings are made only
// when someone reads the lines (WriteText, Texts), one allocation for all
// the lines of one read. Both buffers grow on demand up to their bounds, so
// a quiet stream costs nothing.
//
// The zero Ring keeps nothing until SetLimits gives it bounds. A Ring is
// not safe for concurrent use: its owner locks it.
type Ring struct {
	meta  []Meta // circular once len(meta) == maxLines
	start int    // index of the oldest line in meta
	n     int    // lines held

	text []byte // circular; the texts of the lines held, oldest first
	base uint64 // the offset stored at text[0] when text was last laid out
	head uint64 // the offset of the oldest line's text
	tail uint64 // the offset just past the newest line's text

	maxLines int
	maxBytes int
	maxLine  int // the longest text one line can have; text grows to hold it
}

// Meta is what a Ring keeps of one line besides its text.
type Meta struct {
	// Seq numbers the line; it grows from one line pushed to the next.
	Seq uint64
	off uint64 // where the text starts, in bytes since the ring was made, so it never needs rewriting
	// Time is when the line was read, in Unix nanoseconds.
	Time int64
	// Len is the length of the text.
	Len uint32
	// PID is the process id of the run that wrote the line.
	PID int32
	// Partial is true when the line goes on in the next line of its stream.
	Partial bool
	// Mark is the owner's tag of the line (overseer: the hook that wrote
	// it, zero for the program). It fits in the struct's padding.
	Mark uint8
}

// SetLimits changes the bounds, evicting the oldest lines that no longer
// fit: at most maxLines lines, at most maxBytes of text unless the newest
// line alone is longer, and lines of at most maxLine bytes (the text buffer
// grows to hold one).
func (r *Ring) SetLimits(maxLines, maxBytes, maxLine int) {
	if maxLines == r.maxLines && maxBytes == r.maxBytes && maxLine == r.maxLine {
		return
	}
	old := *r
	*r = Ring{maxLines: maxLines, maxBytes: maxBytes, maxLine: maxLine}
	var scratch []byte
	for i := 0; i < old.n; i++ {
		m := old.At(i)
		scratch = old.copyText(scratch[:0], m.off, int(m.Len))
		r.Push(m.Seq, m.Time, m.PID, m.Mark, scratch, m.Partial)
	}
}

// Bytes returns the length of the texts held.
func (r *Ring) Bytes() int { return int(r.tail - r.head) }

// Push appends a line, evicting the oldest lines to stay within the bounds;
// the newest line is always kept. text is copied. seq must be greater than
// the Seq of every line pushed before (After relies on it); time is in
// Unix nanoseconds; mark is kept as Meta.Mark.
func (r *Ring) Push(seq uint64, time int64, pid int32, mark uint8, text []byte, partial bool) {
	if r.maxLines <= 0 {
		return
	}
	if r.n == r.maxLines {
		r.pop()
	}
	for r.n > 0 && r.Bytes()+len(text) > r.maxBytes {
		r.pop()
	}
	if r.n == len(r.meta) {
		r.growMeta()
	}
	if r.Bytes()+len(text) > len(r.text) {
		r.growText(r.Bytes() + len(text))
	}
	slot := r.start + r.n
	if slot >= len(r.meta) {
		slot -= len(r.meta)
	}
	r.meta[slot] = Meta{
		Seq: seq, off: r.tail, Time: time, Len: uint32(len(text)), PID: pid, Partial: partial, Mark: mark,
	}
	r.n++
	if len(text) > 0 {
		i := r.index(r.tail)
		if k := copy(r.text[i:], text); k < len(text) {
			copy(r.text, text[k:])
		}
	}
	r.tail += uint64(len(text))
}

// Evicts returns the Seq of the newest line that a Push of a text of n
// bytes would evict, or 0 when it would evict none: a reader that has not
// read up to it would lose lines.
func (r *Ring) Evicts(n int) uint64 {
	if r.maxLines <= 0 || r.n == 0 {
		return 0
	}
	k, bytes := 0, r.Bytes()
	if r.n == r.maxLines {
		bytes -= int(r.At(0).Len)
		k = 1
	}
	for k < r.n && bytes+n > r.maxBytes {
		bytes -= int(r.At(k).Len)
		k++
	}
	if k == 0 {
		return 0
	}
	return r.At(k - 1).Seq
}

// Oldest returns the Seq of the oldest line held, or 0 when none is.
func (r *Ring) Oldest() uint64 {
	if r.n == 0 {
		return 0
	}
	return r.At(0).Seq
}

// pop drops the oldest line.
func (r *Ring) pop() {
	m := r.meta[r.start]
	r.head = m.off + uint64(m.Len)
	r.start++
	if r.start == len(r.meta) {
		r.start = 0
	}
	r.n--
}

// growMeta makes room for one more line: double the array, up to maxLines.
func (r *Ring) growMeta() {
	size := min(max(2*len(r.meta), 16), r.maxLines)
	meta := make([]Meta, size)
	for i := 0; i < r.n; i++ {
		meta[i] = *r.At(i)
	}
	r.meta, r.start = meta, 0
}

// growText makes text hold at least need bytes: double it, up to the larger
// of maxBytes and maxLine (or need, for a line cut to an older, longer
// maxLine).
func (r *Ring) growText(need int) {
	size := max(min(max(2*len(r.text), 4096), max(r.maxBytes, r.maxLine)), need)
	text := make([]byte, size)
	r.copyText(text[:0], r.head, r.Bytes())
	r.text, r.base = text, r.head
}

// index returns where the byte at offset off is in text.
func (r *Ring) index(off uint64) int {
	return int((off - r.base) % uint64(len(r.text)))
}

// copyText appends the n bytes of text from offset off to dst.
func (r *Ring) copyText(dst []byte, off uint64, n int) []byte {
	if n == 0 {
		return dst
	}
	i := r.index(off)
	end := min(i+n, len(r.text))
	dst = append(dst, r.text[i:end]...)
	return append(dst, r.text[:n-(end-i)]...)
}

// WriteText writes the text of m, a line held (from At), to b.
func (r *Ring) WriteText(b *strings.Builder, m *Meta) {
	if m.Len == 0 {
		return
	}
	i := r.index(m.off)
	end := min(i+int(m.Len), len(r.text))
	b.Write(r.text[i:end])
	b.Write(r.text[:int(m.Len)-(end-i)])
}

// AppendTexts appends the texts of the lines held from the i-th oldest to
// the one before the j-th, back to back, to dst: one copy, as they are
// back to back in the ring too.
func (r *Ring) AppendTexts(dst []byte, i, j int) []byte {
	if i >= j {
		return dst
	}
	from, last := r.At(i), r.At(j-1)
	return r.copyText(dst, from.off, int(last.off+uint64(last.Len)-from.off))
}

// Len returns how many lines are held.
func (r *Ring) Len() int { return r.n }

// BytesFrom returns the length of the texts of the lines held from the i-th
// oldest (i < Len) to the newest.
func (r *Ring) BytesFrom(i int) int { return int(r.tail - r.At(i).off) }

// At returns the i-th oldest line held, 0 <= i < Len. The Meta is the
// Ring's own: it is valid until the next Push or SetLimits.
func (r *Ring) At(i int) *Meta {
	i += r.start
	if i >= len(r.meta) {
		i -= len(r.meta)
	}
	return &r.meta[i]
}

// After returns the index of the oldest line held with a Seq greater than
// seq (Len if none): Seq only grows, so a binary search finds it.
func (r *Ring) After(seq uint64) int {
	return sort.Search(r.n, func(i int) bool { return r.At(i).Seq > seq })
}

// Texts returns the text of every line held, oldest first, in one
// allocation.
func (r *Ring) Texts() []string {
	var b strings.Builder
	b.Grow(r.Bytes())
	for i := 0; i < r.n; i++ {
		r.WriteText(&b, r.At(i))
	}
	all := b.String()
	out := make([]string, r.n)
	for i := range out {
		n := int(r.At(i).Len)
		out[i], all = all[:n], all[n:]
	}
	return out
}
