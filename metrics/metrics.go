// Package metrics exports the processes of an overseer.Overseer as
// Prometheus metrics.
//
// New returns a prometheus.Collector; the caller registers it in a registry
// it owns and serves that registry (promhttp.HandlerFor). Nothing is
// registered globally, and nothing runs between scrapes: each Collect calls
// ToJSONAll and Dropped once and turns what they return into constant
// metrics, so a scrape costs a short lock per process, and the values of a
// process in one scrape come from one snapshot of it.
//
// The metrics, with label id (the process's id) and group (its Cmd.Group,
// "" for none) on every per-process series:
//
//	overseer_process_state{id,group,state}             gauge    1 for the current state, 0 for each other state
//	overseer_process_restarts_total{id,group}          counter  restarts under supervision (Status.Restarts)
//	overseer_process_last_exit_code{id,group}          gauge    exit code of the last run; -1 while it runs, after a signal, or before any
//	overseer_process_uptime_seconds{id,group}          gauge    how long the current run has been running; 0 unless running
//	overseer_process_lines_total{id,group,stream}      counter  lines captured of stream "stdout" or "stderr", across runs
//	overseer_process_cpu_seconds_total{id,group}       counter  CPU time of the run in progress, all its processes (Usage.CPU)
//	overseer_process_resident_memory_bytes{id,group}   gauge    resident memory of the run in progress (Usage.Memory)
//	overseer_process_tasks{id,group}                   gauge    processes of the run in progress (Usage.Tasks)
//	overseer_process_healthy{id,group}                 gauge    1 if the liveness probe says healthy, else 0; only with a probe
//	overseer_dropped_total{kind}                       counter  events or lines dropped for subscribers that fell behind (Dropped)
//
// The CPU, memory and tasks series come from the last sample of the run's
// usage (see overseer.WithUsageInterval, overseer.Status.Usage), and only
// for a process that has one: a process at rest, before its first sample
// or with sampling off has none of them. The CPU counter starts again from
// 0 with each run, which rate() takes as a counter reset.
//
// overseer_process_healthy is there for each process with a liveness probe
// (Cmd.Liveness), whatever its state, and for no other: 1 when its Health
// is healthy, 0 when it is unhealthy or unknown (no verdict yet, or no run
// in progress). An alert on == 0 may need a for: clause as long as the
// probe's initial delay and first tries, or a join with the state.
//
// Every state name ("initial", "starting", "running", "stopping", "backoff",
// "finished", "interrupted", "fatal") has a series for every process, so
// that a query such as sum by (state) (overseer_process_state) sees a state
// go to 0 instead of vanishing.
package metrics

import (
	"strings"

	"github.com/overseer-go/overseer"
	"github.com/prometheus/client_golang/prometheus"
)

// Collector is a prometheus.Collector of the processes of one Overseer. It is
// safe for concurrent use; make it with New.
//
// It is a checked collector: Describe sends the descriptors of every metric
// it can collect, so a registry refuses a second Collector (of the same or
// another Overseer): the names clash. To export several Overseers from one
// registry, register each Collector through prometheus.WrapRegistererWith
// with its own value of one label, such as {"overseer": "a"} and
// {"overseer": "b"}.
type Collector struct {
	// processes and droppedCounts read the Overseer (ToJSONAll, Dropped);
	// nil for a Collector of nothing. Tests give them values to collect.
	processes     func() []overseer.JSONProcess
	droppedCounts func() (events, lines uint64)

	// states holds the name of every State, in the order of their values.
	states []string

	state    *prometheus.Desc
	restarts *prometheus.Desc
	exitCode *prometheus.Desc
	uptime   *prometheus.Desc
	lines    *prometheus.Desc
	dropped  *prometheus.Desc
	cpu      *prometheus.Desc
	memory   *prometheus.Desc
	tasks    *prometheus.Desc
	healthy  *prometheus.Desc
}

// New returns a prometheus.Collector of o's processes, for a registry the
// caller owns. Processes added to or removed from o later are collected, or
// not, from the next scrape on. A Collector of a nil Overseer describes its
// metrics but collects none.
func New(o *overseer.Overseer) *Collector {
	process := []string{"id", "group"}
	c := &Collector{
		states: stateNames(),
		state: prometheus.NewDesc("overseer_process_state",
			"State of the process: 1 for the current state, 0 for the others.",
			[]string{"id", "group", "state"}, nil),
		restarts: prometheus.NewDesc("overseer_process_restarts_total",
			"Restarts of the process under supervision, requested or scheduled.",
			process, nil),
		exitCode: prometheus.NewDesc("overseer_process_last_exit_code",
			"Exit code of the process's last run; -1 while it runs, after a signal, or before any run.",
			process, nil),
		uptime: prometheus.NewDesc("overseer_process_uptime_seconds",
			"Seconds the process's current run has been running; 0 unless it is running.",
			process, nil),
		lines: prometheus.NewDesc("overseer_process_lines_total",
			"Lines captured from the process's stdout or stderr, across runs.",
			[]string{"id", "group", "stream"}, nil),
		dropped: prometheus.NewDesc("overseer_dropped_total",
			"Events or lines dropped for Watch or WatchLogs subscribers that fell behind.",
			[]string{"kind"}, nil),
		cpu: prometheus.NewDesc("overseer_process_cpu_seconds_total",
			"CPU time, user and system, of the process's run in progress, all its processes together, at its last usage sample.",
			process, nil),
		memory: prometheus.NewDesc("overseer_process_resident_memory_bytes",
			"Resident memory of the process's run in progress, all its processes together, at its last usage sample.",
			process, nil),
		tasks: prometheus.NewDesc("overseer_process_tasks",
			"Processes of the process's run in progress, at its last usage sample.",
			process, nil),
		healthy: prometheus.NewDesc("overseer_process_healthy",
			"Whether the process's liveness probe says it is healthy: 1 if so, 0 if unhealthy or not known yet; only for a process with a probe.",
			process, nil),
	}
	if o != nil {
		c.processes, c.droppedCounts = o.ToJSONAll, o.Dropped
	}
	return c
}

// stateNames returns the name of every valid State, in the order of their
// values. It asks State itself, so a state added to the package is exported
// without a change here.
func stateNames() []string {
	var names []string
	for v := range 256 {
		if name, err := overseer.State(v).MarshalText(); err == nil {
			names = append(names, string(name))
		}
	}
	return names
}

// Describe sends the descriptors of the ten metrics (none for a Collector
// not made by New).
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	if c == nil || c.state == nil {
		return
	}
	ch <- c.state
	ch <- c.restarts
	ch <- c.exitCode
	ch <- c.uptime
	ch <- c.lines
	ch <- c.dropped
	ch <- c.cpu
	ch <- c.memory
	ch <- c.tasks
	ch <- c.healthy
}

// Collect sends the metrics of every process registered in the Overseer,
// from one snapshot, and the counts of dropped events and lines.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	if c == nil || c.processes == nil || c.droppedCounts == nil {
		return
	}
	for _, p := range c.processes() {
		c.collectProcess(ch, &p)
	}
	events, lines := c.droppedCounts()
	send(ch, c.dropped, prometheus.CounterValue, float64(events), "events")
	send(ch, c.dropped, prometheus.CounterValue, float64(lines), "lines")
}

// collectProcess sends the metrics of process p.
func (c *Collector) collectProcess(ch chan<- prometheus.Metric, p *overseer.JSONProcess) {
	// An id is UTF-8 (Add checks it); a Group may be any string, and a
	// label value that is not UTF-8 would fail the whole scrape.
	id, group := p.ID, strings.ToValidUTF8(p.Group, "\uFFFD")
	current := p.State.String()
	for _, name := range c.states {
		send(ch, c.state, prometheus.GaugeValue, boolValue(name == current), id, group, name)
	}
	send(ch, c.restarts, prometheus.CounterValue, float64(p.Restarts), id, group)
	send(ch, c.exitCode, prometheus.GaugeValue, float64(p.Exit), id, group)
	var uptime float64
	if p.State == overseer.StateRunning {
		uptime = p.Runtime
	}
	send(ch, c.uptime, prometheus.GaugeValue, uptime, id, group)
	send(ch, c.lines, prometheus.CounterValue, float64(p.StdoutLines), id, group, "stdout")
	send(ch, c.lines, prometheus.CounterValue, float64(p.StderrLines), id, group, "stderr")
	if u := &p.Usage; !u.Time.IsZero() { // a sample of the run in progress
		send(ch, c.cpu, prometheus.CounterValue, u.CPUSeconds, id, group)
		send(ch, c.memory, prometheus.GaugeValue, float64(u.MemoryBytes), id, group)
		send(ch, c.tasks, prometheus.GaugeValue, float64(u.Tasks), id, group)
	}
	if p.Health != overseer.HealthNone {
		send(ch, c.healthy, prometheus.GaugeValue, boolValue(p.Health == overseer.HealthHealthy), id, group)
	}
}

// send sends a constant metric, or, if it cannot be made, an invalid metric
// that makes the registry report the error for this scrape (instead of a
// panic, as MustNewConstMetric would).
func send(ch chan<- prometheus.Metric, desc *prometheus.Desc, typ prometheus.ValueType, value float64, labels ...string) {
	m, err := prometheus.NewConstMetric(desc, typ, value, labels...)
	if err != nil {
		m = prometheus.NewInvalidMetric(desc, err)
	}
	ch <- m
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
