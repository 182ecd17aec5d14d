package dashboard

import (
	"encoding/json"

	"github.com/overseer-go/overseer"
)

// eventsChanSize is the room of the Overseer's Watch subscription.
const eventsChanSize = 1024

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

// feed is the Handler's goroutine: it appends the Overseer's events to the
// replay buffer until Close. Lines do not pass through it: each event
// stream reads them with a LogReader of its own, and puts each state event
// after the lines read before it (lines.go).
func (h *Handler) feed(events <-chan overseer.Event) {
	defer close(h.fed)
	for {
		select {
		case <-h.done:
			return
		case ev := <-events:
			h.warnings.note(ev)
			data := stateData{Event: ev}
			if p, err := h.o.ToJSON(ev.ID); err == nil {
				data.Process = &p
			}
			h.publish("state", ev, data)
		}
	}
}

// publish appends a state event of ev with data to the replay buffer.
func (h *Handler) publish(event string, ev overseer.Event, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		h.logger.Warn("dashboard: event dropped: cannot encode it", "event", event, "err", err)
		return
	}
	h.replay.append(event, ev.Time, b)
}
