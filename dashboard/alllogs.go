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
		sets = append(sets, lines)
	}
	lines := mergeLines(sets)
	if limit > 0 && len(lines) > limit {
		lines = lines[len(lines)-limit:]
	}
	body := allLogsBody{Lines: make([]jsonLine, len(lines))}
	for i, l := range lines {
		body.Lines[i] = toJSONLine(l)
	}
	_ = writeJSON(w, http.StatusOK, body)
}

// mergeLines merges the lines of several processes, each set in Seq order,
// into one list by Time, in which the lines of each process stay in Seq
// order: a client that keeps the greatest Seq it has seen of each process
// must never see a smaller one after it. The two streams of a process are
// read apart, so their Times need not grow with Seq; a line is placed by
// the latest Time of its process so far.
func mergeLines(sets [][]overseer.Line) []overseer.Line {
	type keyed struct {
		at time.Time
		l  overseer.Line
	}
	n := 0
	for _, set := range sets {
		n += len(set)
	}
	all := make([]keyed, 0, n)
	for _, set := range sets {
		var at time.Time
		for _, l := range set {
			if l.Time.After(at) {
				at = l.Time
			}
			all = append(all, keyed{at, l})
		}
	}
	// Stable: the lines of one process, in Seq order with keys that never
	// decrease, keep their order.
	slices.SortStableFunc(all, func(a, b keyed) int { return a.at.Compare(b.at) })
	out := make([]overseer.Line, len(all))
	for i, k := range all {
		out[i] = k.l
	}
	return out
}
