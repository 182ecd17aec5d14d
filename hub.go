package overseer

import (
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
