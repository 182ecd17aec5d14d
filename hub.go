package overseer

import (
	"context"
	"log/slog"
	"time"

	"github.com/overseer-go/overseer/internal/fanout"
)

// The backlog bounds of one subscription: how far a subscriber may fall
// behind before items are dropped for it.
const (
	defaultBacklogItems = 1 << 16
	defaultBacklogBytes = 16 << 20 // of line text
	// defaultStall is how long a subscriber may take nothing before
	// backpressure stops waiting for it.
	defaultStall = time.Second
)

// hub fans events and lines out to the channels of Watch and WatchLogs, one
// fanout.Topic for each; it holds the Overseer's choices: the bounds of a
// subscription's backlog (64Ki items, or 16 MiB of line text) and whether
// the pumps wait for line subscribers that are behind.
type hub struct {
	events       fanout.Topic[Event]
	lines        fanout.Topic[Line]
	backlogItems int // set by NewOverseer; tests lower them
	backlogBytes int

	// backpressure makes the pumps wait for a line subscriber that is half
	// a backlog behind, for as long as it makes progress (WithLogBackpressure).
	backpressure bool
	stall        time.Duration // how long without progress makes a subscriber stuck
}

func (h *hub) init() {
	h.backlogItems, h.backlogBytes = defaultBacklogItems, defaultBacklogBytes
	h.stall = defaultStall
	h.lines.Size = func(l Line) int { return len(l.Text) }
}

func (h *hub) wantLines() bool { return h.lines.Active() }

func (h *hub) publishEvent(ev Event) { h.events.Publish(ev) }

func (h *hub) publishLines(lines []Line) { h.lines.Publish(lines...) }

// waitForLines is the backpressure (see fanout.Topic.WaitBehind).
func (h *hub) waitForLines() {
	if h.backpressure {
		h.lines.WaitBehind(h.stall)
	}
}

// subscribe adds a subscription of ch to t, with the hub's bounds, and
// returns the function that ends it.
func subscribe[T any](h *hub, t *fanout.Topic[T], ch chan<- T) (stop func()) {
	return t.Subscribe(ch, fanout.Backlog{Items: h.backlogItems, Bytes: h.backlogBytes})
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
	return subscribe(&o.hub, &o.hub.events, ch)
}

// WatchLogs makes the Overseer send every output line of every process to
// ch as it is read, as Watch does for changes of state: never blocking, with
// a backlog for a subscriber that falls behind, bounded by 65,536 lines and
// 16 MiB of text. Lines beyond it are dropped for that subscriber and
// counted by Dropped; the subscriber sees the loss as a gap in the
// process's Seq, and can fetch what it missed from Cmd.Lines while the ring
// still holds it. The lines of each process arrive in Seq order. The
// returned function ends the subscription as Watch's does.
func (o *Overseer) WatchLogs(ch chan<- Line) (stop func()) {
	return subscribe(&o.hub, &o.hub.lines, ch)
}

// Dropped returns how many events and lines were dropped since the
// Overseer was made because a subscriber had fallen more than a full
// backlog behind.
func (o *Overseer) Dropped() (events, lines uint64) {
	return o.hub.events.Dropped(), o.hub.lines.Dropped()
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
