package dashboard

import (
	"context"
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
// what a reconnecting client missed), then every change of state from the
// replay buffer and the lines its LogReader reads (lines.go), until the
// client goes, the buffer overtakes it (then a snapshot again), or Close.
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

	var es eventStream
	es.h, es.w, es.st = h, w, st
	var had positions
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		es.after, had, es.resume = h.replay.parseID(id)
	}
	// The reader begins before the snapshot: a line printed after the
	// snapshot is read is in the stream.
	es.f = newLineFeed(h.o, es.resume, had)
	defer es.f.close()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(h.life, cancel)()

	header := w.Header()
	header.Set("Content-Type", "text/event-stream")
	header.Set("Cache-Control", "no-store")
	header.Set("X-Accel-Buffering", "no") // no buffering in nginx
	header.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	h.logger.Debug("dashboard: event stream opened", "remote", r.RemoteAddr, "resume", es.resume)
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
	if err := es.run(ctx); err != nil && ctx.Err() == nil {
		h.logger.Debug("dashboard: event stream write failed", "remote", r.RemoteAddr, "err", err)
	}
}

// eventStream is the state of one event stream being served.
type eventStream struct {
	h      *Handler
	w      http.ResponseWriter
	st     *stream
	f      *lineFeed
	after  uint64 // the last message of the replay buffer sent
	resume bool   // false until a snapshot is sent, unless resumed
}

// run writes the stream until ctx is done or a write fails.
func (es *eventStream) run(ctx context.Context) error {
	h := es.h
	lastWrite := time.Now()
	var paceUntil time.Time // no lines read before, unless a change of state comes
	for {
		msgs, last, ok, wake := h.replay.since(es.after, chunk, chunkBytes)
		wrote := false
		var err error
		switch {
		case !ok || !es.resume:
			// A new client, one too far behind, or one of another Handler.
			err = es.st.write(es.w, es.snapshot(last))
			es.after, es.resume, wrote = last, true, true
		case len(msgs) > 0:
			err = es.states(msgs)
			wrote = true
		}
		if err == nil && wrote {
			err = es.st.flush()
			lastWrite = time.Now()
		}
		if err != nil {
			return err
		}
		if wrote || es.after < last {
			continue // more changes of state to send at once
		}
		if now := time.Now(); now.Before(paceUntil) {
			pace := time.NewTimer(paceUntil.Sub(now))
			select {
			case <-pace.C:
			case <-wake:
			case <-ctx.Done():
			}
			pace.Stop()
			if ctx.Err() != nil {
				return nil
			}
			continue
		}
		if !es.f.fill(batchLines) && !es.f.wait(ctx, wake, lastWrite.Add(h.heartbeat)) {
			switch {
			case ctx.Err() != nil:
				return nil
			case !time.Now().Before(lastWrite.Add(h.heartbeat)):
				if err := es.st.write(es.w, []byte(": ping\n\n")); err != nil {
					return err
				}
				if err := es.st.flush(); err != nil {
					return err
				}
				lastWrite = time.Now()
			}
			continue // woken by a change of state, or after a ping
		}
		// Lines read: any changes of state that came meanwhile go among
		// them first.
		if _, last, _, _ := h.replay.since(es.after, 0, 0); last > es.after {
			continue
		}
		small := len(es.f.held) < smallBatch
		if err := es.f.events(es.f.held, es.idOf(es.after), es.write); err != nil {
			return err
		}
		es.f.drop()
		if err := es.st.flush(); err != nil {
			return err
		}
		lastWrite = time.Now()
		paceUntil = time.Time{}
		if small {
			paceUntil = lastWrite.Add(batchDelay)
		}
	}
}

// states writes msgs, changes of state, each after the lines read before
// it and before those read after it: the last lines of a run come before
// the state that ends it, the first lines of a run after the state that
// starts it. The lines of each process keep their Seq order.
func (es *eventStream) states(msgs []message) error {
	es.f.fill(holdLines) // what has been read so far
	for i := range msgs {
		m := &msgs[i]
		if k := es.f.before(m.at); k > 0 {
			if err := es.f.events(es.f.held[:k], es.idOf(es.after), es.write); err != nil {
				return err
			}
		}
		es.f.keepLater()
		if err := es.st.write(es.w, []byte("id: "+es.h.replay.id(m.id, es.f.posText)+"\n")); err != nil {
			return err
		}
		if err := es.st.write(es.w, m.body); err != nil {
			return err
		}
		es.after = m.id
		*m = message{} // let go of it once written
	}
	return nil
}

// idOf returns the function that gives the id of a lines event after
// message n of the replay buffer, for the places given.
func (es *eventStream) idOf(n uint64) func(pos string) string {
	return func(pos string) string { return es.h.replay.id(n, pos) }
}

// write writes b to the client.
func (es *eventStream) write(b []byte) error { return es.st.write(es.w, b) }

// snapshot renders a snapshot event covering the messages up to id last.
// The processes are read after last was, so the snapshot is at least as
// new as every event it covers.
func (es *eventStream) snapshot(last uint64) []byte {
	h := es.h
	procs := h.o.ToJSONAll()
	data, err := json.Marshal(snapshotData{Processes: procs, Warnings: h.warnings.of(procs)})
	if err != nil { // cannot happen for valid states; send an empty one
		h.logger.Warn("dashboard: cannot encode a snapshot", "err", err)
		data = []byte(`{"processes":[]}`)
	}
	return append([]byte("id: "+h.replay.id(last, es.f.posText)+"\n"), body("snapshot", data)...)
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
