//go:build unix

package dashboard

import (
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/overseer-go/overseer"
)

func TestToken(t *testing.T) {
	o := newOverseer(t)
	a, b := newHandler(t, o), newHandler(t, o)
	for _, tok := range []string{a.Token(), b.Token()} {
		if raw, err := hex.DecodeString(tok); err != nil || len(raw) != 16 {
			t.Errorf("token %q, want 128 bits in hex", tok)
		}
	}
	if a.Token() == b.Token() {
		t.Errorf("two Handlers have the same token %q", a.Token())
	}
	if got := newHandler(t, o, WithToken("s3cret")).Token(); got != "s3cret" {
		t.Errorf("WithToken: token %q", got)
	}
	if got := newHandler(t, o, WithToken("")).Token(); len(got) != 32 {
		t.Errorf("WithToken(\"\"): token %q, want a random one", got)
	}
}

// TestTokenRequired: every mutating request without the right token gets
// 403 and changes nothing.
func TestTokenRequired(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o, WithToken("right-token"))
	addChild(t, o, "idle", "sleep")
	addChild(t, o, "busy", "ready", "sleep")
	if err := o.Start("busy"); err != nil {
		t.Fatal(err)
	}
	busy, _ := o.Status("busy")

	for _, token := range []string{"", "wrong-token", "right-toke", "right-token2", "RIGHT-TOKEN", " right-token"} {
		for _, path := range []string{
			"/api/processes/idle/start", "/api/processes/idle/restart",
			"/api/processes/busy/stop", "/api/processes/busy/restart",
			"/api/processes/busy/signal?signal=KILL", "/api/processes/nope/start",
		} {
			req := request{method: http.MethodPost, path: path, header: map[string]string{}}
			if token != "" {
				req.header[tokenHeader] = token
			}
			r := serve(t, h, req)
			if r.status != http.StatusForbidden {
				t.Errorf("token %q, POST %s: %d, want 403", token, path, r.status)
				continue
			}
			r.errorText(t)
		}
	}
	// The token is never taken from the query or a form.
	r := serve(t, h, request{method: http.MethodPost, path: "/api/processes/idle/start?token=right-token&" + tokenHeader + "=right-token",
		body: tokenHeader + "=right-token", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	if r.status != http.StatusForbidden {
		t.Errorf("token in query and form: %d, want 403", r.status)
	}

	if st, _ := o.Status("idle"); st.State != overseer.StateInitial {
		t.Errorf("idle is %v, want initial", st.State)
	}
	if st, _ := o.Status("busy"); st.State != overseer.StateRunning || st.PID != busy.PID || st.Restarts != 0 {
		t.Errorf("busy: %v pid %d restarts %d, want the same run going on", st.State, st.PID, st.Restarts)
	}

	r = serve(t, h, request{method: http.MethodPost, path: "/api/processes/idle/start", header: map[string]string{tokenHeader: "right-token"}})
	if r.status != http.StatusOK {
		t.Errorf("with the token: %d %s, want 200", r.status, r.body)
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for _, host := range []string{
		"localhost", "localhost:8080", "LocalHost", "localhost.", "localhost.:80",
		"127.0.0.1", "127.0.0.1:80", "127.1.2.3:65535", "127.255.255.254",
		"[::1]", "[::1]:8080", "::1", "[::ffff:127.0.0.1]:9",
	} {
		if !isLoopbackHost(host) {
			t.Errorf("isLoopbackHost(%q) = false, want true", host)
		}
	}
	for _, host := range []string{
		"", "example.com", "example.com:8080", "localhost.example.com", "localhost.evil:80",
		"evil-localhost", "127.0.0.1.nip.io", "127.0.0.1.example.com:80", "128.0.0.1",
		"10.0.0.1", "0.0.0.0", "0.0.0.0:8080", "[::]:80", "[::2]", "192.168.1.10:8080",
		"[fe80::1%25lo]:80", "127.1", "2130706433", "0x7f000001", ":8080", "[::1", "localhost:80:80",
	} {
		if isLoopbackHost(host) {
			t.Errorf("isLoopbackHost(%q) = true, want false", host)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "x", "sleep")
	h := newHandler(t, o, WithLoopbackOnly())
	withHost := func(method, path, host string) response {
		return serve(t, h, request{method: method, path: path, header: map[string]string{"Host": host, tokenHeader: h.Token()}})
	}
	for _, host := range []string{"evil.example:8080", "192.168.1.10:8080", "0.0.0.0:8080", ""} {
		for _, path := range []string{"/", "/app.js", "/api/processes", "/api/processes/x", "/api/events"} {
			r := withHost(http.MethodGet, path, host)
			if r.status != http.StatusForbidden {
				t.Errorf("Host %q, GET %s: %d, want 403", host, path, r.status)
				continue
			}
			r.errorText(t)
			if strings.Contains(string(r.body), h.Token()) {
				t.Errorf("Host %q, GET %s: the token is in the answer", host, path)
			}
		}
		if r := withHost(http.MethodPost, "/api/processes/x/start", host); r.status != http.StatusForbidden {
			t.Errorf("Host %q, POST start with the token: %d, want 403", host, r.status)
		}
	}
	if st, _ := o.Status("x"); st.State != overseer.StateInitial {
		t.Errorf("x is %v, want initial", st.State)
	}
	for _, host := range []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080"} {
		if r := withHost(http.MethodGet, "/api/processes", host); r.status != http.StatusOK {
			t.Errorf("Host %q: %d, want 200", host, r.status)
		}
	}
}

// TestPageToken: the page carries the token only when the request passed
// the Host check of WithLoopbackOnly.
func TestPageToken(t *testing.T) {
	o := newOverseer(t)
	meta := func(token string) string { return `<meta name="overseer-token" content="` + token + `">` }

	loop := newHandler(t, o, WithLoopbackOnly(), WithToken(`a"b<c>`))
	r := serve(t, loop, request{method: http.MethodGet, path: "/", header: map[string]string{"Host": "127.0.0.1:8080"}})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), meta("a&#34;b&lt;c&gt;")) {
		t.Errorf("loopback page: %d, want the token, escaped, in the meta tag:\n%s", r.status, r.body)
	}

	open := newHandler(t, o)
	for _, host := range []string{"127.0.0.1:8080", "evil.example"} {
		r := serve(t, open, request{method: http.MethodGet, path: "/", header: map[string]string{"Host": host}})
		if r.status != http.StatusOK || !strings.Contains(string(r.body), meta("")) || strings.Contains(string(r.body), open.Token()) {
			t.Errorf("page without WithLoopbackOnly, Host %q: %d, want no token", host, r.status)
		}
	}
}

func TestPage(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	r := get(t, h, "/")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %d %q", r.status, r.header.Get("Content-Type"))
	}
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; script-src 'self'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "no-store",
	} {
		if got := r.header.Get(k); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	page := string(r.body)
	for _, ref := range []string{`src="app.js"`, `href="style.css"`} {
		if !strings.Contains(page, ref) {
			t.Errorf("the page does not refer to %s (relative, so that it can be mounted under a prefix)", ref)
		}
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Errorf("the page loads something from elsewhere")
	}

	for path, ct := range map[string]string{"/app.js": "text/javascript; charset=utf-8", "/style.css": "text/css; charset=utf-8"} {
		r := get(t, h, path)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != ct || len(r.body) == 0 {
			t.Errorf("GET %s: %d %q, %d bytes", path, r.status, r.header.Get("Content-Type"), len(r.body))
		}
	}
	js := string(get(t, h, "/app.js").body)
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "http://", "https://"} {
		if strings.Contains(js, bad) {
			t.Errorf("app.js uses %s: log text must only go in as text", bad)
		}
	}
}
