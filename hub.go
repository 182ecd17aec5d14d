package overseer

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/overseer-go/overseer/internal/fanout"
)

// The bounds of a Watch subscription's backlog: how far a subscriber may
// fall behind before changes are dropped for it.
const defaultBacklogItems = 1 << 16

// defaultStall is how long a reader may read nothing before backpressure
// stops waiting for it.
const defaultStall = time.Second

// hub fans the changes of state out to the channels of Watch, and keeps
// the LogReaders, which read the lines from the rings; it holds the
// Overseer's choices: the bound of a Watch backlog, and whether the pumps
// wait for the readers that are behind.
type hub struct {
	events       fanout.Topic[Event]
	backlogItems int // set by NewOverseer; tests lower it

	// readers are the open LogReaders; under the Overseer's mu.
	readers     []*LogReader
	linesMissed atomic.Uint64 // lines the readers missed, over all of them

	// backpressure makes the pumps wait for a reader before they evict a
	// line it has not read, for as long as it reads (WithLogBackpressure).
	backpressure bool
	stall        time.Duration // how long without a read makes a reader stuck
}

func (h *hub) init() {
	h.backlogItems = defaultBacklogItems
	h.stall = defaultStall
}

func (h *hub) publishEvent(ev Event) { h.events.Publish(ev) }

// attach gives every reader that reads process id a cursor in out (a
// process just added). The Overseer's mu is held.
func (h *hub) attach(id string, out *output) {
	for _, r := range h.readers {
		if r.reads(id) {
			r.attach(out, 0)
		}
	}
}

// detach drops the readers' cursors in out (a process removed). The
// Overseer's mu is held.
func (h *hub) detach(out *output) {
	for _, r := range h.readers {
		r.detach(out)
	}
}

// Watch makes the Overseer send every change of state of every process to
// ch, in order for each process.
//
// The Overseer never blocks on ch. A change that finds ch full waits in the
// subscription's backlog, which a goroutine of the subscription sends on in
// order; only a subscriber more than 65,536 items behind loses changes, and
// they are counted by Dropped. The returned function ends the subscription
// and drops its backlog; once it has returned nothing more is sent to ch,
// so ch may then be closed. Call it when done: it also ends the goroutine.
// A nil ch subscribes nothing.
func (o *Overseer) Watch(ch chan<- Event) (stop func()) {
	return o.hub.events.Subscribe(ch, fanout.Backlog{Items: o.hub.backlogItems})
}

// Dropped returns how many events were dropped for Watch subscribers that
// had fallen more than a full backlog behind, and how many lines
// LogReaders (WatchLogs included) missed because they had fallen further
// behind than the rings reach, since the Overseer was made. A reader's
// lines count once it reads past them, or is closed; a Lossy reader's are
// not counted (LogBatch.Missed tells it).
func (o *Overseer) Dropped() (events, lines uint64) {
	return o.hub.events.Dropped(), o.hub.linesMissed.Load()
}

// event is every Cmd's onEvent: it logs, publishes, and wakes SuperviseAll
// and Restart when a process comes to rest, runs or backs off. It runs
// under the Cmd's lock.
func (o *Overseer) event(ev Event) {
	if o.logger != nil {
		level := slog.LevelDebug
		switch {
		case ev.To == StateFatal:
			level = slog.LevelError
		case ev.To == StateBackoff, ev.To.IsFinal() && ev.From == StateRunning && (ev.Exit != 0 || ev.Error != ""):
			level = slog.LevelWarn // a failed run, restarted or not
		case ev.To.IsFinal():
			level = slog.LevelInfo
		}
		o.logger.Log(context.Background(), level, "overseer: "+ev.To.String(),
			"id", ev.ID, "from", ev.From, "pid", ev.PID, "exit", ev.Exit, "err", ev.Error, "restarts", ev.Restarts)
	}
	o.hub.publishEvent(ev)
	if ev.To.IsFinal() || ev.To == StateRunning || ev.To == StateBackoff {
		o.notify()
	}
}

// changes returns a channel that is closed at the next change.
func (o *Overseer) changes() <-chan struct{} {
	o.changedMu.Lock()
	defer o.changedMu.Unlock()
	return o.changed
}

// notify wakes whoever waits on changes.
func (o *Overseer) notify() {
	o.changedMu.Lock()
	close(o.changed)
	o.changed = make(chan struct{})
	o.changedMu.Unlock()
}
