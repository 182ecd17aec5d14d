package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"syscall"
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
	sig, err := parseSignal(name)
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
// {"signal": NAME} when the body is JSON, else the form value "signal" (of
// a form body or of the query).
func signalName(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignalBody)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
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

// parseSignal returns the signal named name: a name such as SIGTERM, in
// any case, with or without "SIG". Numbers are refused: they differ between
// systems.
func parseSignal(name string) (syscall.Signal, error) {
	s := strings.ToUpper(strings.TrimSpace(name))
	switch {
	case s == "":
		return 0, errors.New("dashboard: no signal given (a name such as TERM, HUP, INT, KILL, USR1)")
	case strings.Trim(s, "+-0123456789") == "":
		return 0, fmt.Errorf("dashboard: signal %s: give a name such as TERM, not a number", quote(name))
	}
	if !strings.HasPrefix(s, "SIG") {
		s = "SIG" + s
	}
	sig := signalNum(s)
	if sig == 0 {
		return 0, fmt.Errorf("dashboard: unknown signal %s (a name such as TERM, HUP, INT, KILL, USR1)", quote(name))
	}
	return sig, nil
}
