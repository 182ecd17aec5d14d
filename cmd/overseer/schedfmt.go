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
	if next := p.NextRun.Local(); !p.NextRun.IsZero() {
		y, m, d := now.Local().Date()
		if ny, nm, nd := next.Date(); ny == y && nm == m && nd == d {
			text = next.Format("15:04:05")
		} else {
			text = next.Format("2006-01-02 15:04")
		}
	}
	if p.Skipped > 0 {
		text += fmt.Sprintf(" (%d skipped)", p.Skipped)
	}
	return text
}
