package dashboard

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"

	"github.com/overseer-go/overseer"
)

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error string `json:"error"`
}

// writeJSON answers with status and v in JSON. v is encoded before anything
// is written, so that a value that cannot be encoded gets a 500.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		writeError(w, http.StatusInternalServerError, "dashboard: encoding the answer: "+err.Error())
		return err
	}
	header := w.Header()
	header.Set("Content-Type", "application/json; charset=utf-8")
	header.Set("Cache-Control", "no-store")
	header.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// writeError answers with status and {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(errorBody{Error: msg}) // a struct of one string: cannot fail
	header := w.Header()
	header.Set("Content-Type", "application/json; charset=utf-8")
	header.Set("Cache-Control", "no-store")
	header.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// statusOf is the status code that answers err, an error of the Overseer.
func statusOf(err error) int {
	switch {
	case errors.Is(err, overseer.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, overseer.ErrRunning), errors.Is(err, os.ErrProcessDone):
		return http.StatusConflict
	case errors.Is(err, overseer.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, errors.ErrUnsupported):
		return http.StatusNotImplemented
	default:
		return http.StatusInternalServerError
	}
}

// fail answers with err, an error of the Overseer, and its status code.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status >= http.StatusInternalServerError {
		h.logger.Warn("dashboard: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, status, err.Error())
}
