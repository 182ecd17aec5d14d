package dashboard

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/overseer-go/overseer"
)

// maxSignalBody bounds the body of a signal request.
const maxSignalBody = 4 << 10

// signalBody is the JSON body of POST /api/processes/{id}/signal.
type signalBody struct {
	Signal string `json:"signal"`
}

func (h *Handler) serveSignal(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := h.o.Cmd(id); err != nil {
		h.fail(w, r, err)
		return
	}
	name, err := signalName(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	sig, err := overseer.ParseSignal(name)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	h.logger.Info("dashboard: signal", "id", id, "signal", sig, "remote", r.RemoteAddr)
	if err := h.o.Signal(id, sig); err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerProcess(w, r, id)
}

// signalName reads the name of the signal from the request: the JSON body
// {"signal": NAME} when the body is JSON (by its Content-Type, or because it
// starts with "{", as curl -d sends it), else the form value "signal" (of a
// form body or of the query).
func signalName(w http.ResponseWriter, r *http.Request) (string, error) {
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, maxSignalBody))
	r.Body = io.NopCloser(body)
	first, _ := body.Peek(1)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" || (len(first) == 1 && first[0] == '{') {
		var body signalBody
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return "", fmt.Errorf("dashboard: the body is not {\"signal\": NAME}: %w", err)
		}
		return body.Signal, nil
	}
	if err := r.ParseForm(); err != nil {
		return "", fmt.Errorf("dashboard: reading the form: %w", err)
	}
	return r.Form.Get("signal"), nil
}
