//go:build unix

package dashboard

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/overseer-go/overseer"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// childPath is the test child of the overseer package (../testdata/child),
// built once by TestMain without -race, so that it starts fast and exits
// at once.
var childPath string

// waitTimeout bounds every wait of the tests, far above what a passing test
// needs.
const waitTimeout = 20 * time.Second

func TestMain(m *testing.M) {
	testbuild.Main(m, testbuild.Program("../testdata/child", &childPath))
}

// newOverseer returns an Overseer whose processes are stopped at the end of
// the test.
func newOverseer(t *testing.T) *overseer.Overseer {
	t.Helper()
	o := overseer.NewOverseer()
	t.Cleanup(func() { o.StopAll() })
	return o
}

// addChild registers the test child under id, running ops, never
// restarted, stopped quickly.
func addChild(t *testing.T, o *overseer.Overseer, id string, ops ...string) *overseer.Cmd {
	t.Helper()
	c := overseer.NewCmd(childPath, ops...)
	c.Restart = overseer.RestartNever
	c.StopTimeout = 2 * time.Second
	if err := o.AddCmd(id, c); err != nil {
		t.Fatalf("AddCmd(%q): %v", id, err)
	}
	return c
}

// newHandler returns the dashboard of o, closed at the end of the test.
func newHandler(t *testing.T, o *overseer.Overseer, opts ...Option) *Handler {
	t.Helper()
	h := New(o, opts...)
	t.Cleanup(h.Close)
	return h
}

// response is what a request got.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v, failing the test if it cannot.
func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

// errorText returns the "error" of a JSON error body, failing the test if
// the body is not one.
func (r response) errorText(t *testing.T) string {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error with Content-Type %q, want JSON", ct)
	}
	var body map[string]any
	r.json(t, &body)
	msg, ok := body["error"].(string)
	if !ok || msg == "" || len(body) != 1 {
		t.Fatalf("error body %s, want {\"error\": \"...\"}", r.body)
	}
	return msg
}

// request is one request to serve.
type request struct {
	method string
	path   string
	body   string
	header map[string]string // also "Host"
}

// serve serves req with h, in the test's goroutine.
func serve(t *testing.T, h http.Handler, req request) response {
	t.Helper()
	var body io.Reader
	if req.body != "" {
		body = strings.NewReader(req.body)
	}
	r := httptest.NewRequest(req.method, req.path, body)
	for k, v := range req.header {
		if k == "Host" {
			r.Host = v
		} else {
			r.Header.Set(k, v)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return response{status: w.Code, header: w.Header(), body: bytes.Clone(w.Body.Bytes())}
}

// get serves a GET of path.
func get(t *testing.T, h http.Handler, path string) response {
	t.Helper()
	return serve(t, h, request{method: http.MethodGet, path: path})
}

// post serves a POST of path with the Handler's token.
func post(t *testing.T, h *Handler, path string) response {
	t.Helper()
	return serve(t, h, request{method: http.MethodPost, path: path, header: map[string]string{tokenHeader: h.Token()}})
}

// waitState waits until process id is in state want.
func waitState(t *testing.T, o *overseer.Overseer, id string, want overseer.State) overseer.Status {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		st, err := o.Status(id)
		if err != nil {
			t.Fatalf("Status(%q): %v", id, err)
		}
		if st.State == want {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %v after %v, want %v", id, st.State, waitTimeout, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitOutput waits until the stdout of process id has a line text.
func waitOutput(t *testing.T, o *overseer.Overseer, id, text string) {
	t.Helper()
	testbuild.Eventually(t, func() bool {
		st, err := o.Status(id)
		return err == nil && slices.Contains(st.Stdout, text)
	}, "%s to print %q", id, text)
}
