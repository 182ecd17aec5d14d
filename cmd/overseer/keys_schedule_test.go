//go:build linux

package main

// The tests of the keys schedule, timezone and run_on_start (see
// keyrun_test.go for the harness).

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// schedule starts a run at each tick, "@every 1s" here; between runs the
// command goes on (the job is not done), and "overseer status" shows the
// next run.
func TestKeySchedule(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  job:
    command: 'echo tick >> {dir}/runs; echo tick'
    schedule: "@every 1s"
`)
		k.wait("job * scheduled (next run ")
		first := k.wait("job | tick")
		k.waitFrom(first+1, "job | tick") // the command did not end after the first run
		k.wait("job * finished (exit 0, next run ")
		runs, err := os.ReadFile(filepath.Join(k.dir, "runs"))
		require.NoError(t, err)
		assert.GreaterOrEqual(t, strings.Count(string(runs), "tick"), 2)
		assert.False(t, k.ended, "the command ended with a job on a schedule")
		if mode == "serve" {
			row := k.statusRow("job")
			assert.Regexp(t, `^(finished|starting|running)$`, row["STATE"])
			assert.Regexp(t, `^\d\d:\d\d:\d\d$`, row["NEXT"], "the NEXT column")
		}
		assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
	})
}

// run_on_start runs a scheduled job once at once; without it, the job
// waits for its first tick (once a year here).
func TestKeyRunOnStart(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  now: {command: 'echo now', schedule: "0 0 1 1 *", run_on_start: true}
  later: {command: 'echo later', schedule: "0 0 1 1 *"}
`, dashboardFlags...)
		k.wait("now | now")
		var p struct {
			State   string    `json:"state"`
			NextRun time.Time `json:"nextRun"`
		}
		testbuild.Eventually(t, func() bool { // once its supervision has begun
			k.getJSON("/api/processes/later", &p)
			return !p.NextRun.IsZero()
		}, "no next run for later")
		assert.Equal(t, "initial", p.State)
		assert.Equal(t, time.Date(time.Now().Year()+1, 1, 1, 0, 0, 0, 0, time.Local), p.NextRun.Local())
		assert.Equal(t, 0, k.count("later | "), k.output())
		assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
	})
}

// timezone is the zone of the schedule's times.
func TestKeyTimezone(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  job: {command: 'echo job', schedule: "30 2 * * *", timezone: Asia/Tokyo}
`, dashboardFlags...)
		var p struct {
			NextRun time.Time `json:"nextRun"`
		}
		// The next run shows once the supervision has begun, which may
		// come after the dashboard answers.
		testbuild.Eventually(t, func() bool {
			k.getJSON("/api/processes/job", &p)
			return !p.NextRun.IsZero()
		}, "no next run")
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		require.NoError(t, err)
		assert.Equal(t, "02:30:00", p.NextRun.In(tokyo).Format("15:04:05"), "next run %v", p.NextRun)
		assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
	})
}

// Bad values of the schedule keys: file:line errors, exit status 2, in
// each mode that reads a file.
func TestKeyScheduleErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, yaml, want string }{
		{"bad cron", "schedule: '* * *'", `:2: job.schedule: "* * *": expected exactly 5 fields`},
		{"bad descriptor", "schedule: '@sometimes'", `:2: job.schedule: "@sometimes": unrecognized descriptor`},
		{"not a string", "schedule: [1]", `:2: job.schedule: want a string`},
		{"bad zone", "schedule: '@daily', timezone: Mars/Olympus", `:2: job.timezone: "Mars/Olympus": unknown time zone`},
		{"zone twice", "schedule: 'CRON_TZ=UTC @daily', timezone: UTC", `:2: job.schedule: "CRON_TZ=UTC @daily" names its zone`},
		{"zone alone", "timezone: UTC", `:2: job.timezone: there is no schedule`},
		{"run_on_start alone", "run_on_start: true", `:2: job.run_on_start: there is no schedule`},
		{"run_on_start not a bool", "schedule: '@daily', run_on_start: maybe", `:2: job.run_on_start: want true or false`},
		{"restart always", "schedule: '@daily', restart: always", `:2: job.schedule: restart: always makes no sense with a schedule`},
		{"every in a zone", "schedule: '@every 10m', timezone: UTC", `:2: job.schedule: "@every 10m": @every counts from the start, in no time zone`},
		{"every below a second", "schedule: '@every 500ms'", `:2: job.schedule: "@every 500ms": @every takes whole seconds, 1s or more`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range keyModes {
				yaml := "processes:\n  job: {command: 'echo job', " + tt.yaml + "}\n"
				file := writeFile(t, "overseer.yaml", yaml)
				args := []string{"-f", file, "-http", ""}
				if mode == "serve" {
					args = append([]string{"serve", "-socket", filepath.Join(shortDir(t), "s.sock")}, args...)
				}
				var stdout, stderr bytes.Buffer
				code := run(args, &stdout, &stderr)
				assert.Equal(t, 2, code, "%s: %s", mode, stderr.String())
				assert.Contains(t, stderr.String(), file+tt.want, "%s\n%s", mode, yaml)
				assert.Empty(t, stdout.String(), "nothing started")
			}
		})
	}
}

// "overseer stop" ends a job's schedule, "overseer start" begins it again
// without running it at once (no wait for a run that comes at the tick).
func TestScheduleStopStart(t *testing.T) {
	t.Parallel()
	k := startKeys(t, "serve", `processes:
  job: {command: 'echo job', schedule: "0 0 1 1 *"}
`)
	assert.Contains(t, k.client("stop", "job"), "job stopped: no more runs on its schedule (next run was ")
	row := k.statusRow("job")
	assert.Equal(t, "initial", row["STATE"])
	assert.NotContains(t, row, "NEXT", "no NEXT column once no process has a schedule going")
	assert.Contains(t, k.client("start", "job"), "job scheduled (next run ")
	assert.Regexp(t, `(?m)^job\s+initial\s.*\s\d{4}-\d\d-\d\d \d\d:\d\d\s*$`, k.client("status"), "NEXT after the start: a date and a time")
	assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
}
