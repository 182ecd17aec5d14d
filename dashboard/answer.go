package dashboard

import (
	"bufio"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/overseer-go/overseer"
)

const (
	// answerBuffer is how much of a long answer is gathered before a write.
	answerBuffer = 32 << 10
	// answerTimeouts is how many write timeouts a whole answer may take: a
	// client that reads a little before each write's deadline is cut then,
	// instead of holding its connection and buffers for as long as it likes.
	answerTimeouts = 12
)

// answer writes a long JSON answer, the lines of GET /api/processes/{id}/logs
// or GET /api/logs, a line at a time through a small buffer, each write to
// the client within the Handler's write timeout: a client that reads
// nothing holds up the buffer and the page being sent (see pager), not the
// whole answer, and only for that long.
type answer struct {
	w   *bufio.Writer
	enc *json.Encoder
	n   int // lines written
}

// newAnswer answers 200 with a JSON body, to be written through the answer.
func (h *Handler) newAnswer(w http.ResponseWriter) *answer {
	header := w.Header()
	header.Set("Content-Type", "application/json; charset=utf-8")
	header.Set("Cache-Control", "no-store")
	header.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	dw := &deadlineWriter{w: w, rc: http.NewResponseController(w), timeout: h.writeTimeout,
		end: time.Now().Add(answerTimeouts * h.writeTimeout)}
	bw := bufio.NewWriterSize(dw, answerBuffer)
	return &answer{w: bw, enc: json.NewEncoder(bw)}
}

// sendLogs answers GET /api/processes/{id}/logs with the lines of p.
func (h *Handler) sendLogs(w http.ResponseWriter, r *http.Request, id string, p *pager) {
	idJSON, _ := json.Marshal(id) // a string: cannot fail
	a := h.newAnswer(w)
	err := a.raw(`{"id":` + string(idJSON) + `,"lines":[`)
	for err == nil {
		l, ok := p.peek()
		if !ok {
			break
		}
		err = a.line(l)
		p.next()
	}
	h.endAnswer(a, r, err)
}

// endAnswer ends the array of lines and the answer, unless err (the first
// write that failed) cut it: then the client is gone or too slow, which is
// only worth a debug record.
func (h *Handler) endAnswer(a *answer, r *http.Request, err error) {
	if err == nil {
		err = a.raw("]}\n")
	}
	if err == nil {
		err = a.flush()
	}
	if err != nil {
		h.logger.Debug("dashboard: logs answer cut", "remote", r.RemoteAddr, "err", err)
	}
}

// raw writes s as it is.
func (a *answer) raw(s string) error {
	_, err := a.w.WriteString(s)
	return err
}

// line writes l, an element of the array of lines.
func (a *answer) line(l overseer.Line) error {
	if a.n > 0 {
		if err := a.w.WriteByte(','); err != nil {
			return err
		}
	}
	a.n++
	return a.enc.Encode(toJSONLine(l)) // a newline after each: whitespace in JSON
}

// flush writes what is buffered.
func (a *answer) flush() error { return a.w.Flush() }

// deadlineWriter writes to a ResponseWriter, each write within timeout,
// and all of them before end.
type deadlineWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	end     time.Time
}

// deadline is the deadline of a write that starts at now.
func (d *deadlineWriter) deadline(now time.Time) time.Time {
	if t := now.Add(d.timeout); t.Before(d.end) {
		return t
	}
	return d.end
}

func (d *deadlineWriter) Write(b []byte) (int, error) {
	err := d.rc.SetWriteDeadline(d.deadline(time.Now()))
	if err != nil && !errors.Is(err, http.ErrNotSupported) { // a recorder in tests has none
		return 0, err
	}
	return d.w.Write(b)
}
