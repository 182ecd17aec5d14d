package dashboard

import (
	"bufio"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/overseer-go/overseer"
)

// serveLogsText serves GET /api/processes/{id}/logs.txt: the lines the
// process keeps (Cmd.Lines), as a text file to save, one line of output a
// line, the Partial pieces of a line joined. A line still unfinished at
// the end ends the file as it is. The two streams come in the order their
// lines ended; a line a hook wrote begins with its name ("[pre_start] ").
// It is written as it is read, a page of lines at a time,
// within the same bounds as the logs answers (answer.go).
func (h *Handler) serveLogsText(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := h.o.Cmd(id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := newPager(c.Lines, c.Lines(0))
	header := w.Header()
	header.Set("Content-Type", "text/plain; charset=utf-8")
	header.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": id + ".log"}))
	header.Set("Cache-Control", "no-store")
	header.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	dw := &deadlineWriter{w: w, rc: http.NewResponseController(w), timeout: h.writeTimeout,
		end: time.Now().Add(answerTimeouts * h.writeTimeout)}
	bw := bufio.NewWriterSize(dw, answerBuffer)
	var j joiner
	for err == nil {
		l, ok := p.peek()
		if !ok {
			break
		}
		err = j.add(bw, l)
		p.next()
	}
	if err == nil {
		err = j.end(bw)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		h.logger.Debug("dashboard: logs.txt answer cut", "remote", r.RemoteAddr, "err", err)
	}
}

// joiner writes lines as text, joining the Partial pieces of a line: a
// piece waits, in the joiner, for the rest of its line (of its stream and
// run).
type joiner struct {
	open [2]struct { // of stdout and stderr
		b   strings.Builder // the pieces so far
		pid int             // of the run that wrote them
	}
}

// add writes l, or holds it if it is a Partial piece.
func (j *joiner) add(w *bufio.Writer, l overseer.Line) error {
	o := &j.open[0]
	if l.Stream == overseer.StreamStderr {
		o = &j.open[1]
	}
	if o.b.Len() > 0 && o.pid != l.PID {
		// The run ended in the middle of a line: it ends there.
		if err := writeLine(w, o.b.String()); err != nil {
			return err
		}
		o.b.Reset()
	}
	if l.Partial {
		if o.b.Len() == 0 && l.Hook != overseer.HookNone {
			o.b.WriteString("[" + l.Hook.String() + "] ")
		}
		o.b.WriteString(l.Text)
		o.pid = l.PID
		return nil
	}
	if o.b.Len() > 0 {
		if _, err := w.WriteString(o.b.String()); err != nil {
			return err
		}
		o.b.Reset()
	} else if l.Hook != overseer.HookNone {
		if _, err := w.WriteString("[" + l.Hook.String() + "] "); err != nil {
			return err
		}
	}
	if _, err := w.WriteString(l.Text); err != nil {
		return err
	}
	return w.WriteByte('\n')
}

// end writes the lines still unfinished.
func (j *joiner) end(w *bufio.Writer) error {
	for i := range j.open {
		if j.open[i].b.Len() == 0 {
			continue
		}
		if err := writeLine(w, j.open[i].b.String()); err != nil {
			return err
		}
		j.open[i].b.Reset()
	}
	return nil
}

// writeLine writes s and a newline.
func writeLine(w *bufio.Writer, s string) error {
	if _, err := w.WriteString(s); err != nil {
		return err
	}
	return w.WriteByte('\n')
}
