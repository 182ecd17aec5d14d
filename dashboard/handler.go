package dashboard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/overseer-go/overseer"
)

// Defaults of the options.
const (
	defaultReplay = 4096
	// defaultMaxStreams is how many event streams are served at once.
	defaultMaxStreams = 64
	// maxReplayBytes bounds the bytes the replay buffer holds: changes of
	// state only, a few hundred bytes each.
	maxReplayBytes = 4 << 20
)

// Handler is the dashboard of one Overseer: an http.Handler serving the JSON
// API, the event stream and the page (see the package doc). Make it with
// New and Close it when done. Its methods are safe for concurrent use.
type Handler struct {
	o            *overseer.Overseer
	token        string
	loopbackOnly bool
	logger       *slog.Logger
	replaySize   int

	mux    *http.ServeMux
	page   page
	replay *replay

	warnings warnings // the Event.Warnings told, for snapshots

	// history, when set (by tests), replaces Overseer.UsageHistory.
	history func(id string) ([]overseer.Usage, error)

	streams      streams       // the event streams being served
	maxStreams   int           // WithMaxStreams
	heartbeat    time.Duration // defaultHeartbeat; tests lower it
	writeTimeout time.Duration // defaultWriteTimeout; tests raise it

	stopWatch func()             // ends the Overseer subscription
	life      context.Context    // done at Close: ends the event streams
	end       context.CancelFunc // of life
	done      chan struct{}
	fed       chan struct{} // closed when the feed goroutine has returned
	closeOnce sync.Once
}

// New returns the dashboard of o: an http.Handler serving the JSON API, the
// Server-Sent Events stream and the page. Close it to end its subscriptions.
//
// New subscribes to o's events (Overseer.Watch) and starts the goroutine
// that feeds the event stream's changes of state from them; each event
// stream reads the lines with a LogReader of its own. With a nil o the
// Handler answers every request with 500 and starts nothing.
func New(o *overseer.Overseer, opts ...Option) *Handler {
	h := &Handler{
		o:            o,
		logger:       slog.New(slog.DiscardHandler),
		replaySize:   defaultReplay,
		maxStreams:   defaultMaxStreams,
		heartbeat:    defaultHeartbeat,
		writeTimeout: defaultWriteTimeout,
		done:         make(chan struct{}),
		fed:          make(chan struct{}),
	}
	for _, opt := range opts {
		if opt != nil {
			opt(h)
		}
	}
	if h.token == "" {
		h.token = newToken()
	}
	h.life, h.end = context.WithCancel(context.Background())
	h.replay = newReplay(newTag(), h.replaySize, maxReplayBytes)
	h.page = loadPage()
	h.mux = h.routes()
	if o == nil {
		close(h.fed)
		return h
	}
	events := make(chan overseer.Event, eventsChanSize)
	h.stopWatch = o.Watch(events)
	go h.feed(events)
	return h
}

// ServeHTTP serves the API, the event stream and the page.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.refuseHost(w, r) {
		return
	}
	if h.o == nil {
		writeError(w, http.StatusInternalServerError, "dashboard: no Overseer")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Guard returns next behind the dashboard's Host check (WithLoopbackOnly),
// for what a host serves next to the dashboard, such as /metrics, so that
// a page of another site cannot read it through DNS rebinding either.
func (h *Handler) Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.refuseHost(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

// refuseHost answers 403 to a request whose Host is not a loopback name
// when the dashboard is loopback only, and reports whether it did.
func (h *Handler) refuseHost(w http.ResponseWriter, r *http.Request) bool {
	if !h.loopbackOnly || isLoopbackHost(r.Host) {
		return false
	}
	h.logger.Warn("dashboard: request refused: Host is not a loopback name", "host", r.Host, "remote", r.RemoteAddr)
	writeError(w, http.StatusForbidden, "dashboard: Host "+quote(r.Host)+" is not a loopback name or address")
	return true
}

// Token returns the token that mutating requests must carry in the header
// X-Overseer-Token: the one given to WithToken, or else 128 random bits in
// hex, made by New.
func (h *Handler) Token() string { return h.token }

// Close ends the Handler's subscriptions and goroutine, and every event
// stream it serves, and returns once their handlers have returned. The API
// and the page are still served afterwards; the event stream is refused
// with 503. Calling Close again does nothing.
func (h *Handler) Close() {
	h.closeOnce.Do(func() {
		close(h.done)
		h.end()
		<-h.fed
		if h.stopWatch != nil {
			h.stopWatch()
		}
		h.streams.close()
	})
}

// closed reports whether Close has been called.
func (h *Handler) closed() bool {
	select {
	case <-h.done:
		return true
	default:
		return false
	}
}

// newToken returns 128 random bits in hex.
func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24)
	return hex.EncodeToString(b)
}

// newTag returns the random part of the event ids of one Handler.
func newTag() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// quote quotes s for an error message, cut to a sane length.
func quote(s string) string {
	const most = 100
	if len(s) > most {
		return strconv.Quote(s[:most]) + "..."
	}
	return strconv.Quote(s)
}
