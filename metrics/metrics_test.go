//go:build unix

package metrics_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// childPath is the test child (../testdata/child), built once by TestMain
// without -race, so that it starts at once and exits at once.
var childPath string

func TestMain(m *testing.M) {
	testbuild.Main(m, testbuild.Program("../testdata/child", &childPath))
}

// waitTimeout bounds every wait, so that a bug fails a test instead of
// hanging the run.
const waitTimeout = 20 * time.Second

// newOverseer returns an Overseer whose processes are stopped when t ends.
func newOverseer(t *testing.T) *overseer.Overseer {
	t.Helper()
	o := overseer.NewOverseer()
	t.Cleanup(func() { o.StopAll() })
	return o
}

// addChild registers the test child under id, running ops, with restart
// policy p and a 1ms backoff.
func addChild(t *testing.T, o *overseer.Overseer, id, group string, p overseer.RestartPolicy, maxRestarts int, ops ...string) {
	t.Helper()
	cmd := overseer.NewCmd(childPath, ops...)
	cmd.Group = group
	cmd.Restart = p
	cmd.MaxRestarts = maxRestarts
	cmd.Backoff = overseer.Backoff{Min: time.Millisecond, Max: time.Millisecond}
	if err := o.AddCmd(id, cmd); err != nil {
		t.Fatal(err)
	}
}

// supervise runs process id until it is done for good.
func supervise(t *testing.T, o *overseer.Overseer, id string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := o.Supervise(ctx, id)
	if ctx.Err() != nil {
		t.Fatalf("%s not done within %v", id, waitTimeout)
	}
	return err
}

// stateLines returns the exposition lines of overseer_process_state for a
// process in state current: 1 for it, 0 for each other state.
func stateLines(id, group, current string) string {
	var b strings.Builder
	for _, s := range []string{"backoff", "fatal", "finished", "initial", "interrupted", "running", "starting", "stopping"} {
		v := 0
		if s == current {
			v = 1
		}
		fmt.Fprintf(&b, "overseer_process_state{group=%q,id=%q,state=%q} %d\n", group, id, s, v)
	}
	return b.String()
}

const (
	helpState = `# HELP overseer_process_state State of the process: 1 for the current state, 0 for the others.
# TYPE overseer_process_state gauge
`
	helpRestarts = `# HELP overseer_process_restarts_total Restarts of the process under supervision, requested or scheduled.
# TYPE overseer_process_restarts_total counter
`
	helpExit = `# HELP overseer_process_last_exit_code Exit code of the process's last run; -1 while it runs, after a signal, or before any run.
# TYPE overseer_process_last_exit_code gauge
`
	helpUptime = `# HELP overseer_process_uptime_seconds Seconds the process's current run has been running; 0 unless it is running.
# TYPE overseer_process_uptime_seconds gauge
`
	helpLines = `# HELP overseer_process_lines_total Lines captured from the process's stdout or stderr, across runs.
# TYPE overseer_process_lines_total counter
`
	helpDropped = `# HELP overseer_dropped_total Events or lines dropped for Watch or WatchLogs subscribers that fell behind.
# TYPE overseer_dropped_total counter
`
)

// TestEndedProcesses checks every metric of a process that finished with
// exit 3 after printing two lines to stdout and one to stderr, next to one
// that failed the same way twice and ended fatal after one restart.
func TestEndedProcesses(t *testing.T) {
	o := newOverseer(t)
	ops := []string{"out:one", "err:two", "out:three", "exit:3"}
	addChild(t, o, "job", "batch", overseer.RestartNever, 0, ops...)
	addChild(t, o, "flaky", "", overseer.RestartOnFailure, 1, ops...)
	if err := supervise(t, o, "job"); err != nil {
		t.Fatalf("job: %v", err)
	}
	if err := supervise(t, o, "flaky"); err == nil {
		t.Fatal("flaky: no error, want it fatal")
	}

	want := helpState + stateLines("flaky", "", "fatal") + stateLines("job", "batch", "finished") +
		helpRestarts + `overseer_process_restarts_total{group="",id="flaky"} 1
overseer_process_restarts_total{group="batch",id="job"} 0
` + helpExit + `overseer_process_last_exit_code{group="",id="flaky"} 3
overseer_process_last_exit_code{group="batch",id="job"} 3
` + helpUptime + `overseer_process_uptime_seconds{group="",id="flaky"} 0
overseer_process_uptime_seconds{group="batch",id="job"} 0
` + helpLines + `overseer_process_lines_total{group="",id="flaky",stream="stderr"} 2
overseer_process_lines_total{group="",id="flaky",stream="stdout"} 4
overseer_process_lines_total{group="batch",id="job",stream="stderr"} 1
overseer_process_lines_total{group="batch",id="job",stream="stdout"} 2
` + helpDropped + `overseer_dropped_total{kind="events"} 0
overseer_dropped_total{kind="lines"} 0
`
	// No metric names: every metric the Collector sends is compared.
	if err := testutil.CollectAndCompare(metrics.New(o), strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}

// TestRunningProcess checks a running process, then the same process once
// stopped.
func TestRunningProcess(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "svc", "web", overseer.RestartOnFailure, 5, "ready", "sleep")
	addChild(t, o, "idle", "", overseer.RestartNever, 0, "sleep") // never started
	if err := o.Start("svc"); err != nil {
		t.Fatal(err)
	}
	testbuild.Eventually(t, func() bool {
		p, err := o.ToJSON("svc")
		return err == nil && p.State == overseer.StateRunning && p.StdoutLines == 1
	}, "svc running with its line captured")
	c := metrics.New(o)

	want := helpState + stateLines("idle", "", "initial") + stateLines("svc", "web", "running") +
		helpExit + `overseer_process_last_exit_code{group="",id="idle"} -1
overseer_process_last_exit_code{group="web",id="svc"} -1
` + helpLines + `overseer_process_lines_total{group="",id="idle",stream="stderr"} 0
overseer_process_lines_total{group="",id="idle",stream="stdout"} 0
overseer_process_lines_total{group="web",id="svc",stream="stderr"} 0
overseer_process_lines_total{group="web",id="svc",stream="stdout"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"overseer_process_state", "overseer_process_last_exit_code", "overseer_process_lines_total"); err != nil {
		t.Fatal(err)
	}

	before := time.Now()
	start := mustJSON(t, o, "svc").StartTime
	got := gather(t, c)
	uptime := got[`overseer_process_uptime_seconds{group="web",id="svc"}`]
	if most := time.Since(start).Seconds(); uptime <= 0 || uptime > most {
		t.Errorf("uptime of svc %v, want in (0, %v]", uptime, most)
	}
	if least := before.Sub(start).Seconds(); uptime < least {
		t.Errorf("uptime of svc %v, want at least %v", uptime, least)
	}
	if v := got[`overseer_process_uptime_seconds{group="",id="idle"}`]; v != 0 {
		t.Errorf("uptime of idle %v, want 0", v)
	}

	if err := o.Stop("svc"); err != nil {
		t.Fatal(err)
	}
	want = helpState + stateLines("svc", "web", "interrupted") +
		helpExit + `overseer_process_last_exit_code{group="web",id="svc"} -1
` + helpUptime + `overseer_process_uptime_seconds{group="web",id="svc"} 0
`
	if err := o.Remove("idle"); err != nil {
		t.Fatal(err)
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"overseer_process_state", "overseer_process_last_exit_code", "overseer_process_uptime_seconds"); err != nil {
		t.Fatal(err)
	}
}

// TestDropped checks that overseer_dropped_total follows Dropped: a
// WatchLogs subscriber that never reads loses what overflows its backlog.
func TestDropped(t *testing.T) {
	o := newOverseer(t)
	stop := o.WatchLogs(make(chan overseer.Line))
	defer stop()
	addChild(t, o, "loud", "", overseer.RestartNever, 0, "lines:70000")
	if err := supervise(t, o, "loud"); err != nil {
		t.Fatal(err)
	}
	events, lines := o.Dropped()
	if lines == 0 {
		t.Fatalf("Dropped() = %d, %d: want lines dropped", events, lines)
	}
	want := helpDropped + fmt.Sprintf("overseer_dropped_total{kind=\"events\"} %d\noverseer_dropped_total{kind=\"lines\"} %d\n", events, lines)
	c := metrics.New(o)
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "overseer_dropped_total"); err != nil {
		t.Fatal(err)
	}
	if got := gather(t, c)[`overseer_process_lines_total{group="",id="loud",stream="stdout"}`]; got != 70000 {
		t.Errorf("stdout lines %v, want 70000", got)
	}
}

// TestLint runs promlint on the metrics of processes in several states, and
// of none.
func TestLint(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "svc", "web", overseer.RestartOnFailure, 5, "sleep")
	addChild(t, o, "job", "", overseer.RestartNever, 0, "out:x", "err:y", "exit:3")
	addChild(t, o, "new", "", overseer.RestartNever, 0, "sleep")
	if err := o.Start("svc"); err != nil {
		t.Fatal(err)
	}
	if err := supervise(t, o, "job"); err != nil {
		t.Fatal(err)
	}
	for _, ovr := range []*overseer.Overseer{o, overseer.NewOverseer()} {
		problems, err := testutil.CollectAndLint(metrics.New(ovr))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
	// The usage metrics left out: whether svc has been sampled yet depends
	// on the sampler's timing (TestUsageMetrics counts them).
	if n := testutil.CollectAndCount(metrics.New(o), "overseer_process_state", "overseer_process_restarts_total",
		"overseer_process_last_exit_code", "overseer_process_uptime_seconds", "overseer_process_lines_total",
		"overseer_dropped_total"); n != 3*(8+5)+2 {
		t.Errorf("%d metrics for 3 processes, want %d", n, 3*(8+5)+2)
	}
}

// TestUsageMetricsOfRunningChild: a running child's sampled usage in the
// metrics, its memory and tasks above zero; none for a process at rest.
// It needs the sampler (issue 16): until it lands, no sample is taken and
// this test fails.
func TestUsageMetricsOfRunningChild(t *testing.T) {
	o := overseer.NewOverseer(overseer.WithUsageInterval(100 * time.Millisecond))
	t.Cleanup(func() { o.StopAll() })
	addChild(t, o, "svc", "web", overseer.RestartNever, 0, "ready", "sleep")
	addChild(t, o, "idle", "", overseer.RestartNever, 0, "sleep")
	if err := o.Start("svc"); err != nil {
		t.Fatal(err)
	}
	c := metrics.New(o)
	var got map[string]float64
	testbuild.Eventually(t, func() bool {
		got = gather(t, c)
		return got[`overseer_process_resident_memory_bytes{group="web",id="svc"}`] > 0
	}, "svc's resident memory in the metrics")
	if v, ok := got[`overseer_process_tasks{group="web",id="svc"}`]; !ok || v < 1 {
		t.Errorf("svc's tasks %v (present %v), want 1 or more", v, ok)
	}
	if _, ok := got[`overseer_process_cpu_seconds_total{group="web",id="svc"}`]; !ok {
		t.Error("no overseer_process_cpu_seconds_total of svc")
	}
	for _, name := range []string{"overseer_process_cpu_seconds_total", "overseer_process_resident_memory_bytes", "overseer_process_tasks"} {
		if _, ok := got[name+`{group="",id="idle"}`]; ok {
			t.Errorf("%s of idle, which has never run", name)
		}
	}
}

// TestRegistry checks the Collector in registries: its descriptors are
// consistent with what it collects (a pedantic registry checks it at every
// Gather), two Collectors clash unless each is wrapped with its own value
// of one label, and a Group
// that is not UTF-8 does not fail the scrape.
func TestRegistry(t *testing.T) {
	o1, o2 := newOverseer(t), newOverseer(t)
	addChild(t, o1, "a", "bad\xffgroup", overseer.RestartNever, 0, "exit:0")
	addChild(t, o2, "a", "", overseer.RestartNever, 0, "exit:0")
	if err := supervise(t, o1, "a"); err != nil {
		t.Fatal(err)
	}

	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(metrics.New(o1)); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(metrics.New(o2)); err == nil {
		t.Error("a second Collector registered without a distinguishing label")
	}

	reg = prometheus.NewPedanticRegistry()
	for name, o := range map[string]*overseer.Overseer{"one": o1, "two": o2} {
		if err := prometheus.WrapRegistererWith(prometheus.Labels{"overseer": name}, reg).Register(metrics.New(o)); err != nil {
			t.Fatal(err)
		}
	}
	got := gatherFrom(t, reg)
	for key, want := range map[string]float64{
		"overseer_process_state{group=\"bad\ufffdgroup\",id=\"a\",overseer=\"one\",state=\"finished\"}": 1,
		"overseer_process_last_exit_code{group=\"bad\ufffdgroup\",id=\"a\",overseer=\"one\"}":           0,
		`overseer_process_state{group="",id="a",overseer="two",state="initial"}`:                        1,
		`overseer_dropped_total{kind="lines",overseer="two"}`:                                           0,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
}

// TestNil checks that Collectors of nothing collect nothing, without a
// panic.
func TestNil(t *testing.T) {
	for name, c := range map[string]*metrics.Collector{
		"New(nil)":    metrics.New(nil),
		"zero":        {},
		"nil pointer": nil,
	} {
		reg := prometheus.NewPedanticRegistry()
		if err := reg.Register(c); err != nil {
			t.Errorf("%s: Register: %v", name, err)
			continue
		}
		if got := gatherFrom(t, reg); len(got) != 0 {
			t.Errorf("%s: collected %v", name, got)
		}
	}
}

func mustJSON(t *testing.T, o *overseer.Overseer, id string) overseer.JSONProcess {
	t.Helper()
	p, err := o.ToJSON(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// gather returns what c collects, through a pedantic registry, as values by
// series, written name{label="value",...} with the labels sorted.
func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	return gatherFrom(t, reg)
}

func gatherFrom(t *testing.T, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]float64)
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := make([]string, 0, len(m.GetLabel()))
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			var v float64
			switch {
			case m.GetGauge() != nil:
				v = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				v = m.GetCounter().GetValue()
			default:
				t.Fatalf("%s: neither gauge nor counter", f.GetName())
			}
			out[f.GetName()+"{"+strings.Join(labels, ",")+"}"] = v
		}
	}
	return out
}

// passing is a liveness probe that always passes.
type passing struct{}

func (passing) Check(context.Context, *overseer.ProbeRun) error { return nil }

// TestHealthyOfRunningChild: a running child whose liveness probe passes
// is healthy in the metrics; one without a probe has no series.
func TestHealthyOfRunningChild(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "svc", "web", overseer.RestartNever, 0, "sleep")
	addChild(t, o, "plain", "", overseer.RestartNever, 0, "sleep")
	cmd, err := o.Cmd("svc")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Liveness = overseer.Liveness{Check: passing{}, Period: 10 * time.Millisecond}
	for _, id := range []string{"svc", "plain"} {
		if err := o.Start(id); err != nil {
			t.Fatal(err)
		}
	}
	c := metrics.New(o)
	var got map[string]float64
	testbuild.Eventually(t, func() bool {
		got = gather(t, c)
		return got[`overseer_process_healthy{group="web",id="svc"}`] == 1
	}, "svc healthy in the metrics")
	if _, ok := got[`overseer_process_healthy{group="",id="plain"}`]; ok {
		t.Error("overseer_process_healthy of plain, which has no probe")
	}
}
