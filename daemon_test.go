//go:build linux

package overseer

import (
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// warnings returns the Warnings of the events of process id.
func warnings(l *eventLog, id string) []string {
	var out []string
	for _, ev := range l.of(id) {
		if ev.Warning != "" {
			out = append(out, ev.Warning)
		}
	}
	return out
}

// A run that exits 0 at once while what it started lives on, in its group
// or out of it (setsid), is said to have gone to the background: once per
// process, with the pids left, on the event of the run's end.
func TestDaemonizedWarning(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []string
	}{
		{"in its group", []string{"spawn:1", "exit:0"}},
		{"setsid", []string{"setsid:sleep", "exit:0"}},
		// Its environment lost (nginx, redis write their title over it),
		// but the run's stdout kept.
		{"setsid, no mark, the run's stdout", []string{"setsidscrub:sleep", "exit:0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newTestOverseer(t)
			log := watchEvents(t, o)
			c := addChild(t, o, "d", tc.ops...)
			c.Restart = RestartNever
			c.StopTimeout = 100 * time.Millisecond // an escapee holding stdout delays the end by this
			require.NoError(t, o.Start("d"))
			log.waitCount(t, "d", StateFinished, 1)
			require.NoError(t, o.Start("d")) // a second run: not told again
			log.waitCount(t, "d", StateFinished, 2)
			for _, pid := range grandchildren(t, c, 2) {
				killAtEnd(t, pid)
			}
			got := warnings(log, "d")
			require.Len(t, got, 1, "told once: %v", log.all())
			w := got[0]
			assert.Contains(t, w, "gone to the background")
			assert.Contains(t, w, "daemon off")
			if dir, err := o.Cgroup(); err == nil && dir != "" {
				assert.Contains(t, w, "stopped with it, as the run's control group holds it")
			} else {
				assert.Contains(t, w, "what leaves the group is out of reach")
			}
			left := grandchildren(t, c, 2)[0]
			assert.Contains(t, w, "pid "+strconv.Itoa(left), "names what the first run left")
			for _, ev := range log.of("d") {
				if ev.Warning != "" {
					assert.Equal(t, StateFinished, ev.To, "told with the first run's end")
				}
			}
		})
	}
}

// No warning for a clean exit that leaves nothing, for a failed run that
// leaves something, nor for a run that was stopped.
func TestNoDaemonizedWarning(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	addChild(t, o, "clean", "exit:0").Restart = RestartNever
	addChild(t, o, "failed", "spawn:1", "exit:3").Restart = RestartNever
	stopped := addChild(t, o, "stopped", "spawn:1", "ready", "sleep")
	for _, id := range []string{"clean", "failed", "stopped"} {
		require.NoError(t, o.Start(id))
	}
	waitLine(t, stopped, "ready")
	require.NoError(t, o.Stop("stopped"))
	log.waitCount(t, "clean", StateFinished, 1)
	log.waitCount(t, "failed", StateFinished, 1)
	log.waitCount(t, "stopped", StateInterrupted, 1)
	for _, id := range []string{"clean", "failed", "stopped"} {
		assert.Empty(t, warnings(log, id), id)
	}
	assert.Equal(t, 3, status(t, o, "failed").Exit)
}

// BenchmarkDaemonCheck is what a run that exits 0 within ResetAfter costs
// to tell whether it went to the background (one look at every process's
// stat, and at the environment of those younger than the run), beside the
// start and wait of a process that does nothing, in the same run.
func BenchmarkDaemonCheck(b *testing.B) {
	b.Run("check", func(b *testing.B) {
		c := exec.Command(childPath, "sleep")
		require.NoError(b, c.Start())
		defer func() { _ = c.Process.Kill(); _ = c.Wait() }()
		for b.Loop() {
			proc.ExitedCleanly(c.Process.Pid)
			proc.LeftBehind(proc.NewRunTrace("no-such-token", nil), c.Process.Pid, maxLeftShown, false)
		}
		b.ReportMetric(float64(len(proc.Pids())), "procs")
	})
	b.Run("baseline-exec", func(b *testing.B) {
		for b.Loop() {
			require.NoError(b, exec.Command(childPath, "exit:0").Run())
		}
	})
}
