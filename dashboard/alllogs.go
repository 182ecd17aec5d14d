package dashboard

import (
	"net/http"
	"slices"
	"time"

	"github.com/overseer-go/overseer"
)

// allLogsBody is the answer of GET /api/logs.
type allLogsBody struct {
	Lines []jsonLine `json:"lines"`
}

// serveAllLogs serves GET /api/logs: the lines every process keeps, in the
// order they were read, the newest limit of them with ?limit=N.
func (h *Handler) serveAllLogs(w http.ResponseWriter, r *http.Request) {
	limit, ok := parseLimit(w, r.URL.Query().Get("limit"))
	if !ok {
		return
	}
	var fetch []func(uint64) []overseer.Line
	var sets [][]overseer.Line
	for _, id := range h.o.ListAll() {
		c, err := h.o.Cmd(id)
		if err != nil {
			continue // removed meanwhile
		}
		lines := c.Lines(0)
		if limit > 0 && len(lines) > limit {
			lines = lines[len(lines)-limit:] // no more of one than of all
		}
		fetch = append(fetch, c.Lines)
		sets = append(sets, lines)
	}
	m := newMerge(fetch, sets, limit)
	sets = nil // the pages of m hold what is needed
	a := h.newAnswer(w)
	err := a.raw(`{"lines":[`)
	for err == nil {
		l, ok := m.next()
		if !ok {
			break
		}
		err = a.line(l)
	}
	h.endAnswer(a, r, err)
}

// merge gives the lines of several processes, each set in Seq order, as
// one list by Time, in which the lines of each process stay in Seq order:
// a client that keeps the greatest Seq it has seen of each process must
// never see a smaller one after it. The two streams of a process are read
// apart, so their Times need not grow with Seq; a line is placed by the
// latest Time of its process so far (its key), ties going to the process
// listed first. The lines are read a page at a time (pager).
type merge struct {
	srcs []mergeSource
}

// mergeSource is the lines of one process still to merge.
type mergeSource struct {
	p  *pager
	at time.Time // the key of the last line taken, or of those left out
}

// newMerge returns the merge of sets, the lines of processes read by the
// functions of fetch, the newest limit of them if limit > 0.
func newMerge(fetch []func(uint64) []overseer.Line, sets [][]overseer.Line, limit int) *merge {
	first, at := cut(sets, limit)
	m := &merge{srcs: make([]mergeSource, len(sets))}
	for i, set := range sets {
		m.srcs[i] = mergeSource{p: newPager(fetch[i], set[first[i]:]), at: at[i]}
	}
	return m
}

// next returns the next line of the merge; ok is false at the end.
func (m *merge) next() (l overseer.Line, ok bool) {
	best := -1
	var bestAt time.Time
	for i := range m.srcs {
		head, ok := m.srcs[i].p.peek()
		if !ok {
			continue
		}
		at := later(m.srcs[i].at, head.Time)
		if best < 0 || at.Before(bestAt) {
			best, bestAt = i, at
		}
	}
	if best < 0 {
		return overseer.Line{}, false
	}
	src := &m.srcs[best]
	l, _ = src.p.peek()
	src.p.next()
	src.at = bestAt
	return l, true
}

// cut returns, for each set, the index of its first line among the newest
// limit lines of the merge (all of them if limit is not positive), and the
// key of the line before it (the zero Time if none).
func cut(sets [][]overseer.Line, limit int) (first []int, at []time.Time) {
	type keyed struct {
		at       time.Time
		set, idx int
	}
	first, at = make([]int, len(sets)), make([]time.Time, len(sets))
	if limit <= 0 {
		return first, at
	}
	var all []keyed
	for s, set := range sets {
		var key time.Time
		for i, l := range set {
			key = later(key, l.Time)
			all = append(all, keyed{key, s, i})
		}
		first[s] = len(set)
	}
	slices.SortStableFunc(all, func(a, b keyed) int { return a.at.Compare(b.at) })
	for _, k := range all[max(len(all)-limit, 0):] {
		first[k.set] = min(first[k.set], k.idx)
	}
	for s, set := range sets {
		for _, l := range set[:first[s]] {
			at[s] = later(at[s], l.Time)
		}
	}
	return first, at
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
