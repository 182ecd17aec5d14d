//go:build unix

package main

import (
	"fmt"
	"time"

	"github.com/overseer-go/overseer"
)

// nextRunText is the NEXT column of "overseer status" for p at now: the
// next tick of its schedule in local time ("14:05:00" today, "2026-12-25
// 02:30" another day), with the ticks skipped while a run was going
// ("14:05:00 (3 skipped)"); "-" for a process without a schedule, or not
// supervised.
func nextRunText(p overseer.JSONProcess, now time.Time) string {
	text := "-"
	if !p.NextRun.IsZero() {
		text = nextRunAt(p.NextRun, now)
	}
	if p.Skipped > 0 {
		text += fmt.Sprintf(" (%d skipped)", p.Skipped)
	}
	return text
}

// nextRunAt is when a next run is, seen at now, in local time: "14:05:00"
// today, "2026-12-25 02:30" another day.
func nextRunAt(next, now time.Time) string {
	next = next.Local()
	y, m, d := now.Local().Date()
	if ny, nm, nd := next.Date(); ny == y && nm == m && nd == d {
		return next.Format("15:04:05")
	}
	return next.Format("2006-01-02 15:04")
}

// scheduledText is what the terminal says of a scheduled process whose
// supervision begins, ev being the Event of its NextRun: "scheduled (next
// run 02:30:00)".
func scheduledText(ev overseer.Event) string {
	return "scheduled (next run " + nextRunAt(ev.NextRun, ev.Time) + ")"
}
