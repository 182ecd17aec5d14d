//go:build unix

package dashboard

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// sseEvent is one event of a stream as a client parses it; a comment is
// an event of type ":".
type sseEvent struct {
	id, typ, data string
}

// sseClient reads an event stream in a goroutine of its own, which ends
// with the test.
type sseClient struct {
	events chan sseEvent
	done   chan struct{} // closed when the stream has ended
}

// openStream opens the event stream of srv, resuming after lastID if it is
// not "".
func openStream(t *testing.T, srv *httptest.Server, lastID string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		resp.Body.Close()
		t.Fatalf("GET /api/events: %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	c := &sseClient{events: make(chan sseEvent, 1024), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 64<<20)
		var ev sseEvent
		emit := func(ev sseEvent) bool {
			select {
			case c.events <- ev:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, ":") {
				if !emit(sseEvent{typ: ":", data: line}) {
					return
				}
				continue
			}
			field, value, _ := strings.Cut(line, ": ")
			switch field {
			case "":
				if ev.typ != "" && !emit(ev) {
					return
				}
				ev = sseEvent{}
			case "id":
				ev.id = value
			case "event":
				ev.typ = value
			case "data":
				ev.data = value
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-c.done
	})
	return c
}

// next returns the next event that is not a comment.
func (c *sseClient) next(t *testing.T) sseEvent {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case ev := <-c.events:
			if ev.typ != ":" {
				return ev
			}
		case <-c.done:
			t.Fatal("the stream ended")
		case <-timeout:
			t.Fatalf("no event for %v", waitTimeout)
		}
	}
}

// until returns the events up to the first for which stop is true,
// included.
func (c *sseClient) until(t *testing.T, stop func(sseEvent) bool) []sseEvent {
	t.Helper()
	var evs []sseEvent
	for {
		ev := c.next(t)
		evs = append(evs, ev)
		if stop(ev) {
			return evs
		}
	}
}

// counter returns the counter of an event id.
func counter(t *testing.T, h *Handler, id string) uint64 {
	t.Helper()
	n, _, ok := h.replay.parseID(id)
	if !ok {
		t.Fatalf("event id %q is not one of this Handler's", id)
	}
	return n
}

// isState returns a test for the state event of process id to state to.
func isState(id string, to overseer.State) func(sseEvent) bool {
	return func(ev sseEvent) bool {
		if ev.typ != "state" {
			return false
		}
		var d stateData
		return json.Unmarshal([]byte(ev.data), &d) == nil && d.ID == id && d.To == to
	}
}

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestEventsSnapshotFirst(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "a", "sleep")
	addChild(t, o, "b", "sleep")
	h := newHandler(t, o)
	srv := newServer(t, h)
	ev := openStream(t, srv, "").next(t)
	if ev.typ != "snapshot" || ev.id != h.replay.tag+"-0" {
		t.Fatalf("first event %q id %q, want a snapshot, id %s-0", ev.typ, ev.id, h.replay.tag)
	}
	var d snapshotData
	if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Processes) != 2 || d.Processes[0].ID != "a" || d.Processes[1].State != overseer.StateInitial {
		t.Errorf("snapshot %s", ev.data)
	}
}

// TestEventsStatesAndLines: a run shows as its states and its lines, in
// order, with ids from one counter.
func TestEventsStatesAndLines(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "p", "out:hello", "err:oops", "out:bye", "exit:0")
	h := newHandler(t, o)
	c := openStream(t, newServer(t, h), "")
	snap := c.next(t)
	if err := o.Start("p"); err != nil {
		t.Fatal(err)
	}
	evs := c.until(t, isState("p", overseer.StateFinished))

	prev := counter(t, h, snap.id)
	var order []string
	stdout := []string{}
	lastSeq := uint64(0)
	for _, ev := range evs {
		// A change of state has the next id of the counter; lines carry
		// that of the last change before them, and the stream's places.
		want := prev + 1
		if ev.typ == "lines" {
			want = prev
		}
		if n := counter(t, h, ev.id); n != want {
			t.Errorf("%s event id %s after %d, want %d", ev.typ, ev.id, prev, want)
		}
		prev = counter(t, h, ev.id)
		switch ev.typ {
		case "state":
			var d stateData
			if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
				t.Fatal(err)
			}
			if d.Process == nil || d.Process.ID != "p" || d.Time.IsZero() {
				t.Errorf("state event %s: want the process in it", ev.data)
			}
			order = append(order, d.To.String())
		case "lines":
			var d linesData
			if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
				t.Fatal(err)
			}
			for _, l := range d.Lines {
				if l.Seq <= lastSeq {
					t.Errorf("line seq %d after %d", l.Seq, lastSeq)
				}
				lastSeq = l.Seq
				if l.Stream == overseer.StreamStdout {
					stdout = append(stdout, l.Text)
				}
			}
			if len(order) == 0 || order[len(order)-1] != "lines" {
				order = append(order, "lines")
			}
		default:
			t.Errorf("event %q", ev.typ)
		}
	}
	if got := strings.Join(order, " "); got != "starting running lines finished" {
		t.Errorf("events %q, want starting, running, its lines, finished", got)
	}
	if fmt.Sprint(stdout) != "[hello bye]" || lastSeq != 3 {
		t.Errorf("stdout %q, last seq %d; want hello, bye and 3 lines", stdout, lastSeq)
	}
}

// TestEventsManyLines: 20,000 lines, far more than the process keeps
// (100), arrive in Seq order in few events: each line shown, or counted
// among those missed just before a line (the rings let them go before the
// stream read them), and never both.
func TestEventsManyLines(t *testing.T) {
	o := newOverseer(t)
	c := addChild(t, o, "chatty", "lines:20000", "ready", "sleep")
	c.BufferLines = 100
	h := newHandler(t, o)
	cl := openStream(t, newServer(t, h), "")
	cl.next(t)
	if err := o.Start("chatty"); err != nil {
		t.Fatal(err)
	}
	var seq, shown, missed uint64
	batches := 0
	for seq < 20001 {
		ev := cl.next(t)
		if ev.typ != "lines" {
			continue
		}
		batches++
		var d linesData
		if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
			t.Fatal(err)
		}
		for _, l := range d.Lines {
			if l.Seq != seq+l.Missed+1 {
				t.Fatalf("seq %d after %d, %d missed between", l.Seq, seq, l.Missed)
			}
			seq = l.Seq
			shown++
			missed += l.Missed
		}
	}
	if batches > 200 {
		t.Errorf("20,001 lines in %d events, want them batched", batches)
	}
	t.Logf("20,001 lines in %d events: %d shown, %d missed", batches, shown, missed)
}

// transcript is what a client learns from events: each change of state
// and each line, and the lines counted as missed; not how they were cut
// into events.
func transcript(t *testing.T, evs []sseEvent) []string {
	t.Helper()
	var out []string
	for _, ev := range evs {
		switch ev.typ {
		case "state":
			var d stateData
			if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("state %s %s", d.ID, d.To))
		case "lines":
			var d linesData
			if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
				t.Fatal(err)
			}
			for _, l := range d.Lines {
				if l.Missed > 0 {
					out = append(out, fmt.Sprintf("missed %s %d", l.ID, l.Missed))
				}
				out = append(out, fmt.Sprintf("line %s %d %s", l.ID, l.Seq, l.Text))
			}
		default:
			out = append(out, ev.typ)
		}
	}
	return out
}

// TestEventsResume: a client that comes back with the id of the last event
// it saw gets what it missed, changes of state and lines, without
// duplicates.
func TestEventsResume(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "p", "out:a", "out:b", "exit:0")
	addChild(t, o, "q", "out:c", "exit:0")
	h := newHandler(t, o)
	srv := newServer(t, h)
	a := openStream(t, srv, "")
	snap := a.next(t)
	if err := o.Start("p"); err != nil {
		t.Fatal(err)
	}
	seen := a.until(t, isState("p", overseer.StateFinished))
	if len(seen) < 4 {
		t.Fatalf("%d events, want at least 4", len(seen))
	}
	want := transcript(t, seen)
	if fmt.Sprint(want) != "[state p starting state p running line p 1 a line p 2 b state p finished]" {
		t.Fatalf("the run: %q", want)
	}

	// From every event on, the snapshot included: what came after it,
	// whatever carried it.
	seen = append([]sseEvent{snap}, seen...)
	for i := range seen[:len(seen)-1] {
		b := openStream(t, srv, seen[i].id)
		last := seen[len(seen)-1].id
		got := transcript(t, b.until(t, func(ev sseEvent) bool { return ev.id == last }))
		if fmt.Sprint(got) != fmt.Sprint(transcript(t, seen[i+1:])) {
			t.Errorf("resumed after %s (%s): %q, want %q", seen[i].id, seen[i].typ, got, transcript(t, seen[i+1:]))
		}
	}

	// A resumed stream goes on, its ids from the same counter; the lines
	// of a process it had no place in come whole.
	b := openStream(t, srv, seen[len(seen)-1].id)
	if err := o.Start("q"); err != nil {
		t.Fatal(err)
	}
	rest := b.until(t, isState("q", overseer.StateFinished))
	if got := fmt.Sprint(transcript(t, rest)); got != "[state q starting state q running line q 1 c state q finished]" {
		t.Errorf("after the missed events: %s", got)
	}
	if n := counter(t, h, rest[0].id); n != counter(t, h, seen[len(seen)-1].id)+1 {
		t.Errorf("q starting: id %s, want the counter after %s", rest[0].id, seen[len(seen)-1].id)
	}
}

// TestEventsResumeMissed: a client that comes back after the rings let go
// of lines it did not get is told how many, before the next line.
func TestEventsResumeMissed(t *testing.T) {
	o := newOverseer(t)
	c := addChild(t, o, "p", "out:first", "lines:50", "exit:0")
	c.BufferLines = 10
	h := newHandler(t, o)
	srv := newServer(t, h)
	if err := o.Start("p"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "p", overseer.StateFinished)
	_, last, _, _ := h.replay.since(0, 0, 0)
	// The client had line 1; lines 2 to 51 were printed, the last 10 kept.
	b := openStream(t, srv, h.replay.id(last, positions{"p": 1}.encode([]string{"p"})))
	got := transcript(t, b.until(t, func(ev sseEvent) bool { return ev.typ == "lines" }))
	if len(got) < 2 || got[0] != "missed p 40" || got[1] != "line p 42 line-0000041" {
		t.Errorf("resumed: %q, want 40 lines missed, then line 42", got)
	}
}

// TestEventsResumeTooOld: a client whose last id the buffer no longer
// holds, or does not know, gets a snapshot and goes on from there.
func TestEventsResumeTooOld(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o, WithReplay(4))
	srv := newServer(t, h)
	for n := 1; n <= 10; n++ {
		h.replay.append("test", time.Time{}, []byte(fmt.Sprintf(`{"n":%d}`, n)))
	}
	tag := h.replay.tag
	for _, tc := range []struct {
		lastID string
		want   []string // type and id of the first events
	}{
		{tag + "-1", []string{"snapshot " + tag + "-10"}},
		{tag + "-5", []string{"snapshot " + tag + "-10"}},
		{tag + "-6", []string{"test " + tag + "-7", "test " + tag + "-8", "test " + tag + "-9", "test " + tag + "-10"}},
		{tag + "-9", []string{"test " + tag + "-10"}},
		{tag + "-99", []string{"snapshot " + tag + "-10"}},
		{"00000000-8", []string{"snapshot " + tag + "-10"}},
		{"garbage", []string{"snapshot " + tag + "-10"}},
	} {
		c := openStream(t, srv, tc.lastID)
		for _, want := range tc.want {
			if ev := c.next(t); ev.typ+" "+ev.id != want {
				t.Errorf("Last-Event-ID %q: got %s %s, want %s", tc.lastID, ev.typ, ev.id, want)
			}
		}
	}
	c := openStream(t, srv, tag+"-10")
	h.replay.append("test", time.Time{}, []byte(`{"n":11}`))
	if ev := c.next(t); ev.id != tag+"-11" {
		t.Errorf("up to date, then one more: got %s %s, want test %s-11", ev.typ, ev.id, tag)
	}
}

// gatedWriter is a ResponseWriter whose writes the test can hold up.
type gatedWriter struct {
	header  http.Header
	gate    sync.Mutex // held by the test to block writes
	waiting atomic.Int32
	mu      sync.Mutex
	buf     bytes.Buffer
}

func (w *gatedWriter) Header() http.Header { return w.header }
func (w *gatedWriter) WriteHeader(int)     {}
func (w *gatedWriter) Flush()              {}

func (w *gatedWriter) Write(b []byte) (int, error) {
	w.waiting.Add(1)
	w.gate.Lock()
	w.gate.Unlock() //nolint:staticcheck // an empty critical section: wait for the gate
	w.waiting.Add(-1)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(b)
}

// events returns "type id" of the events written so far.
func (w *gatedWriter) events() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	var typ, id string
	for _, line := range strings.Split(w.buf.String(), "\n") {
		switch field, value, _ := strings.Cut(line, ": "); field {
		case "id":
			id = value
		case "event":
			typ = value
		case "":
			if typ != "" {
				out = append(out, typ+" "+id)
			}
			typ, id = "", ""
		}
	}
	return out
}

// TestEventsSlowClient: a client that falls behind the buffer holds up no
// one and gets a snapshot when it comes back.
func TestEventsSlowClient(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o, WithReplay(8))
	tag := h.replay.tag
	slow, fast := &gatedWriter{header: http.Header{}}, &gatedWriter{header: http.Header{}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, w := range []*gatedWriter{slow, fast} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/events", nil).WithContext(ctx))
		}()
	}
	defer wg.Wait()
	defer cancel()
	has := func(w *gatedWriter, want string) func() bool {
		return func() bool {
			evs := w.events()
			return len(evs) > 0 && evs[len(evs)-1] == want
		}
	}
	testbuild.Eventually(t, func() bool { return has(slow, "snapshot "+tag+"-0")() && has(fast, "snapshot "+tag+"-0")() }, "the first snapshots")

	slow.gate.Lock()
	locked := true
	defer func() {
		if locked {
			slow.gate.Unlock()
		}
	}()
	h.replay.append("test", time.Time{}, []byte(`{"n":1}`))
	testbuild.Eventually(t, func() bool { return slow.waiting.Load() == 1 }, "the slow client to be stuck")
	testbuild.Eventually(t, has(fast, "test "+tag+"-1"), "the fast client to get it")
	for n := 2; n <= 20; n++ { // at the fast client's pace
		h.replay.append("test", time.Time{}, []byte(fmt.Sprintf(`{"n":%d}`, n)))
		testbuild.Eventually(t, has(fast, fmt.Sprintf("test %s-%d", tag, n)), "the fast client to get it")
	}
	slow.gate.Unlock()
	locked = false
	testbuild.Eventually(t, has(slow, "snapshot "+tag+"-20"), "the slow client's snapshot")
	h.replay.append("test", time.Time{}, []byte(`{"n":21}`))
	testbuild.Eventually(t, has(slow, "test "+tag+"-21"), "the slow client to go on")
	testbuild.Eventually(t, has(fast, "test "+tag+"-21"), "the fast client to get it") // in a goroutine of its own

	want := []string{"snapshot " + tag + "-0", "test " + tag + "-1", "snapshot " + tag + "-20", "test " + tag + "-21"}
	if got := slow.events(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("slow client got %q, want %q", got, want)
	}
	if got := fast.events(); len(got) != 22 {
		t.Errorf("fast client got %d events, want 22: %q", len(got), got)
	}
}

func TestEventsHeartbeat(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	h.heartbeat = 20 * time.Millisecond
	c := openStream(t, newServer(t, h), "")
	timeout := time.After(waitTimeout)
	for pings := 0; pings < 2; {
		select {
		case ev := <-c.events:
			if ev.typ == ":" {
				pings++
			}
		case <-timeout:
			t.Fatal("no heartbeat")
		}
	}
}

// TestEventsClientGone: the handler of a stream returns when its client
// goes.
func TestEventsClientGone(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	srv := newServer(t, h)
	streams := func() int {
		h.streams.mu.Lock()
		defer h.streams.mu.Unlock()
		return len(h.streams.set)
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/events", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	testbuild.Eventually(t, func() bool { return streams() == 1 }, "the stream")
	cancel()
	resp.Body.Close()
	testbuild.Eventually(t, func() bool { return streams() == 0 }, "the handler to return")
}

// TestCloseEndsStreams: Close ends every stream and its goroutine; the
// event stream is refused afterwards, the API still answers.
func TestCloseEndsStreams(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "p", "sleep")
	h := New(o)
	srv := newServer(t, h)
	var clients []*sseClient
	for range 3 {
		c := openStream(t, srv, "")
		c.next(t)
		clients = append(clients, c)
	}
	closed := make(chan struct{})
	go func() {
		h.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(waitTimeout):
		t.Fatal("Close did not return")
	}
	for i, c := range clients {
		select {
		case <-c.done:
		case <-time.After(waitTimeout):
			t.Fatalf("stream %d still open after Close", i)
		}
	}
	h.Close() // again: nothing
	if r := get(t, h, "/api/events"); r.status != http.StatusServiceUnavailable {
		t.Errorf("events after Close: %d, want 503", r.status)
	}
	if r := get(t, h, "/api/processes"); r.status != http.StatusOK {
		t.Errorf("API after Close: %d, want 200", r.status)
	}
	// The Overseer's subscriptions are gone: a change reaches no one.
	if err := o.Start("p"); err != nil {
		t.Fatal(err)
	}
	if _, last, _, _ := h.replay.since(0, 0, 0); last != 0 {
		t.Errorf("%d events after Close, want none", last)
	}
}

// TestCloseCutsStuckClient: Close does not wait for a client that reads
// nothing while the stream is blocked writing to it.
func TestCloseCutsStuckClient(t *testing.T) {
	o := newOverseer(t)
	h := New(o)
	h.writeTimeout = time.Hour
	srv := newServer(t, h)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "GET /api/events HTTP/1.1\r\nHost: %s\r\n\r\n", srv.Listener.Addr()); err != nil {
		t.Fatal(err)
	}
	testbuild.Eventually(t, func() bool {
		h.streams.mu.Lock()
		defer h.streams.mu.Unlock()
		return len(h.streams.set) == 1
	}, "the stream")
	big := []byte(`"` + strings.Repeat("x", 1<<20) + `"`)
	// Far more than the socket buffers hold; again if the snapshot, read
	// after them, covered them.
	testbuild.Eventually(t, func() bool {
		if stuckWriting("dashboard.(*Handler).serveEvents") == 1 {
			return true
		}
		for range 64 {
			h.replay.append("test", time.Time{}, big)
		}
		return false
	}, "the stream to be stuck")
	closed := make(chan struct{})
	go func() {
		h.Close()
		close(closed)
	}()
	select { // without the cut, Close would wait for the write timeout: an hour
	case <-closed:
	case <-time.After(waitTimeout):
		t.Fatal("Close waits for a stuck client")
	}
}

// TestCloseConcurrent: Close called from many goroutines at once returns in
// each, and each finds the handler closed when it returns: the event stream
// refused, the open stream ended, the Overseer's changes no longer followed.
func TestCloseConcurrent(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "p", "sleep")
	h := New(o)
	c := openStream(t, newServer(t, h), "")
	c.next(t)
	const closers = 8
	var wg sync.WaitGroup
	var returned atomic.Int32
	for range closers {
		wg.Go(func() {
			h.Close()
			returned.Add(1)
			if r := get(t, h, "/api/events"); r.status != http.StatusServiceUnavailable {
				t.Errorf("events after a Close returned: %d, want 503", r.status)
			}
		})
	}
	all := make(chan struct{})
	go func() {
		wg.Wait()
		close(all)
	}()
	select {
	case <-all:
	case <-time.After(waitTimeout):
		t.Fatalf("%d of %d concurrent Close calls returned", returned.Load(), closers)
	}
	select {
	case <-c.done:
	case <-time.After(waitTimeout):
		t.Fatal("the stream is still open after Close")
	}
	if err := o.Start("p"); err != nil {
		t.Fatal(err)
	}
	if _, last, _, _ := h.replay.since(0, 0, 0); last != 0 {
		t.Errorf("%d events after Close, want none", last)
	}
}

func TestEventsHead(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	r := serve(t, h, request{method: http.MethodHead, path: "/api/events"})
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/event-stream" || len(r.body) != 0 {
		t.Errorf("HEAD /api/events: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
}

// TestEventsMissedBetween: the two streams of a process have rings of
// their own, so lines may go missing between lines still kept; the count
// of missed lines is put where they went missing, before the next line
// given, so that the page shows the gap at its place.
func TestEventsMissedBetween(t *testing.T) {
	o := newOverseer(t)
	// Stderr keeps its one line; stdout keeps the last 10 of 50.
	c := addChild(t, o, "p", "err:E1", "sleepms:300", "lines:50", "exit:0")
	c.BufferLines = 10
	h := newHandler(t, o)
	srv := newServer(t, h)
	if err := o.Start("p"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "p", overseer.StateFinished)
	// What the client is to be told: each line kept, after the count of
	// those missed before it (the gap in Seq).
	var want []string
	inner, prev := false, uint64(0)
	for i, l := range c.Lines(0) {
		if l.Seq > prev+1 {
			want = append(want, fmt.Sprintf("missed p %d", l.Seq-prev-1))
			inner = inner || i > 0
		}
		want = append(want, fmt.Sprintf("line p %d %s", l.Seq, l.Text))
		prev = l.Seq
	}
	if !inner {
		// E1 was read after stdout's lines went, 300 ms after it was written.
		t.Fatalf("kept %q: no gap between lines kept, nothing to test", want)
	}
	_, last, _, _ := h.replay.since(0, 0, 0)
	// A client that had nothing of p.
	b := openStream(t, srv, h.replay.id(last, positions{"p": 0}.encode([]string{"p"})))
	var got []string
	for len(got) < len(want) {
		got = append(got, transcript(t, []sseEvent{b.next(t)})...)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("resumed: %q, want %q", got, want)
	}
}
