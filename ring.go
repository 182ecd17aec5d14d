package overseer

import "sort"

// ring keeps the latest Lines of one stream: at most maxLines of them and,
// beyond the newest one, at most maxBytes of Text. Appending is O(1); the
// backing array grows on demand up to maxLines, so a quiet process costs
// nothing.
type ring struct {
	buf      []Line // circular once len(buf) == maxLines
	start    int    // index of the oldest Line in buf
	n        int    // Lines held
	bytes    int    // total len(Text) of the Lines held
	maxLines int
	maxBytes int
}

// setLimits changes the bounds, evicting the oldest Lines that no longer fit.
func (r *ring) setLimits(maxLines, maxBytes int) {
	if maxLines != r.maxLines && r.n > 0 {
		held := r.appendTo(make([]Line, 0, min(r.n, maxLines)), r.n-min(r.n, maxLines))
		r.buf, r.start, r.n, r.bytes = held, 0, len(held), 0
		for _, l := range held {
			r.bytes += len(l.Text)
		}
	} else if maxLines != r.maxLines {
		r.buf, r.start = nil, 0
	}
	r.maxLines, r.maxBytes = maxLines, maxBytes
	r.evictBytes()
}

// push appends l, evicting the oldest Lines to stay within the bounds; the
// newest Line is always kept.
func (r *ring) push(l Line) {
	if r.n == r.maxLines {
		r.pop()
	}
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.start+r.n)%len(r.buf)] = l
	r.n++
	r.bytes += len(l.Text)
	r.evictBytes()
}

func (r *ring) evictBytes() {
	for r.bytes > r.maxBytes && r.n > 1 {
		r.pop()
	}
}

// pop drops the oldest Line, clearing its slot so its Text can be collected.
func (r *ring) pop() {
	r.bytes -= len(r.buf[r.start].Text)
	r.buf[r.start] = Line{}
	r.start = (r.start + 1) % len(r.buf)
	r.n--
}

// grow makes room for one more Line: double the array, up to maxLines.
func (r *ring) grow() {
	size := min(max(2*len(r.buf), 16), r.maxLines)
	buf := r.appendTo(make([]Line, 0, size), 0)
	r.buf, r.start = buf[:size], 0
}

// at returns the i-th oldest Line held.
func (r *ring) at(i int) *Line {
	return &r.buf[(r.start+i)%len(r.buf)]
}

// appendTo appends the Lines held, from the skip-th oldest on, to dst.
func (r *ring) appendTo(dst []Line, skip int) []Line {
	for i := skip; i < r.n; i++ {
		dst = append(dst, *r.at(i))
	}
	return dst
}

// after returns the index of the oldest Line held with Seq > seq (r.n if
// none): Seq only grows, so a binary search finds it.
func (r *ring) after(seq uint64) int {
	return sort.Search(r.n, func(i int) bool { return r.at(i).Seq > seq })
}

// texts returns the Text of every Line held, oldest first.
func (r *ring) texts() []string {
	out := make([]string, r.n)
	for i := range out {
		out[i] = r.at(i).Text
	}
	return out
}
