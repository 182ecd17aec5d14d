//go:build unix

package dashboard

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/overseer-go/overseer"
)

func TestListProcesses(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)

	r := get(t, h, "/api/processes")
	if r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != "[]" {
		t.Fatalf("no processes: %d %s, want 200 []", r.status, r.body)
	}

	addChild(t, o, "web", "ready", "sleep").Group = "front"
	addChild(t, o, "api", "sleep")
	if err := o.Start("web"); err != nil {
		t.Fatal(err)
	}
	r = get(t, h, "/api/processes")
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200", r.status)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var list []overseer.JSONProcess
	r.json(t, &list)
	if len(list) != 2 || list[0].ID != "api" || list[1].ID != "web" {
		t.Fatalf("list %+v, want api and web, sorted", list)
	}
	if list[0].State != overseer.StateInitial || list[1].State != overseer.StateRunning {
		t.Errorf("states %v, %v, want initial, running", list[0].State, list[1].State)
	}
	if list[1].Group != "front" || list[1].PID == 0 {
		t.Errorf("web: %+v, want group front and a pid", list[1])
	}
}

func TestGetProcess(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	addChild(t, o, "job", "out:hi", "exit:3")
	if err := o.Start("job"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "job", overseer.StateFinished)

	r := get(t, h, "/api/processes/job")
	if r.status != http.StatusOK {
		t.Fatalf("status %d %s, want 200", r.status, r.body)
	}
	var p overseer.JSONProcess
	r.json(t, &p)
	if p.ID != "job" || p.State != overseer.StateFinished || p.Exit != 3 || p.StdoutLines != 1 {
		t.Errorf("job: %+v, want finished, exit 3, one stdout line", p)
	}

	r = get(t, h, "/api/processes/nope")
	if r.status != http.StatusNotFound {
		t.Fatalf("unknown id: status %d, want 404", r.status)
	}
	if msg := r.errorText(t); !strings.Contains(msg, "not found") {
		t.Errorf("error %q, want it to say not found", msg)
	}
}

func TestLogs(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	c := addChild(t, o, "talk", "out:one", "err:two", "out:\\x1b[31mthree\\x1b[0m", "long:45", "exit:0")
	c.MaxLineBytes = 20
	if err := o.Start("talk"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "talk", overseer.StateFinished)

	r := get(t, h, "/api/processes/talk/logs")
	if r.status != http.StatusOK {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	var raw struct {
		ID    string           `json:"id"`
		Lines []map[string]any `json:"lines"`
	}
	r.json(t, &raw)
	if raw.ID != "talk" || len(raw.Lines) != 6 {
		t.Fatalf("logs %s, want 6 lines of talk", r.body)
	}
	for _, l := range raw.Lines {
		for _, field := range []string{"id", "stream", "seq", "time", "text", "partial"} {
			if _, ok := l[field]; !ok {
				t.Errorf("line %v has no %q", l, field)
			}
		}
	}
	var body logsBody
	r.json(t, &body)
	// Seq orders the lines of each stream; stdout and stderr are read
	// apart, so their interleaving may vary.
	type piece struct {
		text    string
		partial bool
	}
	got := map[overseer.Stream][]piece{}
	for i, l := range body.Lines {
		if l.ID != "talk" || l.Seq != uint64(i+1) || l.Time.IsZero() {
			t.Errorf("line %d: %+v, want id talk, seq %d, a time", i, l, i+1)
		}
		got[l.Stream] = append(got[l.Stream], piece{l.Text, l.Partial})
	}
	wantOut := []piece{{"one", false}, {"\x1b[31mthree\x1b[0m", false},
		{strings.Repeat("x", 20), true}, {strings.Repeat("x", 20), true}, {"xxxxx", false}}
	wantErr := []piece{{"two", false}}
	if fmt.Sprint(got[overseer.StreamStdout]) != fmt.Sprint(wantOut) || fmt.Sprint(got[overseer.StreamStderr]) != fmt.Sprint(wantErr) {
		t.Errorf("lines %v, want stdout %v and stderr %v", got, wantOut, wantErr)
	}

	for _, tc := range []struct {
		query string
		seqs  []uint64
	}{
		{"since=0", []uint64{1, 2, 3, 4, 5, 6}},
		{"since=4", []uint64{5, 6}},
		{"since=6", nil},
		{"since=99", nil},
		{"limit=2", []uint64{5, 6}},
		{"since=1&limit=1", []uint64{6}},
		{"since=1&limit=100", []uint64{2, 3, 4, 5, 6}},
	} {
		r := get(t, h, "/api/processes/talk/logs?"+tc.query)
		var body logsBody
		r.json(t, &body)
		var seqs []uint64
		for _, l := range body.Lines {
			seqs = append(seqs, l.Seq)
		}
		if r.status != http.StatusOK || fmt.Sprint(seqs) != fmt.Sprint(tc.seqs) {
			t.Errorf("?%s: %d, seqs %v, want 200, %v", tc.query, r.status, seqs, tc.seqs)
		}
		if body.Lines == nil {
			t.Errorf("?%s: lines is null, want []", tc.query)
		}
	}

	for _, query := range []string{"since=abc", "since=-1", "since=1.5", "since=99999999999999999999", "limit=0", "limit=-3", "limit=x"} {
		r := get(t, h, "/api/processes/talk/logs?"+query)
		if r.status != http.StatusBadRequest {
			t.Errorf("?%s: status %d, want 400", query, r.status)
			continue
		}
		r.errorText(t)
	}
	if r := get(t, h, "/api/processes/nope/logs"); r.status != http.StatusNotFound {
		t.Errorf("unknown id: status %d, want 404", r.status)
	}
}

func TestStartStopRestart(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	addChild(t, o, "svc", "ready", "sleep")

	var p overseer.JSONProcess
	r := post(t, h, "/api/processes/svc/start")
	if r.status != http.StatusOK {
		t.Fatalf("start: %d %s, want 200", r.status, r.body)
	}
	r.json(t, &p)
	if p.State != overseer.StateRunning || p.PID == 0 {
		t.Fatalf("after start: %+v, want running", p)
	}
	firstPID := p.PID

	r = post(t, h, "/api/processes/svc/start")
	if r.status != http.StatusConflict {
		t.Fatalf("start of a running process: %d %s, want 409", r.status, r.body)
	}
	if msg := r.errorText(t); !strings.Contains(msg, "running") {
		t.Errorf("error %q", msg)
	}

	r = post(t, h, "/api/processes/svc/restart")
	if r.status != http.StatusOK {
		t.Fatalf("restart: %d %s, want 200", r.status, r.body)
	}
	// Restart answers once the new run is running.
	r.json(t, &p)
	if p.State != overseer.StateRunning || p.Restarts != 1 || p.PID == firstPID || p.PID == 0 {
		t.Errorf("after restart: %+v, want running, 1 restart and a new pid", p)
	}

	r = post(t, h, "/api/processes/svc/stop")
	if r.status != http.StatusOK {
		t.Fatalf("stop: %d %s, want 200", r.status, r.body)
	}
	r.json(t, &p)
	if p.State != overseer.StateInterrupted {
		t.Fatalf("after stop: %v, want interrupted (Stop waits for the end)", p.State)
	}
	r = post(t, h, "/api/processes/svc/stop")
	if r.status != http.StatusOK {
		t.Errorf("stop of a stopped process: %d %s, want 200", r.status, r.body)
	}

	for _, action := range []string{"start", "stop", "restart", "signal"} {
		r := post(t, h, "/api/processes/nope/"+action)
		if r.status != http.StatusNotFound {
			t.Errorf("%s of an unknown id: %d, want 404", action, r.status)
			continue
		}
		r.errorText(t)
	}
}

func TestSignal(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	send := func(id, contentType, body, query string) response {
		t.Helper()
		header := map[string]string{tokenHeader: h.Token()}
		if contentType != "" {
			header["Content-Type"] = contentType
		}
		return serve(t, h, request{method: http.MethodPost, path: "/api/processes/" + id + "/signal" + query, body: body, header: header})
	}
	const form = "application/x-www-form-urlencoded"

	for _, tc := range []struct {
		name, contentType, body, query string
	}{
		{"JSON SIGTERM", "application/json", `{"signal":"SIGTERM"}`, ""},
		{"JSON with charset", "application/json; charset=utf-8", `{"signal": "term"}`, ""},
		{"form TERM", form, "signal=TERM", ""},
		{"query sigterm", "", "", "?signal=sigterm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := strings.ReplaceAll(tc.name, " ", "-")
			addChild(t, o, id, "trapterm:0:got-term", "ready", "sleep")
			if err := o.Start(id); err != nil {
				t.Fatal(err)
			}
			waitOutput(t, o, id, "ready") // the handler is in place
			r := send(id, tc.contentType, tc.body, tc.query)
			if r.status != http.StatusOK {
				t.Fatalf("%d %s, want 200", r.status, r.body)
			}
			var answer signalAnswer
			r.json(t, &answer)
			if answer.Signal != "SIGTERM" || answer.Reached != "group" {
				t.Errorf("answer %s, want signal SIGTERM, reached group", r.body)
			}
			waitState(t, o, id, overseer.StateFinished)
			st, _ := o.Status(id)
			if !strings.Contains(strings.Join(st.Stdout, "\n"), "got-term") {
				t.Errorf("stdout %q: the child did not get SIGTERM", st.Stdout)
			}
		})
	}

	addChild(t, o, "target", "ready", "sleep")
	if err := o.Start("target"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, contentType, body, query string
	}{
		{"no signal", form, "", ""},
		{"empty JSON", "application/json", `{}`, ""},
		{"bad JSON", "application/json", `{"signal":`, ""},
		{"JSON number", "application/json", `{"signal":15}`, ""},
		{"number", form, "signal=15", ""},
		{"negative number", form, "signal=-9", ""},
		{"unknown name", form, "signal=SIGNOPE", ""},
		{"too long a body", "application/json", `{"signal":"` + strings.Repeat("A", 10000) + `"}`, ""},
	} {
		r := send("target", tc.contentType, tc.body, tc.query)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", tc.name, r.status, r.body)
			continue
		}
		r.errorText(t)
	}
	if st, _ := o.Status("target"); st.State != overseer.StateRunning {
		t.Fatalf("target is %v after refused signals, want running", st.State)
	}

	// HUP kills the child (no handler): a signal sent is a failure. HUP
	// goes to the main process alone, TERM to the group.
	r := send("target", form, "signal=HUP", "")
	if r.status != http.StatusOK {
		t.Fatalf("HUP: %d %s, want 200", r.status, r.body)
	}
	var answer signalAnswer
	r.json(t, &answer)
	if answer.Signal != "SIGHUP" || answer.Reached != "main process" || answer.ID != "target" {
		t.Errorf("HUP: answer %s, want signal SIGHUP, reached main process", r.body)
	}
	waitState(t, o, "target", overseer.StateInterrupted)
	r = send("target", form, "signal=TERM", "")
	if r.status != http.StatusConflict {
		t.Fatalf("signal to a process that does not run: %d %s, want 409", r.status, r.body)
	}
	r.errorText(t)
}

func TestMethodNotAllowed(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	addChild(t, o, "x", "sleep")
	for _, tc := range []struct {
		method, path, allow string
	}{
		{http.MethodPost, "/api/processes", "GET, HEAD"},
		{http.MethodDelete, "/api/processes/x", "GET, HEAD"},
		{http.MethodPut, "/api/processes/x/logs", "GET, HEAD"},
		{http.MethodGet, "/api/processes/x/start", "POST"},
		{http.MethodGet, "/api/processes/x/stop", "POST"},
		{http.MethodGet, "/api/processes/x/restart", "POST"},
		{http.MethodPut, "/api/processes/x/signal", "POST"},
		{http.MethodPost, "/api/events", "GET, HEAD"},
		{http.MethodPost, "/api/logs", "GET, HEAD"},
		{http.MethodPost, "/", "GET, HEAD"},
		{http.MethodPost, "/app.js", "GET, HEAD"},
	} {
		r := serve(t, h, request{method: tc.method, path: tc.path, header: map[string]string{tokenHeader: h.Token()}})
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d, Allow %q, want 405, %q", tc.method, tc.path, r.status, r.header.Get("Allow"), tc.allow)
			continue
		}
		r.errorText(t)
	}
	if st, _ := o.Status("x"); st.State != overseer.StateInitial {
		t.Errorf("x is %v, want initial: a GET must change nothing", st.State)
	}
}

func TestUnknownPath(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	addChild(t, o, "x", "sleep")
	for _, req := range []request{
		{method: http.MethodGet, path: "/api"},
		{method: http.MethodGet, path: "/api/nope"},
		{method: http.MethodGet, path: "/nope.html"},
		{method: http.MethodGet, path: "/api/processes/x/frob"},
		{method: http.MethodPost, path: "/api/processes/x/frob", header: map[string]string{tokenHeader: h.Token()}},
	} {
		r := serve(t, h, req)
		if r.status != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", req.method, req.path, r.status)
			continue
		}
		r.errorText(t)
	}
}

func TestStatusOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("%w: x", overseer.ErrNotFound), http.StatusNotFound},
		{fmt.Errorf("%w: x", overseer.ErrRunning), http.StatusConflict},
		{fmt.Errorf("signal: %w", os.ErrProcessDone), http.StatusConflict},
		{fmt.Errorf("%w: bad", overseer.ErrInvalid), http.StatusBadRequest},
		{fmt.Errorf("start: %w", errors.ErrUnsupported), http.StatusNotImplemented},
		{errors.New("boom"), http.StatusInternalServerError},
	} {
		if got := statusOf(tc.err); got != tc.want {
			t.Errorf("statusOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestNilOverseer(t *testing.T) {
	h := New(nil)
	defer h.Close()
	for _, path := range []string{"/api/processes", "/api/events", "/"} {
		r := get(t, h, path)
		if r.status != http.StatusInternalServerError {
			t.Errorf("GET %s: %d, want 500", path, r.status)
			continue
		}
		r.errorText(t)
	}
	h.Close()
}

func TestLogger(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "svc", "sleep")
	var buf bytes.Buffer
	h := newHandler(t, o, WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	if r := post(t, h, "/api/processes/svc/start"); r.status != http.StatusOK {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	serve(t, h, request{method: http.MethodPost, path: "/api/processes/svc/stop"})
	logged := buf.String()
	if !strings.Contains(logged, "level=INFO msg=\"dashboard: start\" id=svc") ||
		!strings.Contains(logged, "level=WARN msg=\"dashboard: request refused: no valid token\"") {
		t.Errorf("logged:\n%s\nwant the start at Info and the refused stop at Warn", logged)
	}
}

// TestLogsKeepBytes checks that the API carries a line that is not UTF-8
// with its exact bytes, which overseer.Line decodes.
func TestLogsKeepBytes(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	const text = "caf\xe9 \xff\xfe end"
	addChild(t, o, "raw", `out:caf\xe9 \xff\xfe end`, "exit:0")
	if err := o.Start("raw"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "raw", overseer.StateFinished)
	for _, path := range []string{"/api/processes/raw/logs", "/api/logs"} {
		r := get(t, h, path)
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d %s", path, r.status, r.body)
		}
		var body struct {
			Lines []overseer.Line `json:"lines"`
		}
		r.json(t, &body)
		if len(body.Lines) != 1 || body.Lines[0].Text != text {
			t.Errorf("%s: %s, want one line %q", path, r.body, text)
		}
	}
}

// TestLogsMarkHooks checks that the API marks the lines a hook wrote, for
// the page to show them as the hook's, and that logs.txt names the hook.
func TestLogsMarkHooks(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	c := addChild(t, o, "web", "out:serving", "exit:0")
	c.PreStart = [][]string{{childPath, "out:migrating"}}
	if err := o.Start("web"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "web", overseer.StateFinished)
	for _, path := range []string{"/api/processes/web/logs", "/api/logs"} {
		r := get(t, h, path)
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d %s", path, r.status, r.body)
		}
		var body struct {
			Lines []overseer.Line `json:"lines"`
		}
		r.json(t, &body)
		if len(body.Lines) != 2 || body.Lines[0].Hook != overseer.HookPreStart || body.Lines[1].Hook != overseer.HookNone {
			t.Errorf("%s: %s, want the hook's line marked, then the program's", path, r.body)
		}
		if n := bytes.Count(r.body, []byte(`"hook":"pre_start"`)); n != 1 {
			t.Errorf("%s: %s: %d hook fields, want 1", path, r.body, n)
		}
	}
	if r := get(t, h, "/api/processes/web/logs.txt"); string(r.body) != "[pre_start] migrating\nserving\n" {
		t.Errorf("logs.txt: %q, want the hook's line marked", r.body)
	}
}
