//go:build unix

package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// schedule, timezone and run_on_start make the Cmd's Schedule and
// RunOnStart; the schedule's ticks are in the zone.
func TestParseSchedule(t *testing.T) {
	procs, err := Parse("overseer.yaml", []byte(`processes:
  daily: {command: ./backup, schedule: "30 2 * * *", timezone: Asia/Tokyo, run_on_start: true}
  often: {command: ./poll, schedule: "@every 10m"}
  plain: ./web
`), true)
	require.NoError(t, err)
	require.Len(t, procs, 3)

	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	from := time.Date(2026, 5, 1, 12, 0, 0, 0, tokyo)
	daily := procs[0].Cmd
	require.NotNil(t, daily.Schedule)
	assert.True(t, daily.RunOnStart)
	assert.True(t, daily.Schedule.Next(from).Equal(time.Date(2026, 5, 2, 2, 30, 0, 0, tokyo)), "%v", daily.Schedule.Next(from))

	often := procs[1].Cmd
	require.NotNil(t, often.Schedule)
	assert.False(t, often.RunOnStart)
	assert.Equal(t, from.Add(10*time.Minute), often.Schedule.Next(from))

	assert.Nil(t, procs[2].Cmd.Schedule)
}
