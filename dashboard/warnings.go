package dashboard

import (
	"sync"

	"github.com/overseer-go/overseer"
)

// warnings keeps the Event.Warning of each process that got one. The
// Overseer tells a warning once, with one change of state; snapshots carry
// the kept ones, so that a page opened later, or one that reconnects after
// missing the event, still shows them.
type warnings struct {
	mu sync.Mutex
	m  map[string]string // by process id
}

// note keeps the warning of ev, if any. A process that leaves its initial
// state is a new one (or one never started): what was kept of an earlier
// process of the same id is dropped.
func (w *warnings) note(ev overseer.Event) {
	if ev.Warning == "" && ev.From != overseer.StateInitial {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if ev.From == overseer.StateInitial {
		delete(w.m, ev.ID)
	}
	if ev.Warning != "" {
		if w.m == nil {
			w.m = make(map[string]string)
		}
		w.m[ev.ID] = ev.Warning
	}
}

// of returns the warnings of procs, nil for none, and forgets those of
// processes no longer there, so that the map stays as small as the
// Overseer.
func (w *warnings) of(procs []overseer.JSONProcess) map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.m) == 0 {
		return nil
	}
	out := make(map[string]string)
	for _, p := range procs {
		if text, ok := w.m[p.ID]; ok {
			out[p.ID] = text
		}
	}
	for id := range w.m {
		if _, ok := out[id]; !ok {
			delete(w.m, id)
		}
	}
	return out
}
