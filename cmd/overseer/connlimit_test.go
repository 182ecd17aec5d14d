//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// getOn sends GET path on c and returns the answer's status, its body
// read.
func getOn(c net.Conn, addr, path string) (int, error) {
	if err := c.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		return 0, err
	}
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, addr); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, fmt.Errorf("no answer: %w", err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	if err := resp.Body.Close(); err != nil {
		return 0, err
	}
	return resp.StatusCode, c.SetDeadline(time.Time{})
}

// mustGet is getOn that fails the test on an error.
func mustGet(t *testing.T, c net.Conn, addr, path string) int {
	t.Helper()
	status, err := getOn(c, addr, path)
	require.NoError(t, err)
	return status
}

// The attack: clients open connections to the dashboard, one unauthenticated
// GET each, and keep them. Past the cap they are refused with 503, and the
// command keeps the files it needs: its process goes on restarting. Without
// the cap, the connections took every file the command may open, and the
// next start of the process failed ("too many open files").
func TestDashboardFloodLeavesFiles(t *testing.T) {
	const limit, flood = 256, 300 // open files; connections, more than the limit
	file := writeFile(t, "overseer.yaml", fmt.Sprintf(`processes:
  ticker:
    command: %s out:tick pause:20 exit:0
    restart: always
    backoff: {min: 10ms, max: 10ms}
`, prog))
	// ulimit -n sets the soft and the hard limit: the runtime cannot raise it.
	cmd := exec.Command("/bin/sh", "-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, limit), bin, "-f", file, "-http", "127.0.0.1:0")
	p := startExec(t, cmd)
	line := p.waitLine("overseer: dashboard at ")
	addr, _, _ := strings.Cut(strings.TrimPrefix(line, "overseer: dashboard at http://"), "/")
	p.waitLine("ticker | tick")

	var kept []net.Conn
	defer func() {
		for _, c := range kept {
			_ = c.Close() // the test is over
		}
	}()
	refused := 0
	for i := range flood {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		status, err := getOn(c, addr, "/api/processes")
		require.NoError(t, err, "connection %d; the command's stderr: %s", i, p.stderrText())
		switch status {
		case http.StatusOK:
			kept = append(kept, c)
		case http.StatusServiceUnavailable:
			refused++
			require.NoError(t, c.Close())
		default:
			t.Fatalf("connection %d: status %d", i, status)
		}
	}
	t.Logf("%d connections kept, %d refused with 503 (open files: %d)", len(kept), refused, limit)
	assert.Equal(t, limit/4, len(kept), "the cap is a quarter of the open files")
	assert.Equal(t, flood-limit/4, refused)

	// The process goes on restarting while the connections are held.
	for drained := false; !drained; {
		select {
		case <-p.lines:
		default:
			drained = true
		}
	}
	for range 10 {
		p.waitLine("ticker | tick")
	}
	select {
	case <-p.waited:
		t.Fatalf("the command ended: %v; stderr: %s", p.err, p.stderrText())
	default:
	}
	assert.NotContains(t, p.stderrText(), "too many open files")
}

// A connection past the cap gets a 503 and is closed; one more is taken
// once one has gone.
func TestLimitListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(limitListen(ln, 2)) }()
	defer func() {
		require.NoError(t, srv.Close())
		<-served
	}()
	addr := ln.Addr().String()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() }) // closed twice for some: no matter
		return c
	}
	first, second := dial(), dial()
	assert.Equal(t, http.StatusOK, mustGet(t, first, addr, "/"))
	assert.Equal(t, http.StatusOK, mustGet(t, second, addr, "/"))
	third := dial()
	assert.Equal(t, http.StatusServiceUnavailable, mustGet(t, third, addr, "/"))
	n, err := third.Read(make([]byte, 1))
	assert.Equal(t, 0, n)
	assert.ErrorIs(t, err, io.EOF, "a refused connection is closed")
	require.NoError(t, third.Close())

	require.NoError(t, first.Close())
	// The server sees first closed when it reads it next: until then, one
	// more is refused.
	deadline := time.Now().Add(20 * time.Second)
	for {
		c := dial()
		if mustGet(t, c, addr, "/") == http.StatusOK {
			break
		}
		require.True(t, time.Now().Before(deadline), "no connection taken after one closed")
		time.Sleep(5 * time.Millisecond)
	}
}

// The server bounds every client: the time to send a request, to take an
// answer, between requests, and the size of a request's head.
func TestServerBounds(t *testing.T) {
	s := newHTTPServer(http.NotFoundHandler())
	assert.NotZero(t, s.ReadHeaderTimeout)
	assert.NotZero(t, s.ReadTimeout)
	assert.NotZero(t, s.WriteTimeout)
	assert.NotZero(t, s.IdleTimeout)
	assert.NotZero(t, s.MaxHeaderBytes)
}
