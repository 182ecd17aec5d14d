package dashboard

import (
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/overseer-go/overseer"
)

// jsonLine is a Line as the API and the event stream give it.
type jsonLine struct {
	ID      string          `json:"id"`
	Stream  overseer.Stream `json:"stream"`
	Seq     uint64          `json:"seq"`
	PID     int             `json:"pid"`
	Time    time.Time       `json:"time"`
	Text    string          `json:"text"`
	Bytes   []byte          `json:"bytes,omitempty"` // Text's exact bytes, when it is not UTF-8
	Partial bool            `json:"partial"`
	// Hook names the hook that wrote the line (pre_start, post_stop,
	// stop_command); left out for the program's own lines.
	Hook overseer.Hook `json:"hook,omitzero"`
	// Missed, in the event stream, counts the lines of the process just
	// before this one that the stream could not give: the process's rings
	// let them go before the stream read them (a client reading slowly).
	Missed uint64 `json:"missed,omitempty"`
}

func toJSONLine(l overseer.Line) jsonLine {
	jl := jsonLine{ID: l.ID, Stream: l.Stream, Seq: l.Seq, PID: l.PID, Time: l.Time, Text: l.Text, Partial: l.Partial, Hook: l.Hook}
	if !utf8.ValidString(l.Text) {
		jl.Bytes = []byte(l.Text) // as overseer.Line.MarshalJSON carries them
	}
	return jl
}

// logsBody is the answer of GET /api/processes/{id}/logs.
type logsBody struct {
	ID    string     `json:"id"`
	Lines []jsonLine `json:"lines"`
}

func (h *Handler) serveList(w http.ResponseWriter, r *http.Request) {
	_ = writeJSON(w, http.StatusOK, h.o.ToJSONAll())
}

func (h *Handler) serveProcess(w http.ResponseWriter, r *http.Request) {
	p, err := h.o.ToJSON(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_ = writeJSON(w, http.StatusOK, p)
}

func (h *Handler) serveLogs(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := h.o.Cmd(id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	query := r.URL.Query()
	var since uint64
	if s := query.Get("since"); s != "" {
		since, err = strconv.ParseUint(s, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "dashboard: since "+quote(s)+" is not a line number (0 or more)")
			return
		}
	}
	limit, ok := parseLimit(w, query.Get("limit"))
	if !ok {
		return
	}
	lines := c.Lines(since)
	if limit > 0 && len(lines) > limit {
		lines = lines[len(lines)-limit:]
	}
	h.sendLogs(w, r, id, newPager(c.Lines, lines))
}

// parseLimit reads the query value limit: 0 for none, else a count of
// lines. It answers 400 and reports false for anything else.
func parseLimit(w http.ResponseWriter, s string) (int, bool) {
	if s == "" {
		return 0, true
	}
	limit, err := strconv.Atoi(s)
	if err != nil || limit < 1 {
		writeError(w, http.StatusBadRequest, "dashboard: limit "+quote(s)+" is not a count of lines (1 or more)")
		return 0, false
	}
	return limit, true
}

// action serves POST /api/processes/{id}/NAME with do, an Overseer method:
// it answers once do has returned, with the process as it is then.
func (h *Handler) action(name string, do func(id string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		h.logger.Info("dashboard: "+name, "id", id, "remote", r.RemoteAddr)
		if err := do(id); err != nil {
			h.fail(w, r, err)
			return
		}
		h.answerProcess(w, r, id)
	}
}

// answerProcess answers a mutating request with the process id.
func (h *Handler) answerProcess(w http.ResponseWriter, r *http.Request, id string) {
	p, err := h.o.ToJSON(id)
	if err != nil { // removed meanwhile
		h.fail(w, r, err)
		return
	}
	_ = writeJSON(w, http.StatusOK, p)
}
