//go:build unix

package metrics

import (
	"strings"
	"testing"

	"github.com/overseer-go/overseer"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const helpHealthy = `# HELP overseer_process_healthy Whether the process's liveness probe says it is healthy: 1 if so, 0 if unhealthy or not known yet; only for a process with a probe.
# TYPE overseer_process_healthy gauge
`

// overseer_process_healthy: 1 for a healthy process, 0 for an unhealthy
// or unknown one, none without a liveness probe.
func TestHealthyMetric(t *testing.T) {
	c := fed(
		overseer.JSONProcess{ID: "web", Group: "front", State: overseer.StateRunning, Health: overseer.HealthHealthy},
		overseer.JSONProcess{ID: "api", State: overseer.StateStopping, Health: overseer.HealthUnhealthy},
		overseer.JSONProcess{ID: "new", State: overseer.StateRunning, Health: overseer.HealthUnknown},
		overseer.JSONProcess{ID: "done", State: overseer.StateFinished, Health: overseer.HealthUnknown},
		overseer.JSONProcess{ID: "plain", State: overseer.StateRunning}, // no probe
	)
	want := helpHealthy + `overseer_process_healthy{group="",id="api"} 0
overseer_process_healthy{group="",id="done"} 0
overseer_process_healthy{group="",id="new"} 0
overseer_process_healthy{group="front",id="web"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "overseer_process_healthy"); err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}
