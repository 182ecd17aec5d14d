package dashboard

import "log/slog"

// Option configures a Handler.
type Option func(*Handler)

// WithToken makes token the Handler's token, which every mutating request
// must carry in the header X-Overseer-Token, instead of a random one. An
// empty token is ignored: the Handler then makes a random one.
func WithToken(token string) Option {
	return func(h *Handler) {
		if token != "" {
			h.token = token
		}
	}
}

// WithLoopbackOnly is for a Handler served on a loopback address: it
// refuses with 403 every request whose Host header is not localhost, an
// address in 127.0.0.0/8 or ::1, with or without a port, against DNS
// rebinding. The page carries the token only under this option.
func WithLoopbackOnly() Option {
	return func(h *Handler) { h.loopbackOnly = true }
}

// WithLogger makes the Handler log to logger: mutating requests at Info,
// failures at Warn, event streams at Debug. Without it, or with nil, the
// Handler logs nothing.
func WithLogger(logger *slog.Logger) Option {
	return func(h *Handler) {
		if logger != nil {
			h.logger = logger
		}
	}
}

// WithReplay sets how many changes of state the replay buffer of the
// event stream keeps: 4096 by default, or when n is not positive. The
// buffer also holds at most 4 MiB of them; the oldest go first. Lines are
// not in it (each stream reads them from the processes' rings).
func WithReplay(n int) Option {
	return func(h *Handler) {
		if n > 0 {
			h.replaySize = n
		}
	}
}

// WithMaxStreams sets how many event streams (GET /api/events) the Handler
// serves at once: 64 by default, or when n is not positive. One more is
// refused with 503 until one ends. Each costs a connection, a goroutine and
// a few KiB, more while its client lags.
func WithMaxStreams(n int) Option {
	return func(h *Handler) {
		if n > 0 {
			h.maxStreams = n
		}
	}
}
