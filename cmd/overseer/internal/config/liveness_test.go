//go:build unix

package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/probe"
)

// TestParseLiveness: liveness sets Cmd.Liveness, its probe one of package
// probe's, the timing as written, a key left out zero (overseer's
// default).
func TestParseLiveness(t *testing.T) {
	testParse(t, []parseCase{
		{
			"http, every key",
			`processes:
  web:
    command: x
    liveness:
      http: http://127.0.0.1:8080/healthz
      period: 5s
      timeout: 2s
      failures: 4
      successes: 2
      initial_delay: 3s
`,
			[]want{{name: "web", line: 2, f: defaults(sh("x"), func(f *fields) {
				f.Liveness = overseer.Liveness{
					Check:  &probe.HTTP{URL: "http://127.0.0.1:8080/healthz"},
					Period: 5 * time.Second, Timeout: 2 * time.Second, Failures: 4, Successes: 2, InitialDelay: 3 * time.Second,
				}
			})}},
		},
		{
			"tcp and command alone; initial_delay 0",
			`processes:
  a: {command: x, liveness: {tcp: "127.0.0.1:5432"}}
  b: {command: x, liveness: {command: "pg_isready -q", initial_delay: 0s, timeout: 10s}}
`,
			[]want{
				{name: "a", line: 2, f: defaults(sh("x"), func(f *fields) {
					f.Liveness = overseer.Liveness{Check: &probe.TCP{Addr: "127.0.0.1:5432"}}
				})},
				{name: "b", line: 3, f: defaults(sh("x"), func(f *fields) {
					f.Liveness = overseer.Liveness{Check: &probe.Command{Args: sh("pg_isready -q")}, Timeout: 10 * time.Second}
				})},
			},
		},
		{
			"merged from an anchor, with ready",
			"x-live: &live {liveness: {tcp: ':1', period: 1s}}\nprocesses:\n  web:\n    <<: *live\n    command: x\n    ready: {tcp: ':1'}\n",
			[]want{{name: "web", line: 3, f: defaults(sh("x"), func(f *fields) {
				f.Ready = &probe.TCP{Addr: ":1"}
				f.Liveness = overseer.Liveness{Check: &probe.TCP{Addr: ":1"}, Period: time.Second}
			})}},
		},
	})
}

// TestLivenessLine: liveness: {line: REGEX} checks with probe.Line of the
// expression, every period.
func TestLivenessLine(t *testing.T) {
	procs, err := Parse("f.yaml", []byte("processes:\n  web: {command: x, liveness: {line: '^tick \\d+$', period: 2s, failures: 1}}\n"), true)
	require.NoError(t, err)
	l := procs[0].Cmd.Liveness
	require.NotNil(t, l.Check)
	assert.Equal(t, reflect.TypeOf(probe.Line(nil)), reflect.TypeOf(l.Check), "probe.Line's probe: %T", l.Check)
	re := findRegexp(reflect.ValueOf(l.Check))
	require.NotNil(t, re, "no regular expression in %#v", l.Check)
	assert.Equal(t, `^tick \d+$`, re.String())
	assert.Equal(t, 2*time.Second, l.Period)
	assert.Equal(t, 1, l.Failures)
}

// TestLoadLivenessCommand: a liveness command runs in its process's dir
// with its environment, as a ready command does.
func TestLoadLivenessCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "overseer.yaml")
	text := "processes:\n  a:\n    command: x\n    dir: sub\n    env: {A: b}\n    liveness: {command: 'test -e ok'}\n"
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	procs, err := Load(path, testOptions())
	require.NoError(t, err)
	pr, ok := procs[0].Cmd.Liveness.Check.(*probe.Command)
	require.True(t, ok, "%T", procs[0].Cmd.Liveness.Check)
	assert.Equal(t, filepath.Join(dir, "sub"), pr.Dir)
	assert.Equal(t, procs[0].Cmd.Env, pr.Env)
	assert.Contains(t, pr.Env, "A=b")
}

func TestLivenessErrors(t *testing.T) {
	testParseErrors(t, "f.yaml", []parseError{
		{"scalar", "processes:\n  web: {command: x, liveness: 'http://x/'}\n", 2, "web.liveness", `want a mapping with one of line, tcp, http, command, not "http://x/"`},
		{"null", "processes:\n  web:\n    command: x\n    liveness:\n", 4, "web.liveness", "not no value"},
		{"no probe", "processes:\n  web: {command: x, liveness: {period: 1s}}\n", 2, "web.liveness", "no probe (set one of line, tcp, http, command)"},
		{"two probes", "processes:\n  web:\n    command: x\n    liveness:\n      tcp: :80\n      command: 'true'\n", 6, "web.liveness.command", "tcp is set too (a probe is one of line, tcp, http, command)"},
		{"period 0", "processes:\n  web: {command: x, liveness: {tcp: ':80', period: 0s}}\n", 2, "web.liveness.period", "want a duration above 0"},
		{"period negative", "processes:\n  web: {command: x, liveness: {tcp: ':80', period: -1s}}\n", 2, "web.liveness.period", "-1s is negative"},
		{"period no unit", "processes:\n  web: {command: x, liveness: {tcp: ':80', period: 10}}\n", 2, "web.liveness.period", `"10" is not a duration`},
		{"timeout 0", "processes:\n  web: {command: x, liveness: {tcp: ':80', timeout: 0s}}\n", 2, "web.liveness.timeout", "want a duration above 0"},
		{"timeout above period", "processes:\n  web:\n    command: x\n    liveness:\n      tcp: ':80'\n      period: 1s\n      timeout: 2s\n", 7, "web.liveness.timeout", "2s is above period 1s"},
		{"timeout above the default period", "processes:\n  web: {command: x, liveness: {tcp: ':80', timeout: 11s}}\n", 2, "web.liveness.timeout", "11s is above the default period 10s"},
		{"timeout with line", "processes:\n  web:\n    command: x\n    liveness:\n      line: tick\n      timeout: 1s\n", 6, "web.liveness.timeout", "a line probe does not wait"},
		{"initial_delay negative", "processes:\n  web: {command: x, liveness: {tcp: ':80', initial_delay: -5s}}\n", 2, "web.liveness.initial_delay", "-5s is negative"},
		{"failures 0", "processes:\n  web: {command: x, liveness: {tcp: ':80', failures: 0}}\n", 2, "web.liveness.failures", "0: want a number above 0"},
		{"failures negative", "processes:\n  web: {command: x, liveness: {tcp: ':80', failures: -1}}\n", 2, "web.liveness.failures", "-1: want a number above 0"},
		{"failures a word", "processes:\n  web: {command: x, liveness: {tcp: ':80', failures: three}}\n", 2, "web.liveness.failures", `want a whole number, not "three"`},
		{"successes 0", "processes:\n  web: {command: x, liveness: {tcp: ':80', successes: 0}}\n", 2, "web.liveness.successes", "want a number above 0"},
		{"bad URL", "processes:\n  web: {command: x, liveness: {http: 'localhost:8080/health'}}\n", 2, "web.liveness.http", `"localhost:8080/health" is not an http:// or https:// URL`},
		{"bad host:port", "processes:\n  web: {command: x, liveness: {tcp: localhost}}\n", 2, "web.liveness.tcp", `"localhost" is not host:port`},
		{"bad regexp", "processes:\n  web: {command: x, liveness: {line: 'a(b'}}\n", 2, "web.liveness.line", "is not a regular expression"},
		{"empty command", "processes:\n  web: {command: x, liveness: {command: ''}}\n", 2, "web.liveness.command", "empty command"},
		{"unknown key", "processes:\n  web:\n    command: x\n    liveness:\n      tcp: ':80'\n      perid: 1s\n", 6, "web.liveness.perid", "unknown key (did you mean period?)"},
		{"unknown key, far", "processes:\n  web: {command: x, liveness: {tcp: ':80', grpc: ':81'}}\n", 2, "web.liveness.grpc", "unknown key (known: line, tcp, http, command, period, timeout, failures, successes, initial_delay)"},
		{"period_seconds", "processes:\n  web: {command: x, liveness: {tcp: ':80', period_seconds: 10}}\n", 2, "web.liveness.period_seconds", "unknown key (did you mean period? overseer takes a duration, such as 10s)"},
		{"failure_threshold", "processes:\n  web: {command: x, liveness: {tcp: ':80', failure_threshold: 3}}\n", 2, "web.liveness.failure_threshold", "(did you mean failures? overseer takes a number of tries in a row)"},
		{"http_get", "processes:\n  web: {command: x, liveness: {http_get: {port: 80}}}\n", 2, "web.liveness.http_get", "(did you mean http? overseer takes a URL)"},
		{"liveness_probe", "processes:\n  web: {command: x, liveness_probe: {tcp: ':80'}}\n", 2, "web.liveness_probe", "unknown key (did you mean liveness?)"},
		{"livenes", "processes:\n  web: {command: x, livenes: {tcp: ':80'}}\n", 2, "web.livenes", "unknown key (did you mean liveness?)"},
	})
}

// TestDependsOnHealthy: depends_on takes healthy, and Docker Compose's
// long form, {condition, restart}.
func TestDependsOnHealthy(t *testing.T) {
	testParse(t, []parseCase{{
		"healthy, and the long form",
		`processes:
  db: x
  cache: x
  queue: x
  web:
    command: x
    depends_on:
      db: healthy
      cache: {condition: ready, restart: true}
      queue:
        restart: false
`,
		[]want{
			{name: "db", line: 2, f: defaults(sh("x"))},
			{name: "cache", line: 3, f: defaults(sh("x"))},
			{name: "queue", line: 4, f: defaults(sh("x"))},
			{name: "web", line: 5, f: defaults(sh("x"), func(f *fields) {
				f.DependsOn = []overseer.Dependency{
					{ID: "db", Condition: overseer.ConditionHealthy},
					{ID: "cache", Condition: overseer.ConditionReady, Restart: true},
					{ID: "queue", Condition: overseer.ConditionStarted},
				}
			})},
		},
	}})
}

func TestDependsOnLongFormErrors(t *testing.T) {
	const head = "processes:\n  db: x\n  web:\n    command: x\n    depends_on:\n"
	testParseErrors(t, "f.yaml", []parseError{
		{"unknown key", head + "      db: {condition: healthy, required: true}\n", 6, "web.depends_on.db.required", "unknown key (known: condition, restart)"},
		{"a slip", head + "      db: {condtion: healthy}\n", 6, "web.depends_on.db.condtion", "unknown key (did you mean condition?)"},
		{"bad condition", head + "      db: {condition: alive}\n", 6, "web.depends_on.db.condition", `"alive" is not a condition (started, ready, completed, healthy)`},
		{"Compose's condition", head + "      db: {condition: service_healthy}\n", 6, "web.depends_on.db.condition", `"service_healthy" is not a condition (did you mean healthy?)`},
		{"Compose's condition, short", head + "      db: service_completed_successfully\n", 6, "web.depends_on.db", "(did you mean completed?)"},
		{"restart not a bool", head + "      db: {condition: healthy, restart: yes please}\n", 6, "web.depends_on.db.restart", `want true or false, not "yes please"`},
		{"condition null", head + "      db: {condition: }\n", 6, "web.depends_on.db.condition", "no value"},
		{"a list", head + "      db: [healthy]\n", 6, "web.depends_on.db", "want a string, not a list"},
		{"unknown process", head + "      dbb: {condition: healthy}\n", 6, "web.depends_on.dbb", "no process dbb in the file (did you mean db?)"},
	})
}
