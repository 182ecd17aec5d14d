package overseer

import (
	"sort"
	"strings"
)

// ring keeps the latest lines of one stream: at most maxLines of them, and
// at most maxBytes of text in all unless the newest line alone is longer.
//
// The texts are kept back to back in one circular byte buffer and the rest
// of each line in a circular array of lineMeta; neither holds a pointer, so
// capturing a line costs a copy of its bytes and no allocation, and the
// garbage collector never scans what the ring holds. Strings are made only
// when someone reads the lines (see output.since), one allocation for all
// the lines of one read. Both buffers grow on demand up to their bounds, so
// a quiet process costs nothing.
type ring struct {
	meta  []lineMeta // circular once len(meta) == maxLines
	start int        // index of the oldest line in meta
	n     int        // lines held

	text []byte // circular; the texts of the lines held, oldest first
	base uint64 // the offset stored at text[0] when text was last laid out
	head uint64 // the offset of the oldest line's text
	tail uint64 // the offset just past the newest line's text

	maxLines int
	maxBytes int
	maxLine  int // the longest text one line can have; text grows to hold it
}

// lineMeta is what the ring keeps of one line besides its text. off counts
// bytes since the ring was made, so it never needs rewriting.
type lineMeta struct {
	seq     uint64
	off     uint64
	time    int64 // Unix nanoseconds
	len     uint32
	pid     int32 // of the run that wrote it
	partial bool
}

// setLimits changes the bounds, evicting the oldest lines that no longer fit.
func (r *ring) setLimits(maxLines, maxBytes, maxLine int) {
	if maxLines == r.maxLines && maxBytes == r.maxBytes && maxLine == r.maxLine {
		return
	}
	old := *r
	*r = ring{maxLines: maxLines, maxBytes: maxBytes, maxLine: maxLine}
	var scratch []byte
	for i := 0; i < old.n; i++ {
		m := old.at(i)
		scratch = old.copyText(scratch[:0], m.off, int(m.len))
		r.push(m.seq, m.time, m.pid, scratch, m.partial)
	}
}

// bytes returns the length of the texts held.
func (r *ring) bytes() int { return int(r.tail - r.head) }

// push appends a line, evicting the oldest lines to stay within the bounds;
// the newest line is always kept. text is copied.
func (r *ring) push(seq uint64, time int64, pid int32, text []byte, partial bool) {
	if r.maxLines <= 0 {
		return
	}
	if r.n == r.maxLines {
		r.pop()
	}
	for r.n > 0 && r.bytes()+len(text) > r.maxBytes {
		r.pop()
	}
	if r.n == len(r.meta) {
		r.growMeta()
	}
	if r.bytes()+len(text) > len(r.text) {
		r.growText(r.bytes() + len(text))
	}
	slot := r.start + r.n
	if slot >= len(r.meta) {
		slot -= len(r.meta)
	}
	r.meta[slot] = lineMeta{
		seq: seq, off: r.tail, time: time, len: uint32(len(text)), pid: pid, partial: partial,
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

// pop drops the oldest line.
func (r *ring) pop() {
	m := r.meta[r.start]
	r.head = m.off + uint64(m.len)
	r.start++
	if r.start == len(r.meta) {
		r.start = 0
	}
	r.n--
}

// growMeta makes room for one more line: double the array, up to maxLines.
func (r *ring) growMeta() {
	size := min(max(2*len(r.meta), 16), r.maxLines)
	meta := make([]lineMeta, size)
	for i := 0; i < r.n; i++ {
		meta[i] = *r.at(i)
	}
	r.meta, r.start = meta, 0
}

// growText makes text hold at least need bytes: double it, up to the larger
// of maxBytes and maxLine (or need, for a line cut to an older, longer
// maxLine).
func (r *ring) growText(need int) {
	size := max(min(max(2*len(r.text), 4096), max(r.maxBytes, r.maxLine)), need)
	text := make([]byte, size)
	r.copyText(text[:0], r.head, r.bytes())
	r.text, r.base = text, r.head
}

// index returns where the byte at offset off is in text.
func (r *ring) index(off uint64) int {
	return int((off - r.base) % uint64(len(r.text)))
}

// copyText appends the n bytes of text from offset off to dst.
func (r *ring) copyText(dst []byte, off uint64, n int) []byte {
	if n == 0 {
		return dst
	}
	i := r.index(off)
	end := min(i+n, len(r.text))
	dst = append(dst, r.text[i:end]...)
	return append(dst, r.text[:n-(end-i)]...)
}

// writeText writes the text of m to b.
func (r *ring) writeText(b *strings.Builder, m *lineMeta) {
	if m.len == 0 {
		return
	}
	i := r.index(m.off)
	end := min(i+int(m.len), len(r.text))
	b.Write(r.text[i:end])
	b.Write(r.text[:int(m.len)-(end-i)])
}

// at returns the i-th oldest line held.
func (r *ring) at(i int) *lineMeta {
	i += r.start
	if i >= len(r.meta) {
		i -= len(r.meta)
	}
	return &r.meta[i]
}

// after returns the index of the oldest line held with seq greater than seq
// (r.n if none): seq only grows, so a binary search finds it.
func (r *ring) after(seq uint64) int {
	return sort.Search(r.n, func(i int) bool { return r.at(i).seq > seq })
}

// texts returns the text of every line held, oldest first, in one
// allocation.
func (r *ring) texts() []string {
	var b strings.Builder
	b.Grow(r.bytes())
	for i := 0; i < r.n; i++ {
		r.writeText(&b, r.at(i))
	}
	all := b.String()
	out := make([]string, r.n)
	for i := range out {
		n := int(r.at(i).len)
		out[i], all = all[:n], all[n:]
	}
	return out
}
