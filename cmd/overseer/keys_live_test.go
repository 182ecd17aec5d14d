//go:build linux

package main

// The tests of the key liveness, and of depends_on's condition healthy
// (see keyrun_test.go for the harness).

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statusRow returns the row of process name in "overseer status", as its
// columns by the header's names (STATUS with its spaces).
func (k *keyRun) statusRow(name string) map[string]string {
	k.t.Helper()
	out := k.client("status")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	header := strings.Fields(lines[0])
	for _, row := range lines[1:] {
		f := strings.Fields(row)
		if len(f) == 0 || f[0] != name {
			continue
		}
		cols := make(map[string]string, len(header))
		for i, h := range header {
			switch {
			case i >= len(f):
			case h == "STATUS":
				cols[h] = strings.Join(f[i:], " ")
			default:
				cols[h] = f[i]
			}
		}
		return cols
	}
	k.t.Fatalf("no process %s in:\n%s", name, out)
	return nil
}

// health returns the health of process name in the dashboard's JSON, ""
// when left out.
func (k *keyRun) health(name string) string {
	k.t.Helper()
	var p struct {
		Health string `json:"health"`
	}
	k.getJSON("/api/processes/"+name, &p)
	return p.Health
}

// liveness with http: a run whose GET passes is healthy, in the output,
// the dashboard's JSON and "overseer status"; once it answers 500, the run
// is unhealthy and restarted as a failure, and after max_restarts the
// process ends fatal, the reason said and shown in its status.
func TestKeyLivenessHTTP(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		var failing atomic.Bool
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failing.Load() {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}))
		t.Cleanup(srv.Close)
		k := startKeys(t, mode, `processes:
  p:
    command: 'echo p-up; exec sleep 1000'
    liveness: {http: '`+srv.URL+`/healthz', period: 20ms, timeout: 20ms, failures: 2}
    restart: on-failure
    max_restarts: 1
    `+fastBackoff+`
`, dashboardFlags...)
		k.wait("p * healthy")
		assert.Equal(t, "healthy", k.health("p"))
		if mode == "serve" {
			assert.Equal(t, "healthy", k.statusRow("p")["HEALTH"])
		}

		failing.Store(true)
		unhealthy := k.wait("p * unhealthy")
		restarted := k.wait("p * starting (restart 1")
		assert.Less(t, unhealthy, restarted)
		end := k.text(k.waitFrom(restarted, "p * fatal ("))
		assert.Contains(t, end, "liveness")
		assert.Contains(t, end, "500")
		if mode == "serve" {
			row := k.statusRow("p")
			assert.Equal(t, "fatal", row["STATE"])
			assert.Contains(t, row["STATUS"], "liveness", "%v", row)
		}
		assert.Equal(t, 1, k.finish(nil), k.p.stderrText())
	})
}

// liveness with line: a run must write a matching line at least every
// period (the first try at once when it is ready: here, at its first
// line); one that falls silent is unhealthy, and restarted as a failure
// (here: none left, so fatal).
func TestKeyLivenessLine(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  p:
    command: 'while [ ! -e {dir}/quiet ]; do echo tick; sleep 0.02; done; echo silent; exec sleep 1000'
    ready: {line: '^tick$'}
    liveness: {line: '^tick$', period: 1s, failures: 1}
    max_restarts: 0
`)
		healthy := k.wait("p * healthy")
		k.touch("quiet")
		silent := k.waitFrom(healthy, "p | silent")
		unhealthy := k.waitFrom(silent, "p * unhealthy")
		end := k.text(k.waitFrom(unhealthy, "p * fatal ("))
		assert.Contains(t, end, "liveness")
		assert.Equal(t, 1, k.finish(nil), k.p.stderrText())
	})
}

// liveness with command: the command runs in the process's dir, and the
// run is healthy only once it passes; a process without liveness has no
// health, in the dashboard's JSON and "overseer status".
func TestKeyLivenessCommand(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := newKeys(t, mode, `processes:
  p:
    command: 'echo p-up; exec sleep 1000'
    dir: work
    liveness: {command: '[ -e ok ]', period: 20ms, failures: 1000000}
  plain: 'echo plain-up; exec sleep 1000'
`)
		require.NoError(t, os.Mkdir(filepath.Join(k.dir, "work"), 0o755))
		k.start(dashboardFlags...)
		k.wait("p * running")
		k.wait("plain * running")
		assert.Equal(t, "unknown", k.health("p"), "not passed yet")
		assert.Equal(t, "", k.health("plain"), "no probe, no health")
		if mode == "serve" {
			assert.Equal(t, "unknown", k.statusRow("p")["HEALTH"])
			assert.Equal(t, "-", k.statusRow("plain")["HEALTH"])
		}
		k.touch("work/ok")
		k.wait("p * healthy")
		assert.Equal(t, "healthy", k.health("p"))
		assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
	})
}

// depends_on {x: healthy} starts y only once x's liveness probe has
// passed, not when x is merely running.
func TestKeyDependsOnHealthy(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  x:
    command: 'echo x-up; exec sleep 1000'
    liveness: {command: '[ -e {dir}/go ]', period: 20ms, failures: 1000000}
  y: {command: `+sawMarker+`, depends_on: {x: {condition: healthy}}}
`)
		k.wait("y * waiting for x (healthy)")
		k.wait("x * running")
		assert.Equal(t, -1, k.index("y | "), "x is not healthy yet:\n%s", k.output())
		k.touch("marker")
		k.touch("go")
		healthy := k.wait("x * healthy")
		assert.Equal(t, "y | after-marker", k.text(k.wait("y | ")), "y started once x was healthy")
		assert.Less(t, healthy, k.wait("y * starting"))
		assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
	})
}

// depends_on's long form with restart: true restarts y after each restart
// of x, once x meets the condition again; z, which depends on x without
// it, goes on.
func TestKeyDependsOnRestart(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  x:
    command: 'echo x-up; while [ ! -e {dir}/crash ]; do sleep 0.01; done; rm {dir}/crash; exit 1'
    `+fastBackoff+`
  y: {command: 'echo y-up; exec sleep 1000', depends_on: {x: {condition: started, restart: true}}}
  z: {command: 'echo z-up; exec sleep 1000', depends_on: {x: started}}
`)
		k.wait("y | y-up")
		k.wait("z | z-up")
		k.touch("crash")
		restarted := k.wait("x * starting (restart 1)")
		k.waitFrom(restarted, "y | y-up")
		assert.Equal(t, 2, k.count("y | y-up"), k.output())
		assert.Equal(t, 1, k.count("z | z-up"), "z has no restart: true:\n%s", k.output())
		assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
	})
}

// A bad liveness or depends_on value is an error at its line, and nothing
// runs: the command exits 2.
func TestKeyLivenessErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, yaml, want string }{
		{"two probes", "processes:\n  p:\n    command: 'true'\n    liveness: {tcp: ':80', http: 'http://x/'}\n", ":4: p.liveness.http: tcp is set too"},
		{"no probe", "processes:\n  p:\n    command: 'true'\n    liveness:\n      period: 1s\n", ":5: p.liveness: no probe"},
		{"timeout above period", "processes:\n  p:\n    command: 'true'\n    liveness:\n      tcp: ':80'\n      period: 1s\n      timeout: 3s\n", ":7: p.liveness.timeout: 3s is above period 1s"},
		{"failures 0", "processes:\n  p:\n    command: 'true'\n    liveness: {tcp: ':80', failures: 0}\n", ":4: p.liveness.failures: 0: want a number above 0"},
		{"negative period", "processes:\n  p:\n    command: 'true'\n    liveness: {tcp: ':80', period: -2s}\n", ":4: p.liveness.period: -2s is negative"},
		{"bad URL", "processes:\n  p:\n    command: 'true'\n    liveness: {http: 'localhost/health'}\n", ":4: p.liveness.http: \"localhost/health\" is not an http:// or https:// URL"},
		{"process-compose's name", "processes:\n  p:\n    command: 'true'\n    liveness: {tcp: ':80', period_seconds: 5}\n", ":4: p.liveness.period_seconds: unknown key (did you mean period?"},
		{"depends_on unknown condition", "processes:\n  db: 'true'\n  p:\n    command: 'true'\n    depends_on:\n      db: {condition: service_healthy}\n", ":6: p.depends_on.db.condition: \"service_healthy\" is not a condition (did you mean healthy?)"},
		{"depends_on unknown key", "processes:\n  db: 'true'\n  p:\n    command: 'true'\n    depends_on:\n      db:\n        condition: healthy\n        required: true\n", ":8: p.depends_on.db.required: unknown key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := writeFile(t, "overseer.yaml", tc.yaml)
			var stdout, stderr bytes.Buffer
			assert.Equal(t, 2, run([]string{"-f", file, "-http", ""}, &stdout, &stderr))
			assert.Contains(t, stderr.String(), file+tc.want)
			assert.Empty(t, stdout.String(), "nothing started")
		})
	}
}
