package dashboard

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The event stream's pace.
const (
	// defaultHeartbeat is how long a stream may stay quiet before a
	// comment line is sent, so that a dead client is found and proxies keep
	// the connection.
	defaultHeartbeat = 15 * time.Second
	// defaultWriteTimeout bounds each write to a client, of a stream or a
	// long answer: a client that reads nothing for that long is dropped.
	defaultWriteTimeout = 10 * time.Second
	// chunk and chunkBytes bound the messages a stream takes from the
	// buffer at a time (at least one): a stream stuck writing to its client
	// keeps them alive after the buffer has let them go.
	chunk      = 256
	chunkBytes = 64 << 10
	// retryMillis is the reconnection delay the stream asks clients for.
	retryMillis = 1000
)

// serveEvents serves GET /api/events, the event stream: a snapshot (or
// what a reconnecting client missed), then every event from the replay
// buffer, until the client goes, the buffer overtakes it (then a snapshot
// again), or Close.
func (h *Handler) serveEvents(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		return
	}
	rc := http.NewResponseController(w)
	st, err := h.streams.add(rc, h.maxStreams, h.writeTimeout)
	if err != nil {
		h.logger.Debug("dashboard: event stream refused", "remote", r.RemoteAddr, "err", err)
		w.Header().Set("Retry-After", "10")
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	defer h.streams.remove(st)

	after, resume := uint64(0), false
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		after, resume = h.replay.parseID(id)
	}
	header := w.Header()
	header.Set("Content-Type", "text/event-stream")
	header.Set("Cache-Control", "no-store")
	header.Set("X-Accel-Buffering", "no") // no buffering in nginx
	header.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	h.logger.Debug("dashboard: event stream opened", "remote", r.RemoteAddr, "resume", resume)
	defer h.logger.Debug("dashboard: event stream closed", "remote", r.RemoteAddr)

	// The headers and the retry delay go at once, so that the client knows
	// the stream is open even when it has nothing to catch up with.
	if err := st.write(w, []byte("retry: "+strconv.Itoa(retryMillis)+"\n\n")); err != nil {
		return
	}
	if err := st.flush(); err != nil {
		if errors.Is(err, http.ErrNotSupported) {
			h.logger.Warn("dashboard: the ResponseWriter cannot flush: no event stream (wrap it with an Unwrap method)")
		}
		return
	}
	idle := time.NewTimer(h.heartbeat)
	defer idle.Stop()
	for {
		msgs, last, ok, wake := h.replay.since(after, chunk, chunkBytes)
		var err error
		wrote := false
		switch {
		case !ok || !resume:
			// A new client, one too far behind, or one of another Handler.
			err = st.write(w, h.snapshot(last))
			after, resume, wrote = last, true, true
		case len(msgs) > 0:
			next := msgs[len(msgs)-1].id // before writeMessages lets go of msgs
			err = st.writeMessages(w, msgs)
			after, wrote = next, true
		}
		if err == nil && wrote {
			err = st.flush()
			idle.Reset(h.heartbeat)
		}
		if err != nil {
			h.logger.Debug("dashboard: event stream write failed", "remote", r.RemoteAddr, "err", err)
			return
		}
		if after < last {
			continue // more to send at once
		}
		select {
		case <-wake:
		case <-idle.C:
			if st.write(w, []byte(": ping\n\n")) != nil || st.flush() != nil {
				return
			}
			idle.Reset(h.heartbeat)
		case <-r.Context().Done():
			return
		case <-h.done:
			return
		}
	}
}

// snapshot renders a snapshot event covering the messages up to id last.
// The processes are read after last was, so the snapshot is at least as
// new as every event it covers.
func (h *Handler) snapshot(last uint64) []byte {
	procs := h.o.ToJSONAll()
	data, err := json.Marshal(snapshotData{Processes: procs, Warnings: h.warnings.of(procs)})
	if err != nil { // cannot happen for valid states; send an empty one
		h.logger.Warn("dashboard: cannot encode a snapshot", "err", err)
		data = []byte(`{"processes":[]}`)
	}
	return h.replay.snapshotFrame(last, data)
}

// stream is one event stream being served.
type stream struct {
	rc      *http.ResponseController
	timeout time.Duration // of each write

	mu     sync.Mutex
	closed bool // Close has cut the stream: no more deadlines are set
}

// write writes b to the client, within writeTimeout.
func (st *stream) write(w http.ResponseWriter, b []byte) error {
	if err := st.deadline(); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// writeMessages writes the frames of msgs to the client, each within the
// write timeout, and lets go of each once written.
func (st *stream) writeMessages(w http.ResponseWriter, msgs []message) error {
	for i := range msgs {
		if err := st.write(w, msgs[i].frame); err != nil {
			return err
		}
		msgs[i] = message{}
	}
	return nil
}

// flush sends what was written.
func (st *stream) flush() error {
	return st.rc.Flush()
}

// deadline sets the write deadline of the connection the write timeout
// from now, unless Close has cut the stream. A ResponseWriter without
// deadlines (a recorder in tests) is fine.
func (st *stream) deadline() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return errStreamClosed
	}
	if err := st.rc.SetWriteDeadline(time.Now().Add(st.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// cut makes the stream's writes fail now, a blocked one included.
func (st *stream) cut() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.closed = true
	_ = st.rc.SetWriteDeadline(time.Now()) // in the past: pending writes fail
}

// Why a stream is refused or ended.
var (
	errStreamClosed   = errors.New("dashboard: closed")
	errTooManyStreams = errors.New("dashboard: too many event streams (WithMaxStreams): try again later")
)

// streams are the event streams being served, so that Close can end them
// and wait for their handlers.
type streams struct {
	mu     sync.Mutex
	set    map[*stream]struct{}
	closed bool
	wg     sync.WaitGroup
}

// add registers a stream whose writes each take at most timeout, unless
// the streams are closed or most of them are open.
func (s *streams) add(rc *http.ResponseController, most int, timeout time.Duration) (*stream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errStreamClosed
	}
	if len(s.set) >= most {
		return nil, errTooManyStreams
	}
	if s.set == nil {
		s.set = make(map[*stream]struct{})
	}
	st := &stream{rc: rc, timeout: timeout}
	s.set[st] = struct{}{}
	s.wg.Add(1) // never after close's Wait has begun: closed is set first, under mu
	return st, nil
}

// remove unregisters a stream whose handler returns.
func (s *streams) remove(st *stream) {
	s.mu.Lock()
	delete(s.set, st)
	s.mu.Unlock()
	s.wg.Done()
}

// close refuses new streams, cuts the open ones and waits for their
// handlers to return. The handlers see the Handler's done channel closed
// and return; cutting them unblocks those stuck writing to a client.
func (s *streams) close() {
	s.mu.Lock()
	s.closed = true
	for st := range s.set {
		st.cut()
	}
	s.mu.Unlock()
	s.wg.Wait()
}
