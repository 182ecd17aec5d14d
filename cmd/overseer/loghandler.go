//go:build unix

package main

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// logHandler is a slog.Handler that prints the records of the command's
// parts (the control socket, package watch, the dashboard) on the
// terminal, as its other lines: "web * watch: restarting: a file changed"
// for a record about a process (an "id" attribute), "overseer * ..." for
// the others. It prints Info and above.
type logHandler struct {
	t     *terminal
	attrs []slog.Attr
}

func newLogger(t *terminal) *slog.Logger {
	return slog.New(&logHandler{t: t})
}

func (h *logHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo
}

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	id := "overseer"
	var details []string
	add := func(a slog.Attr) bool {
		switch {
		case a.Key == "id":
			id = a.Value.String()
		case a.Key == "err":
			details = append(details, tidyError(id, a.Value.String()))
		case a.Value.String() != "":
			details = append(details, a.Key+"="+a.Value.String())
		}
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	msg := strings.TrimPrefix(r.Message, "overseer: ")
	if r.Level >= slog.LevelWarn {
		msg = strings.ToLower(r.Level.String()) + ": " + msg
	}
	if len(details) > 0 {
		msg += " (" + strings.Join(details, ", ") + ")"
	}
	at := r.Time
	if at.IsZero() {
		at = time.Now()
	}
	if _, known := h.t.codes[id]; !known && id != "overseer" {
		// Not a process of the file (a request for a name it lacks, say):
		// said by the command, the name among the details.
		msg += " (id=" + id + ")"
		id = "overseer"
	}
	h.t.printf(at, id, "*", "%s", msg)
	return nil
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logHandler{t: h.t, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

// WithGroup keeps the group's attributes flat: the terminal has no room for
// structure.
func (h *logHandler) WithGroup(string) slog.Handler { return h }

var _ slog.Handler = (*logHandler)(nil)
