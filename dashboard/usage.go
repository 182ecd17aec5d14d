package dashboard

import (
	"errors"
	"net/http"
	"time"

	"github.com/overseer-go/overseer"
)

// usageBody is the answer of GET /api/processes/{id}/usage.
type usageBody struct {
	ID      string               `json:"id"`
	Samples []overseer.JSONUsage `json:"samples"`
}

// allUsageBody is the answer of GET /api/usage.
type allUsageBody struct {
	// Time is the server's clock when the samples were read: the since of
	// the next request, less an interval for the samples being taken then.
	Time time.Time `json:"time"`
	// Processes holds, by id, the samples of each process that has any
	// (after since); a process with none is left out.
	Processes map[string][]overseer.JSONUsage `json:"processes"`
}

// usageHistory returns the samples of Usage kept of process id, oldest
// first: Overseer.UsageHistory, unless a test has set Handler.history.
func (h *Handler) usageHistory(id string) ([]overseer.Usage, error) {
	if h.history != nil {
		return h.history(id)
	}
	return h.o.UsageHistory(id)
}

// serveUsage serves GET /api/processes/{id}/usage: the samples of the
// process's Usage, oldest first, all of them or those after ?since=TIME.
func (h *Handler) serveUsage(w http.ResponseWriter, r *http.Request) {
	since, ok := parseSince(w, r.URL.Query().Get("since"))
	if !ok {
		return
	}
	id := r.PathValue("id")
	history, err := h.usageHistory(id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_ = writeJSON(w, http.StatusOK, usageBody{ID: id, Samples: jsonUsages(history, since)})
}

// serveAllUsage serves GET /api/usage: the samples of every process that
// has any, all of them or those after ?since=TIME. The page asks for all
// once, then every sampling interval for those after the time of the last
// answer: each process's new sample or two.
func (h *Handler) serveAllUsage(w http.ResponseWriter, r *http.Request) {
	since, ok := parseSince(w, r.URL.Query().Get("since"))
	if !ok {
		return
	}
	body := allUsageBody{Time: time.Now(), Processes: make(map[string][]overseer.JSONUsage)}
	for _, id := range h.o.ListAll() {
		history, err := h.usageHistory(id)
		if errors.Is(err, overseer.ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if samples := jsonUsages(history, since); len(samples) > 0 {
			body.Processes[id] = samples
		}
	}
	_ = writeJSON(w, http.StatusOK, body)
}

// parseSince reads the query value since: the zero time for none, else an
// instant in RFC 3339. It answers 400 and reports false for anything else.
func parseSince(w http.ResponseWriter, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		writeError(w, http.StatusBadRequest, "dashboard: since "+quote(s)+" is not a time (RFC 3339, such as 2026-12-03T15:04:05.123Z)")
		return time.Time{}, false
	}
	return t, true
}

// jsonUsages returns the samples of history taken after since, in JSON's
// form, never nil. The history is oldest first: the search starts from
// its end, where the new samples are.
func jsonUsages(history []overseer.Usage, since time.Time) []overseer.JSONUsage {
	first := len(history)
	for first > 0 && history[first-1].Time.After(since) {
		first--
	}
	out := make([]overseer.JSONUsage, 0, len(history)-first)
	for _, u := range history[first:] {
		out = append(out, u.ToJSON())
	}
	return out
}
