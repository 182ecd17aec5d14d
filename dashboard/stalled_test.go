//go:build unix

package dashboard

import (
	"bufio"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// Stalled clients: each asks for something long and reads nothing. The
// server and the clients have small socket buffers, so that a stalled
// answer is stuck in a write soon; the Handler's write timeout is an hour,
// so that no stuck write ends while the test waits, however slow the
// machine. What the Handler holds per stalled client is the growth of the
// heap, divided by their number.

// smallBuffers is a listener whose connections have small send buffers.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		err = c.(*net.TCPConn).SetWriteBuffer(4096)
	}
	return c, err
}

// stallServer serves h on a listener of small send buffers.
func stallServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// stall connects to srv with a small receive buffer and sends GET path,
// and reads nothing. The connection is closed at the end of the test.
func stall(t *testing.T, srv *httptest.Server, path string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := d.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, srv.Listener.Addr()); err != nil {
		t.Fatal(err)
	}
	return conn
}

// stuckWriting counts the goroutines in fn that wait for a write to
// their client to go on.
func stuckWriting(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) && strings.Contains(g, "internal/poll.(*pollDesc).waitWrite") {
			count++
		}
	}
	return count
}

// heap is the bytes of the live heap.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// perClient returns what the heap grew by from base, per client of n,
// and logs it.
func perClient(t *testing.T, what string, base uint64, n int) uint64 {
	t.Helper()
	now := heap()
	per := uint64(0)
	if now > base {
		per = (now - base) / uint64(n)
	}
	t.Logf("%s: %d stalled clients: heap %d KiB -> %d KiB, %d KiB per client", what, n, base>>10, now>>10, per>>10)
	return per
}

// Event streams whose clients read nothing, each stuck at another point:
// each holds a chunk of the buffer's messages, which the buffer lets go of
// as more come, so what it holds is its own. The chunk is small.
func TestStalledStreams(t *testing.T) {
	const clients, burst = 32, 64
	o := newOverseer(t)
	h := newHandler(t, o, WithReplay(burst))
	h.writeTimeout = time.Hour
	srv := stallServer(t, h)
	data := []byte(`"` + strings.Repeat("x", 16<<10) + `"`)
	send := func() {
		for range burst { // the buffer lets go of the last burst
			h.replay.append("test", time.Time{}, data)
		}
	}
	send()
	base := heap()
	for i := range clients {
		stall(t, srv, "/api/events")
		testbuild.Eventually(t, func() bool {
			h.streams.mu.Lock()
			defer h.streams.mu.Unlock()
			return len(h.streams.set) == i+1
		}, "the stream")
		// A burst sent before the stream has read the buffer for its
		// snapshot is covered by the snapshot: send again until it is stuck.
		testbuild.Eventually(t, func() bool {
			if stuckWriting("dashboard.(*Handler).serveEvents") == i+1 {
				return true
			}
			send()
			return false
		}, "the stream to be stuck")
	}
	if per := perClient(t, "event streams", base, clients); per > 256<<10 {
		t.Errorf("%d KiB per stalled event stream, want at most 256 KiB", per>>10)
	}
}

// Logs answers whose clients read nothing: each holds a page of lines and
// a buffer, not the answer.
func TestStalledLogs(t *testing.T) {
	const clients, lines, length = 16, 1000, 4000
	o := newOverseer(t)
	h := newHandler(t, o)
	h.writeTimeout = time.Hour
	ops := make([]string, 0, lines+1)
	for range lines {
		ops = append(ops, fmt.Sprintf("long:%d", length))
	}
	c := addChild(t, o, "big", append(ops, "exit:0")...)
	c.BufferLines = lines
	c.BufferBytes = lines * length
	if err := o.Start("big"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "big", overseer.StateFinished)
	if n := len(c.Lines(0)); n != lines {
		t.Fatalf("%d lines kept, want %d", n, lines)
	}
	srv := stallServer(t, h)
	for _, path := range []string{"/api/processes/big/logs", "/api/logs"} {
		base := heap()
		for i := range clients {
			stall(t, srv, path)
			testbuild.Eventually(t, func() bool {
				return stuckWriting("dashboard.(*Handler).serve") == i+1
			}, "the answer to be stuck")
		}
		if per := perClient(t, path, base, clients); per > 1<<20 {
			t.Errorf("%s: %d KiB per stalled answer, want at most 1 MiB (the answer is %d MiB)", path, per>>10, lines*length>>20)
		}
		srv.CloseClientConnections()
		testbuild.Eventually(t, func() bool { return stuckWriting("dashboard.(*Handler).serve") == 0 }, "the answers to end")
	}

	// A client that reads gets every line, in order, through the pages.
	for _, path := range []string{"/api/processes/big/logs", "/api/logs"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var body logsBody
		r := response{status: resp.StatusCode}
		sc := bufio.NewReader(resp.Body)
		var sb strings.Builder
		if _, err := sc.WriteTo(&sb); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		r.body = []byte(sb.String())
		r.json(t, &body)
		if len(body.Lines) != lines {
			t.Fatalf("%s: %d lines, want %d", path, len(body.Lines), lines)
		}
		for i, l := range body.Lines {
			if l.Seq != uint64(i+1) || len(l.Text) != length {
				t.Fatalf("%s: line %d: seq %d, %d bytes; want seq %d, %d bytes", path, i, l.Seq, len(l.Text), i+1, length)
			}
		}
	}
}

// The streams past WithMaxStreams are refused with 503, until one ends.
func TestMaxStreams(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o, WithMaxStreams(2))
	srv := newServer(t, h)
	open := func() int {
		return len(func() map[*stream]struct{} {
			h.streams.mu.Lock()
			defer h.streams.mu.Unlock()
			return maps.Clone(h.streams.set)
		}())
	}
	first := stall(t, srv, "/api/events")
	openStream(t, srv, "")
	testbuild.Eventually(t, func() bool { return open() == 2 }, "two streams")
	resp, err := srv.Client().Get(srv.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a third stream: %d, Retry-After %q; want 503 and a delay", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	first.Close()
	testbuild.Eventually(t, func() bool { return open() == 1 }, "the first stream to end")
	c := openStream(t, srv, "")
	if ev := c.next(t); ev.typ != "snapshot" {
		t.Errorf("a stream after one ended: %s, want a snapshot", ev.typ)
	}
}

// A stream outlives the server's ReadTimeout (which the command sets):
// net/http clears the read deadline once the request is read, so that it
// does not cancel the request's context. A guard, not an attack.
func TestStreamOutlivesReadTimeout(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	h.heartbeat = 20 * time.Millisecond
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout = 50 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	c := openStream(t, srv, "")
	// Ten heartbeats come at least 200 ms after the request: past the
	// ReadTimeout, whichever way the machine is loaded.
	for pings := 0; pings < 10; {
		select {
		case ev := <-c.events:
			if ev.typ == ":" {
				pings++
			}
		case <-c.done:
			t.Fatalf("the stream ended after %d heartbeats", pings)
		case <-time.After(waitTimeout):
			t.Fatal("no heartbeat")
		}
	}
}

// Event streams whose clients read nothing while a process prints far
// more than its rings keep, under WithLogBackpressure (as the command
// runs): the process runs to its end while they are stuck (their readers
// are Lossy, never waited for), and each holds a batch of lines at most,
// not what it could not send.
func TestStalledStreamLines(t *testing.T) {
	const clients, lines = 8, 200_000 // 20 MB of output
	o := overseer.NewOverseer(overseer.WithLogBackpressure())
	t.Cleanup(func() { o.StopAll() })
	h := newHandler(t, o)
	h.writeTimeout = time.Hour
	srv := stallServer(t, h)
	addChild(t, o, "fill", "fill:"+fmt.Sprint(lines), "exit:0")
	base := heap()
	for range clients {
		stall(t, srv, "/api/events")
	}
	testbuild.Eventually(t, func() bool {
		h.streams.mu.Lock()
		defer h.streams.mu.Unlock()
		return len(h.streams.set) == clients
	}, "the streams")
	if err := o.Start("fill"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "fill", overseer.StateFinished)
	testbuild.Eventually(t, func() bool { return stuckWriting("dashboard.(*Handler).serveEvents") == clients }, "the streams to be stuck")
	testbuild.Eventually(t, func() bool {
		p, err := o.ToJSON("fill")
		return err == nil && p.StdoutLines == lines
	}, "every line captured")
	// Each stuck stream holds what it is writing and the batch it read
	// (2,000 lines at most): some 600 KiB of text and JSON at worst.
	if per := perClient(t, "event streams of lines", base, clients); per > 1<<20 {
		t.Errorf("%d KiB per stalled event stream, want at most 1 MiB (%d MiB were printed)", per>>10, lines*100>>20)
	}
}
