package dashboard

import (
	"encoding/json"
	"time"

	"github.com/overseer-go/overseer"
)

// The feed's channels and batches.
const (
	eventsChanSize = 1024
	linesChanSize  = 1 << 14
	// A lines event holds the lines that came within batchDelay of the
	// first, at most batchLines of them or about batchBytes of text.
	batchDelay = 25 * time.Millisecond
	batchLines = 2000
	batchBytes = 256 << 10
)

// stateData is the data of a state event.
type stateData struct {
	overseer.Event
	// Process is the process as it is when the event is handled (it may
	// have changed again since); nil if it was removed meanwhile.
	Process *overseer.JSONProcess `json:"process,omitempty"`
}

// linesData is the data of a lines event.
type linesData struct {
	Lines []jsonLine `json:"lines"`
}

// snapshotData is the data of a snapshot event.
type snapshotData struct {
	Processes []overseer.JSONProcess `json:"processes"`
	// Warnings are the Event.Warnings told of the processes, by id: each
	// is told once, in a state event, and kept here for later clients.
	Warnings map[string]string `json:"warnings,omitempty"`
}

// feed is the Handler's goroutine: it appends the Overseer's events and
// lines to the replay buffer until Close. Lines are batched.
//
// The two subscriptions are two channels, and select takes from them in no
// particular order; so when a change of state comes, the lines batched or
// already in their channel that were read before the change (by Line.Time
// and Event.Time) are put before it, the others after it: the last lines of
// a run before the state that ends it, the first lines of a run after the
// state that starts it. The lines of each process stay in Seq order.
func (h *Handler) feed(events <-chan overseer.Event, lines <-chan overseer.Line) {
	defer close(h.fed)
	b := batcher{h: h, timer: time.NewTimer(time.Hour)}
	b.timer.Stop()
	defer b.timer.Stop()
	var queue []overseer.Line
	after := make(map[string]bool) // processes with lines after the change
	for {
		select {
		case <-h.done:
			return
		case ev := <-events:
			queue = b.take(queue[:0])
		drain:
			for range cap(lines) {
				select {
				case l := <-lines:
					queue = append(queue, l)
				default:
					break drain
				}
			}
			later := queue[:0] // in place: written no faster than read
			for _, l := range queue {
				if after[l.ID] || l.Time.After(ev.Time) {
					after[l.ID] = true
					later = append(later, l)
				} else {
					b.add(l)
				}
			}
			b.flush()
			h.warnings.note(ev)
			data := stateData{Event: ev}
			if p, err := h.o.ToJSON(ev.ID); err == nil {
				data.Process = &p
			}
			h.publish("state", data)
			for _, l := range later {
				b.add(l)
			}
			clear(queue)
			clear(after)
		case l := <-lines:
			b.add(l)
		case <-b.timer.C:
			b.flush()
		}
	}
}

// batcher gathers lines into lines events.
type batcher struct {
	h     *Handler
	timer *time.Timer // runs while lines wait
	lines []overseer.Line
	bytes int
}

// add adds l to the batch, which goes out batchDelay after its first line,
// or now if it is full.
func (b *batcher) add(l overseer.Line) {
	if len(b.lines) == 0 {
		b.timer.Reset(batchDelay)
	}
	b.lines = append(b.lines, l)
	b.bytes += len(l.Text)
	if len(b.lines) >= batchLines || b.bytes >= batchBytes {
		b.flush()
	}
}

// take appends the lines waiting to dst and empties the batch.
func (b *batcher) take(dst []overseer.Line) []overseer.Line {
	b.timer.Stop()
	dst = append(dst, b.lines...)
	clear(b.lines)
	b.lines, b.bytes = b.lines[:0], 0
	return dst
}

// flush publishes the lines waiting, if any.
func (b *batcher) flush() {
	b.timer.Stop()
	if len(b.lines) == 0 {
		return
	}
	data := linesData{Lines: make([]jsonLine, len(b.lines))}
	for i, l := range b.lines {
		data.Lines[i] = toJSONLine(l)
	}
	b.h.publish("lines", data)
	clear(b.lines)
	b.lines, b.bytes = b.lines[:0], 0
}

// publish appends an event of type event with data to the replay buffer.
func (h *Handler) publish(event string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		h.logger.Warn("dashboard: event dropped: cannot encode it", "event", event, "err", err)
		return
	}
	h.replay.append(event, b)
}
