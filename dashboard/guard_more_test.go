package dashboard

import (
	"net/http"
	"testing"
)

// Guard puts what a host serves next to the dashboard behind its Host check.
func TestGuard(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o, WithLoopbackOnly())
	next := h.Guard(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("metrics")) }))
	if r := serve(t, next, request{method: http.MethodGet, path: "/metrics", header: map[string]string{"Host": "evil.example"}}); r.status != http.StatusForbidden {
		t.Errorf("Host evil.example: status %d, want 403", r.status)
	}
	if r := serve(t, next, request{method: http.MethodGet, path: "/metrics", header: map[string]string{"Host": "127.0.0.1:8080"}}); r.status != http.StatusOK || string(r.body) != "metrics" {
		t.Errorf("Host 127.0.0.1:8080: status %d, body %q", r.status, r.body)
	}
}

// A JSON body is read as JSON even without its Content-Type, as curl -d
// sends it.
func TestSignalJSONWithoutContentType(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "p", "sleep")
	if err := o.Start("p"); err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, o)
	r := serve(t, h, request{method: http.MethodPost, path: "/api/processes/p/signal", body: `{"signal":"CONT"}`,
		header: map[string]string{tokenHeader: h.Token(), "Content-Type": "application/x-www-form-urlencoded"}})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
}
