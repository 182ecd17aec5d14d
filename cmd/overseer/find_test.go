package main

import (
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/config"
)

// The built-in demo is a good file: its processes as the README tells
// them, every script valid for /bin/sh.
func TestDemoFile(t *testing.T) {
	procs, err := config.Parse("demo.yaml", demoYAML, true)
	require.NoError(t, err)
	type summary struct {
		name, group string
		restart     overseer.RestartPolicy
		maxRestarts int
	}
	var got []summary
	for _, p := range procs {
		got = append(got, summary{p.Name, p.Cmd.Group, p.Cmd.Restart, p.Cmd.MaxRestarts})
		// Every script is /bin/sh: check its syntax without running it.
		require.Equal(t, []string{"/bin/sh", "-c"}, p.Cmd.Args[:2], p.Name)
		out, err := exec.Command("/bin/sh", "-n", "-c", p.Cmd.Args[2]).CombinedOutput()
		require.NoError(t, err, "%s: %s", p.Name, out)
	}
	assert.Equal(t, []summary{
		{"migrate", "services", overseer.RestartNever, 5},
		{"web", "services", overseer.RestartOnFailure, 5},
		{"chatty", "workers", overseer.RestartOnFailure, 5},
		{"flaky", "services", overseer.RestartOnFailure, -1},
		{"batch", "workers", overseer.RestartOnFailure, 5},
	}, got)
	assert.NotNil(t, procs[1].Cmd.Liveness.Check, "web has a liveness probe")
	assert.Len(t, procs[1].Cmd.PreStart, 1, "web has a pre_start command")
	assert.NotNil(t, procs[4].Cmd.Schedule, "batch runs on a schedule")
	assert.True(t, procs[4].Cmd.RunOnStart)
	assert.Equal(t, []overseer.Dependency{{ID: "migrate", Condition: overseer.ConditionCompleted}}, procs[1].Cmd.DependsOn)
	assert.Equal(t, overseer.Backoff{Min: 500 * time.Millisecond, Max: 2 * time.Second, Factor: 2}, procs[3].Cmd.Backoff)
}
