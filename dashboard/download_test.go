//go:build unix

package dashboard

import (
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/overseer-go/overseer"
)

// TestLogsText: GET /api/processes/{id}/logs.txt saves the lines a process
// keeps as text, one line of output a line: the Partial pieces of a long
// line joined, a line its run left unfinished ended where the run ended.
func TestLogsText(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	// Pieces of 8 bytes. The two streams are read apart, so the line of
	// stderr may come before or after the long line of stdout (or between
	// its pieces): the lines are compared in any order, and the pieces stay
	// joined.
	addChild(t, o, "db", "out:connected", "out:slow query took 812ms", "err:oops", "out:bye", "exit:0").MaxLineBytes = 8
	// A prompt flushed Partial after 100 ms idle, its run ended there; the
	// next run's first line is a line of its own.
	p := addChild(t, o, "café", "raw:Password: ", "sleepms:400", "exit:0")
	for _, id := range []string{"db", "café"} {
		if err := o.Start(id); err != nil {
			t.Fatal(err)
		}
		waitState(t, o, id, overseer.StateFinished)
	}
	p.Args = []string{childPath, "out:next run", "raw:unfinished", "exit:0"}
	if err := o.Start("café"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "café", overseer.StateFinished)

	for _, tc := range []struct{ id, file, want string }{
		{"db", "db.log", "connected\nslow query took 812ms\noops\nbye\n"},
		{"café", "café.log", "Password: \nnext run\nunfinished\n"},
	} {
		r := get(t, h, "/api/processes/"+url.PathEscape(tc.id)+"/logs.txt")
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.id, r.status, r.body)
		}
		got, want := string(r.body), tc.want
		if tc.id == "db" {
			got, want = sortLines(got), sortLines(want)
		}
		if got != want {
			t.Errorf("%s: %q, want %q", tc.id, r.body, tc.want)
		}
		if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", tc.id, ct)
		}
		disp, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
		if err != nil || disp != "attachment" || params["filename"] != tc.file {
			t.Errorf("%s: Content-Disposition %q (%v), want an attachment named %s", tc.id, r.header.Get("Content-Disposition"), err, tc.file)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", tc.id)
		}
	}
	c, err := o.Cmd("db")
	if err != nil {
		t.Fatal(err)
	}
	pieces := 0
	for _, l := range c.Lines(0) {
		if l.Partial {
			pieces++
		}
	}
	if pieces < 2 {
		t.Fatalf("db's long line in %d Partial pieces, want several", pieces)
	}

	if r := get(t, h, "/api/processes/nope/logs.txt"); r.status != http.StatusNotFound {
		t.Errorf("an unknown process: %d, want 404", r.status)
	} else {
		r.errorText(t)
	}
	if r := post(t, h, "/api/processes/db/logs.txt"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", r.status)
	}
}

// sortLines returns the lines of s, each ended by a newline, sorted.
func sortLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	slices.Sort(lines)
	return strings.Join(lines, "")
}
