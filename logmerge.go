package overseer

// mergeByTime appends to dst the lines of the segments of read, merged by
// Time: each segment is one process's lines in Seq order, which stays; of
// heads read at the same time, the earlier segment's goes first. Segments
// are few (one per process with new lines), so the heads are kept in a
// small binary heap.
func mergeByTime(dst, read []Line, segments []segment) []Line {
	h := segmentHeap{read: read, segs: segments}
	for i := len(h.segs)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
	for len(h.segs) > 0 {
		s := &h.segs[0]
		dst = append(dst, read[s.start])
		s.start++
		if s.start == s.end {
			last := len(h.segs) - 1
			h.segs[0], h.segs = h.segs[last], h.segs[:last]
		}
		h.down(0)
	}
	return dst
}

// segmentHeap orders segments by the Time of their first line, then by
// their place in the batch.
type segmentHeap struct {
	read []Line
	segs []segment
}

// less orders by the head's Time; the end of a segment, which only grows,
// tells the segments' places apart.
func (h *segmentHeap) less(i, j int) bool {
	a, b := h.read[h.segs[i].start].Time, h.read[h.segs[j].start].Time
	if a.Equal(b) {
		return h.segs[i].end < h.segs[j].end
	}
	return a.Before(b)
}

func (h *segmentHeap) down(i int) {
	n := len(h.segs)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h.segs[i], h.segs[m] = h.segs[m], h.segs[i]
		i = m
	}
}
