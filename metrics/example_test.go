package metrics_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The Collector goes into a registry the host owns, and the registry is
// served with promhttp.HandlerFor.
func Example() {
	ovr := overseer.NewOverseer()
	// Configured before it is registered, so that the metrics show its
	// group at once (a Group set after Add shows from its next start).
	web := overseer.NewCmd("python3", "-m", "http.server", "8000")
	web.Group = "frontend"
	if err := ovr.AddCmd("web", web); err != nil {
		fmt.Println(err)
		return
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.New(ovr))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	// A host would now run http.ListenAndServe(":9100", mux) in a goroutine
	// and ovr.SuperviseAll(ctx). Here one scrape is made in memory, before
	// anything has started.

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "overseer_") { // the samples, without # HELP and # TYPE
			fmt.Println(line)
		}
	}
	// Output:
	// overseer_dropped_total{kind="events"} 0
	// overseer_dropped_total{kind="lines"} 0
	// overseer_process_last_exit_code{group="frontend",id="web"} -1
	// overseer_process_lines_total{group="frontend",id="web",stream="stderr"} 0
	// overseer_process_lines_total{group="frontend",id="web",stream="stdout"} 0
	// overseer_process_restarts_total{group="frontend",id="web"} 0
	// overseer_process_state{group="frontend",id="web",state="backoff"} 0
	// overseer_process_state{group="frontend",id="web",state="fatal"} 0
	// overseer_process_state{group="frontend",id="web",state="finished"} 0
	// overseer_process_state{group="frontend",id="web",state="initial"} 1
	// overseer_process_state{group="frontend",id="web",state="interrupted"} 0
	// overseer_process_state{group="frontend",id="web",state="running"} 0
	// overseer_process_state{group="frontend",id="web",state="starting"} 0
	// overseer_process_state{group="frontend",id="web",state="stopping"} 0
	// overseer_process_uptime_seconds{group="frontend",id="web"} 0
}
