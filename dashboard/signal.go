package dashboard

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/overseer-go/overseer"
)

// maxSignalBody bounds the body of a signal request.
const maxSignalBody = 4 << 10

// signalBody is the JSON body of POST /api/processes/{id}/signal.
type signalBody struct {
	Signal string `json:"signal"`
}

// Where a signal sent through the dashboard goes: the answer's "reached".
const (
	reachedGroup = "group"        // the whole process group of the run
	reachedMain  = "main process" // the run's main process alone
)

// signalAnswer is the answer of POST /api/processes/{id}/signal: the
// process as it is after the signal, the signal, and what it reached.
type signalAnswer struct {
	overseer.JSONProcess
	Signal  string `json:"signal"`  // its name, as "SIGHUP"
	Reached string `json:"reached"` // reachedGroup or reachedMain
}

// serveSignal serves POST /api/processes/{id}/signal. The signal is passed
// on as a supervisor does (Overseer.Forward): a signal that ends, suspends
// or resumes a process, or the process's StopSignal, to its whole process
// group; any other (HUP, USR1, USR2, WINCH...), which programs take as
// "reload" or "reopen your logs", to its main process alone, so that the
// workers of a server that reloads on SIGHUP do not die of it.
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
	sent, err := h.o.Forward(id, sig)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	reached := reachedMain
	if sent.Group {
		reached = reachedGroup
	}
	h.logger.Info("dashboard: signal", "id", id, "signal", sig, "reached", reached, "pid", sent.PID, "remote", r.RemoteAddr)
	p, err := h.o.ToJSON(id)
	if err != nil { // removed meanwhile
		h.fail(w, r, err)
		return
	}
	_ = writeJSON(w, http.StatusOK, signalAnswer{JSONProcess: p, Signal: canonicalSignal(name), Reached: reached})
}

// canonicalSignal spells a signal name that ParseSignal accepted as
// "SIGNAME".
func canonicalSignal(name string) string {
	s := strings.ToUpper(strings.TrimSpace(name))
	if !strings.HasPrefix(s, "SIG") {
		s = "SIG" + s
	}
	return s
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
