package probe

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// TestHTTPPassesAfterUnavailable: a server that answers 503 to the first
// requests; the probe passes on the first 200, and every try made a
// connection of its own.
func TestHTTPPassesAfterUnavailable(t *testing.T) {
	const unavailable = 3
	var requests, conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) <= unavailable {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	var results []error
	p := &HTTP{URL: srv.URL + "/healthz", Period: 5 * time.Millisecond, tried: func(err error) { results = append(results, err) }}
	require.NoError(t, p.Ready(context.Background(), nil))
	assert.EqualValues(t, unavailable+1, requests.Load())
	assert.EqualValues(t, unavailable+1, conns.Load(), "connections: one per try, none kept alive")
	require.Len(t, results, unavailable+1)
	assert.ErrorContains(t, results[0], "503")
}

// TestHTTPRedirectIsNotReady: 3xx is a failed try, even to a page that
// answers 200.
func TestHTTPRedirectIsNotReady(t *testing.T) {
	var okServed atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { okServed.Store(true) })
	mux.Handle("/", http.RedirectHandler("/ok", http.StatusFound))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := (&HTTP{URL: srv.URL + "/", Period: 10 * time.Millisecond}).Ready(ctx, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "probe: http "+srv.URL)
	assert.Contains(t, err.Error(), "last try: status 302")
	assert.Contains(t, err.Error(), "/ok")
	assert.False(t, okServed.Load(), "the redirect was followed")
}

// TestHTTPClient: a Client given is used (here, one that trusts the TLS
// test server).
func TestHTTPClient(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes that fail
	srv.StartTLS()
	defer srv.Close()
	require.NoError(t, (&HTTP{URL: srv.URL, Client: srv.Client()}).Ready(context.Background(), nil))
	srv.Client().CloseIdleConnections()

	// Without it, the test server's certificate is not trusted: the
	// first try fails (the test then gives up).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A long Timeout: a handshake under -race on a loaded machine can take
	// more than the default second, and the try must end in its own error.
	err := (&HTTP{URL: srv.URL, Timeout: time.Minute, tried: func(error) { cancel() }}).Ready(ctx, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "certificate")
}

// TestHTTPHangingServer: a server that never answers fails each try at
// Timeout.
func TestHTTPHangingServer(t *testing.T) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	defer wg.Wait()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	tries := 0
	err := (&HTTP{URL: srv.URL, Period: time.Millisecond, Timeout: 20 * time.Millisecond, tried: func(error) { tries++ }}).Ready(ctx, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Greater(t, tries, 1)
	assert.Contains(t, err.Error(), "timed out after 20ms")
}

// TestHTTPRedactsPassword: the error of a probe does not show the password
// of its URL.
func TestHTTPRedactsPassword(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://user:secret@", 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := (&HTTP{URL: u, tried: func(error) { cancel() }}).Ready(ctx, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "404")
	assert.NotContains(t, err.Error(), "secret")
}

func TestHTTPBadURL(t *testing.T) {
	for _, u := range []string{"", "://x", "ftp://example.com/", "localhost:8080", "127.0.0.1:8080/health", "http://", "http:///path", "http://host:port/", "http://[::1/"} {
		t.Run(u, func(t *testing.T) {
			start := time.Now()
			err := (&HTTP{URL: u}).Ready(context.Background(), nil)
			require.ErrorIs(t, err, overseer.ErrInvalid)
			assert.Contains(t, err.Error(), "probe: http: URL")
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, time.Since(start), time.Second, "not at once")
			assert.Empty(t, (&HTTP{URL: u}).ProbeAddr())
		})
	}
}

func TestHTTPProbeAddr(t *testing.T) {
	for _, c := range []struct{ url, addr string }{
		{"http://127.0.0.1:8080/healthz", "127.0.0.1:8080"},
		{"http://localhost/", "localhost:80"},
		{"https://localhost/", "localhost:443"},
		{"HTTPS://example.com", "example.com:443"},
		{"http://[::1]/", "[::1]:80"},
		{"https://[::1]:8443/x?y=z", "[::1]:8443"},
		{"http://user:pw@host:81/", "host:81"},
	} {
		t.Run(c.url, func(t *testing.T) {
			assert.Equal(t, c.addr, (&HTTP{URL: c.url}).ProbeAddr())
		})
	}
}
