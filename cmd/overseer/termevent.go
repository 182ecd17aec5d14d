//go:build unix

package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/overseer-go/overseer"
)

// heldEvent is an event printed once the line of Seq after has been.
type heldEvent struct {
	ev    overseer.Event
	after uint64
}

// event prints ev, or holds it until the line of Seq after (the last of
// the run it ends) has been printed, behind the events held before it.
func (t *terminal) event(ev overseer.Event, after uint64) {
	p := t.proc(ev.ID)
	if len(p.held) > 0 || p.lastSeq < after {
		p.held = append(p.held, heldEvent{ev: ev, after: after})
		return
	}
	t.print1(p, ev)
}

// release prints the events of p held for the lines up to seq.
func (t *terminal) release(p *procState, seq uint64) {
	n := 0
	for n < len(p.held) && p.held[n].after <= seq {
		t.print1(p, p.held[n].ev)
		n++
	}
	p.held = slices.Delete(p.held, 0, n)
}

// releaseAll prints every event still held, at the end, in the order of
// the processes' names.
func (t *terminal) releaseAll() {
	ids := make([]string, 0, len(t.procs))
	for id, p := range t.procs {
		if len(p.held) > 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := t.procs[id]
		t.release(p, ^uint64(0))
	}
}

// print1 prints one change of state: "web * running (pid 42)", or what
// the process says of itself or waits for ("redis * running: Ready to
// accept connections", "api * waiting for migrate (completed)"), or what
// its liveness probe says ("web * healthy"), and a warning that came with
// it.
func (t *terminal) print1(p *procState, ev overseer.Event) {
	if text := describe(p, ev); text != "" {
		t.message(ev.Time, ev.ID, "*", text)
	}
	if ev.Warning != "" {
		t.message(ev.Time, ev.ID, "*", "warning: "+ev.Warning)
	}
}

// describe is the text print1 prints for ev, "" for nothing; p is the
// state of ev's process.
func describe(p *procState, ev overseer.Event) string {
	prevPID := p.pid
	p.pid = ev.PID
	prevHealth := p.health
	p.health = ev.Health
	if ev.From == ev.To {
		switch {
		case ev.Health != prevHealth && (ev.Health == overseer.HealthHealthy || ev.Health == overseer.HealthUnhealthy):
			// A new health comes alone: "healthy", "unhealthy". Unknown
			// (a new run's, before its first verdict) is no news: what
			// else came with it is told as without a probe.
			return ev.Health.String()
		case ev.To == overseer.StateRunning && ev.PID != prevPID:
			// A rolling restart's new run took over.
			return fmt.Sprintf("running (pid %d, restart %d, rolling)", ev.PID, ev.Restarts)
		case ev.StatusText == "" && !ev.NextRun.IsZero() && (ev.To == overseer.StateInitial || ev.To.IsFinal()):
			return scheduledText(ev) // its supervision begins: it waits for a tick
		case ev.StatusText == "":
			return "" // a text cleared (or a tick skipped): the state says enough
		case ev.To == overseer.StateInitial:
			return ev.StatusText // "waiting for db (ready)"
		}
		return ev.To.String() + ": " + ev.StatusText
	}
	if ev.To == overseer.StateInitial {
		return "" // back to initial with a text cleared: nothing happened
	}
	var detail []string
	if ev.To == overseer.StateRunning && ev.PID != 0 {
		detail = append(detail, fmt.Sprintf("pid %d", ev.PID))
	}
	switch {
	case ev.From == overseer.StateStopping && ev.To == overseer.StateInterrupted:
		// Stopped on request: how it died of the stop signal is no news.
	case ev.From == overseer.StateRunning || ev.From == overseer.StateStopping || ev.From == overseer.StateStarting:
		if ev.Exit >= 0 {
			detail = append(detail, fmt.Sprintf("exit %d", ev.Exit))
		}
		if ev.Error != "" {
			detail = append(detail, tidyError(ev.ID, ev.Error))
		}
	case ev.To == overseer.StateFatal && ev.Error != "":
		detail = append(detail, tidyError(ev.ID, ev.Error))
	}
	if ev.Restarts > 0 && ev.To == overseer.StateStarting {
		detail = append(detail, fmt.Sprintf("restart %d", ev.Restarts))
	}
	if !ev.NextRun.IsZero() && ev.To.IsFinal() {
		detail = append(detail, "next run "+nextRunAt(ev.NextRun, ev.Time))
	}
	text := ev.To.String()
	if ev.StatusText != "" && ev.To == overseer.StateRunning {
		text += ": " + ev.StatusText
	}
	if len(detail) > 0 {
		text += " (" + strings.Join(detail, ", ") + ")"
	}
	return text
}

// tidyError is the text of an error of process id, as printed after its
// name: without the "overseer: " and "id: " that the library's errors begin
// with, which the line's prefix says already.
func tidyError(id, text string) string {
	for {
		rest, ok := strings.CutPrefix(text, "overseer: ")
		if !ok && id != "" {
			rest, ok = strings.CutPrefix(text, id+": ")
		}
		if !ok {
			break
		}
		text = rest
	}
	// Wrapped errors of the library repeat its prefix inside the text.
	text = strings.ReplaceAll(text, ": overseer: ", ": ")
	if id != "" {
		text = strings.ReplaceAll(text, ": "+id+": ", ": ")
	}
	return strings.ReplaceAll(text, "invalid argument: ", "")
}
