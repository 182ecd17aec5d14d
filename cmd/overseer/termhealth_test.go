//go:build unix

package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/overseer-go/overseer"
)

// A change of health alone is printed as "healthy" or "unhealthy"; a
// change to unknown, and the health that comes with a change of state,
// are not.
func TestTerminalHealth(t *testing.T) {
	var buf bytes.Buffer
	term := printerTo(&buf, "web")
	run, up := overseer.StateRunning, overseer.StateStarting
	for _, ev := range []overseer.Event{
		{ID: "web", From: up, To: run, PID: 7, Exit: -1, Health: overseer.HealthUnknown},
		{ID: "web", From: run, To: run, PID: 7, Exit: -1, Health: overseer.HealthHealthy},
		{ID: "web", From: run, To: run, PID: 7, Exit: -1, Health: overseer.HealthHealthy, StatusText: "serving"},
		{ID: "web", From: run, To: run, PID: 7, Exit: -1, Health: overseer.HealthUnhealthy},
		{ID: "web", From: run, To: overseer.StateStopping, PID: 7, Exit: -1, Health: overseer.HealthUnhealthy},
		{ID: "web", From: overseer.StateStopping, To: overseer.StateBackoff, Exit: 0, Health: overseer.HealthUnknown,
			Error: "overseer: web: liveness: probe failed 3 times"},
		{ID: "web", From: overseer.StateBackoff, To: up, Exit: -1, Restarts: 1, Health: overseer.HealthUnknown},
		{ID: "web", From: up, To: run, PID: 8, Exit: -1, Restarts: 1, Health: overseer.HealthUnknown},
		{ID: "web", From: run, To: run, PID: 8, Exit: -1, Restarts: 1, Health: overseer.HealthHealthy},
	} {
		term.event(ev, 0)
	}
	term.finish(nil)
	assert.Equal(t, `web * running (pid 7)
web * healthy
web * running: serving
web * unhealthy
web * stopping
web * backoff (exit 0, liveness: probe failed 3 times)
web * starting (restart 1)
web * running (pid 8)
web * healthy
`, buf.String())
}
