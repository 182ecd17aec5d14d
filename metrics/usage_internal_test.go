//go:build unix

package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fed returns a Collector of the processes procs, as if an Overseer had
// them: the usage a test gives, which no sampler has to make.
func fed(procs ...overseer.JSONProcess) *Collector {
	c := New(nil)
	c.processes = func() []overseer.JSONProcess { return procs }
	c.droppedCounts = func() (uint64, uint64) { return 0, 0 }
	return c
}

const (
	helpCPU = `# HELP overseer_process_cpu_seconds_total CPU time, user and system, of the process's run in progress, all its processes together, at its last usage sample.
# TYPE overseer_process_cpu_seconds_total counter
`
	helpMemory = `# HELP overseer_process_resident_memory_bytes Resident memory of the process's run in progress, all its processes together, at its last usage sample.
# TYPE overseer_process_resident_memory_bytes gauge
`
	helpTasks = `# HELP overseer_process_tasks Processes of the process's run in progress, at its last usage sample.
# TYPE overseer_process_tasks gauge
`
)

// The usage metrics of processes with a sample, and none of those
// without one (at rest, before the first sample, sampling off).
func TestUsageMetrics(t *testing.T) {
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	c := fed(
		overseer.JSONProcess{ID: "web", Group: "front", State: overseer.StateRunning, PID: 10,
			Usage: overseer.JSONUsage{Time: now, CPUSeconds: 12.5, CPUPercent: 40, MemoryBytes: 200 << 20, Tasks: 3, Threads: 9, FDs: -1}},
		overseer.JSONProcess{ID: "spin", State: overseer.StateStopping, PID: 11,
			Usage: overseer.JSONUsage{Time: now, CPUSeconds: 0.25, MemoryBytes: 4096, Tasks: 1, Threads: 1, FDs: 5}},
		// Running, not sampled yet: zeros, which must not be taken for a sample.
		overseer.JSONProcess{ID: "new", State: overseer.StateRunning, PID: 12},
		overseer.JSONProcess{ID: "done", Group: "batch", State: overseer.StateFinished, PID: 13},
	)
	want := helpCPU + `overseer_process_cpu_seconds_total{group="",id="spin"} 0.25
overseer_process_cpu_seconds_total{group="front",id="web"} 12.5
` + helpMemory + `overseer_process_resident_memory_bytes{group="",id="spin"} 4096
overseer_process_resident_memory_bytes{group="front",id="web"} 2.097152e+08
` + helpTasks + `overseer_process_tasks{group="",id="spin"} 1
overseer_process_tasks{group="front",id="web"} 3
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"overseer_process_cpu_seconds_total", "overseer_process_resident_memory_bytes", "overseer_process_tasks"); err != nil {
		t.Fatal(err)
	}
	// The other metrics of every process are still there: 8 states, 5 more.
	if n := testutil.CollectAndCount(c); n != 4*(8+5)+2*3+2 {
		t.Errorf("%d metrics, want %d", n, 4*(8+5)+2*3+2)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// A Group that is not UTF-8 labels the usage metrics as it does the
// others, and a pedantic registry finds them consistent with Describe.
func TestUsageMetricsLabels(t *testing.T) {
	c := fed(overseer.JSONProcess{ID: "a", Group: "bad\xffgroup", State: overseer.StateRunning,
		Usage: overseer.JSONUsage{Time: time.Now(), MemoryBytes: 1, Tasks: 1}})
	want := helpMemory + "overseer_process_resident_memory_bytes{group=\"bad\ufffdgroup\",id=\"a\"} 1\n"
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "overseer_process_resident_memory_bytes"); err != nil {
		t.Fatal(err)
	}
}
