//go:build unix

package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/probe"
)

func TestParseReadinessKeys(t *testing.T) {
	testParse(t, []parseCase{
		{
			"listeners, ready_timeout, notify, watchdog, watch_files",
			`processes:
  web:
    command: ./web
    listeners: [tcp://127.0.0.1:8080, "unix:///run/x.sock", "tcp6://[::1]:0"]
    ready_timeout: 30s
    notify: true
    watchdog: 10s
    watch_files: [config.toml, /etc/web.conf]
`,
			[]want{{name: "web", line: 2, f: defaults(sh("./web"), func(f *fields) {
				f.Listeners = []string{"tcp://127.0.0.1:8080", "unix:///run/x.sock", "tcp6://[::1]:0"}
				f.ReadyTimeout = 30 * time.Second
				f.Notify = true
				f.Watchdog = 10 * time.Second
				f.WatchFiles = []string{"config.toml", "/etc/web.conf"}
			})}},
		},
		{
			"notify false, watchdog 0, empty lists",
			"processes:\n  web: {command: x, notify: false, watchdog: 0, listeners: [], watch_files: [], depends_on: []}\n",
			[]want{{name: "web", line: 2, f: defaults(sh("x"))}},
		},
		{
			"depends_on as a list: started",
			"processes:\n  db: x\n  cache: x\n  web:\n    command: x\n    depends_on: [db, cache]\n",
			[]want{
				{name: "db", line: 2, f: defaults(sh("x"))},
				{name: "cache", line: 3, f: defaults(sh("x"))},
				{name: "web", line: 4, f: defaults(sh("x"), func(f *fields) {
					f.DependsOn = []overseer.Dependency{{ID: "db"}, {ID: "cache", Condition: overseer.ConditionStarted}}
				})},
			},
		},
		{
			"depends_on as a mapping, in file order; a process defined later",
			"processes:\n  web:\n    command: x\n    depends_on: {migrate: completed, db: ready, cache: started}\n  db: x\n  migrate: x\n  cache: x\n",
			[]want{
				{name: "web", line: 2, f: defaults(sh("x"), func(f *fields) {
					f.DependsOn = []overseer.Dependency{
						{ID: "migrate", Condition: overseer.ConditionCompleted},
						{ID: "db", Condition: overseer.ConditionReady},
						{ID: "cache", Condition: overseer.ConditionStarted},
					}
				})},
				{name: "db", line: 5, f: defaults(sh("x"))},
				{name: "migrate", line: 6, f: defaults(sh("x"))},
				{name: "cache", line: 7, f: defaults(sh("x"))},
			},
		},
		{
			"ready: notify",
			"processes:\n  web: {command: x, ready: notify}\n",
			[]want{{name: "web", line: 2, f: defaults(sh("x"), func(f *fields) { f.Ready = overseer.Notified() })}},
		},
		{
			"ready: tcp, http and command, with and without period and timeout",
			`processes:
  a: {command: x, ready: {tcp: "127.0.0.1:5432"}}
  b: {command: x, ready: {tcp: ":6379", period: 50ms, timeout: 2s}}
  c: {command: x, ready: {http: "http://localhost:8080/healthz", timeout: 500ms}}
  d: {command: x, ready: {period: 1s, http: "https://[::1]:8443/"}}
  e:
    command: x
    ready:
      command: pg_isready -h localhost && echo ok
      period: 250ms
`,
			[]want{
				{name: "a", line: 2, f: defaults(sh("x"), func(f *fields) { f.Ready = &probe.TCP{Addr: "127.0.0.1:5432"} })},
				{name: "b", line: 3, f: defaults(sh("x"), func(f *fields) {
					f.Ready = &probe.TCP{Addr: ":6379", Period: 50 * time.Millisecond, Timeout: 2 * time.Second}
				})},
				{name: "c", line: 4, f: defaults(sh("x"), func(f *fields) {
					f.Ready = &probe.HTTP{URL: "http://localhost:8080/healthz", Timeout: 500 * time.Millisecond}
				})},
				{name: "d", line: 5, f: defaults(sh("x"), func(f *fields) { f.Ready = &probe.HTTP{URL: "https://[::1]:8443/", Period: time.Second} })},
				{name: "e", line: 6, f: defaults(sh("x"), func(f *fields) {
					f.Ready = &probe.Command{Args: sh("pg_isready -h localhost && echo ok"), Period: 250 * time.Millisecond}
				})},
			},
		},
		{
			"merged from an anchor",
			"x-ready: &ready {ready: {tcp: \"localhost:1\"}, ready_timeout: 5s, depends_on: [db]}\nprocesses:\n  db: x\n  web:\n    <<: *ready\n    command: x\n",
			[]want{
				{name: "db", line: 3, f: defaults(sh("x"))},
				{name: "web", line: 4, f: defaults(sh("x"), func(f *fields) {
					f.Ready = &probe.TCP{Addr: "localhost:1"}
					f.ReadyTimeout = 5 * time.Second
					f.DependsOn = []overseer.Dependency{{ID: "db"}}
				})},
			},
		},
	})
}

// TestReadyLine: ready: {line: REGEX} is probe.Line of the expression.
func TestReadyLine(t *testing.T) {
	procs, err := Parse("f.yaml", []byte("processes:\n  web: {command: x, ready: {line: '^listening on :\\d+$'}}\n"), true)
	require.NoError(t, err)
	ready := procs[0].Cmd.Ready
	require.NotNil(t, ready)
	typ := reflect.TypeOf(ready)
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	assert.Equal(t, "github.com/overseer-go/overseer/probe", typ.PkgPath(), "a probe of package probe: %T", ready)
	for _, other := range []overseer.Probe{&probe.TCP{}, &probe.HTTP{}, &probe.Command{}, overseer.Notified()} {
		assert.NotEqual(t, reflect.TypeOf(other), reflect.TypeOf(ready))
	}
	// The probe keeps the expression written.
	re := findRegexp(reflect.ValueOf(ready))
	require.NotNil(t, re, "no regular expression in %#v", ready)
	assert.Equal(t, `^listening on :\d+$`, re.String())
}

// findRegexp returns the first *regexp.Regexp in the fields of v, or nil.
func findRegexp(v reflect.Value) *regexp.Regexp {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		if re, ok := v.Interface().(*regexp.Regexp); ok {
			return re
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Type() == reflect.TypeFor[*regexp.Regexp]() && !f.IsNil() {
			return (*regexp.Regexp)(f.UnsafePointer())
		}
	}
	return nil
}

func TestReadinessErrors(t *testing.T) {
	testParseErrors(t, "f.yaml", []parseError{
		// listeners
		{"listeners scalar", "processes:\n  web: {command: x, listeners: tcp://:80}\n", 2, "web.listeners", `want a list of addresses (tcp://host:port, unix:///path), not "tcp://:80"`},
		{"listener without ://", "processes:\n  web:\n    command: x\n    listeners: [tcp://:80, \"127.0.0.1:8080\"]\n", 4, "web.listeners[1]", `"127.0.0.1:8080" is not network://address`},
		{"listener without network", "processes:\n  web: {command: x, listeners: [\"://:80\"]}\n", 2, "web.listeners[0]", "is not network://address"},
		{"listener without address", "processes:\n  web: {command: x, listeners: [\"unix://\"]}\n", 2, "web.listeners[0]", "is not network://address"},
		{"listener null", "processes:\n  web:\n    command: x\n    listeners:\n      -\n", 5, "web.listeners[0]", "no value"},
		{"listener mapping", "processes:\n  web: {command: x, listeners: [{tcp: 80}]}\n", 2, "web.listeners[0]", "want a string, not a mapping"},
		{"listener twice", "processes:\n  web:\n    command: x\n    listeners:\n      - tcp://:80\n      - tcp://:80\n", 6, "web.listeners[1]", `"tcp://:80" is listed twice (first on line 5)`},
		{"listener NUL", "processes:\n  web: {command: x, listeners: [\"unix:///a\\0\"]}\n", 2, "web.listeners[0]", "NUL byte"},

		// ready_timeout, notify, watchdog
		{"ready_timeout 0", "processes:\n  web: {command: x, ready_timeout: 0s}\n", 2, "web.ready_timeout", "want a duration above 0"},
		{"ready_timeout no unit", "processes:\n  web: {command: x, ready_timeout: 30}\n", 2, "web.ready_timeout", `"30" is not a duration`},
		{"notify string", "processes:\n  web: {command: x, notify: 'yes'}\n", 2, "web.notify", `want true or false, not "yes"`},
		{"watchdog negative", "processes:\n  web: {command: x, watchdog: -1s}\n", 2, "web.watchdog", "-1s is negative"},
		{"watchdog word", "processes:\n  web: {command: x, watchdog: often}\n", 2, "web.watchdog", `"often" is not a duration`},

		// watch_files
		{"watch_files scalar", "processes:\n  web: {command: x, watch_files: a.toml}\n", 2, "web.watch_files", `want a list of files, not "a.toml"`},
		{"watch_files empty path", "processes:\n  web: {command: x, watch_files: [a, '']}\n", 2, "web.watch_files[1]", "empty path"},
		{"watch_files twice", "processes:\n  web: {command: x, watch_files: [a, a]}\n", 2, "web.watch_files[1]", `"a" is listed twice`},
		{"watch_files NUL", "processes:\n  web: {command: x, watch_files: [\"a\\0\"]}\n", 2, "web.watch_files[0]", "NUL byte"},

		// depends_on
		{"depends_on scalar", "processes:\n  db: x\n  web: {command: x, depends_on: db}\n", 3, "web.depends_on", `want a list of process names, or a mapping of names to conditions (started, ready, completed, healthy), not "db"`},
		{"depends_on unknown condition", "processes:\n  db: x\n  web:\n    command: x\n    depends_on:\n      db: live\n", 6, "web.depends_on.db", `"live" is not a condition (started, ready, completed, healthy)`},
		{"depends_on condition case", "processes:\n  db: x\n  web: {command: x, depends_on: {db: Ready}}\n", 3, "web.depends_on.db", `"Ready" is not a condition`},
		{"depends_on condition bool", "processes:\n  db: x\n  web: {command: x, depends_on: {db: true}}\n", 3, "web.depends_on.db", `"true" is not a condition`},
		{"depends_on condition null", "processes:\n  db: x\n  web:\n    command: x\n    depends_on:\n      db:\n", 6, "web.depends_on.db", "no value"},
		{"depends_on unknown process", "processes:\n  database: x\n  web:\n    command: x\n    depends_on: [databse]\n", 5, "web.depends_on[0]", "no process databse in the file (did you mean database?)"},
		{"depends_on unknown process, far", "processes:\n  db: x\n  web: {command: x, depends_on: {queue: ready}}\n", 3, "web.depends_on.queue", "no process queue in the file"},
		{"depends_on itself", "processes:\n  web:\n    command: x\n    depends_on: [web]\n", 4, "web.depends_on[0]", "web depends on itself"},
		{"depends_on twice", "processes:\n  db: x\n  web:\n    command: x\n    depends_on:\n      - db\n      - db\n", 7, "web.depends_on[1]", `"db" is listed twice (first on line 6)`},
		{"depends_on twice, mapping", "processes:\n  db: x\n  web:\n    command: x\n    depends_on:\n      db: ready\n      db: started\n", 7, "web.depends_on.db", "defined twice (first on line 6)"},
		{"depends_on bad name", "processes:\n  web: {command: x, depends_on: [\"a b\"]}\n", 2, "web.depends_on[0]", `id "a b" has ' '`},
		{"depends_on list of mappings", "processes:\n  db: x\n  web: {command: x, depends_on: [{db: ready}]}\n", 3, "web.depends_on[0]", "want a string, not a mapping"},

		// ready
		{"ready unknown word", "processes:\n  web: {command: x, ready: notified}\n", 2, "web.ready", `"notified": want notify, or a mapping with one of line, tcp, http, command`},
		{"ready bool", "processes:\n  web: {command: x, ready: true}\n", 2, "web.ready", `want notify, or a mapping with one of line, tcp, http, command, not "true"`},
		{"ready list", "processes:\n  web: {command: x, ready: [notify]}\n", 2, "web.ready", "not a list"},
		{"ready null", "processes:\n  web:\n    command: x\n    ready:\n", 4, "web.ready", "not no value"},
		{"ready empty mapping", "processes:\n  web: {command: x, ready: {}}\n", 2, "web.ready", "no probe (set one of line, tcp, http, command)"},
		{"ready timing alone", "processes:\n  web:\n    command: x\n    ready:\n      period: 1s\n", 5, "web.ready", "no probe"},
		{"ready two probes", "processes:\n  web:\n    command: x\n    ready:\n      tcp: :80\n      http: http://localhost/\n", 6, "web.ready.http", "tcp is set too (a probe is one of line, tcp, http, command)"},
		{"ready unknown key", "processes:\n  web:\n    command: x\n    ready:\n      tpc: :80\n", 5, "web.ready.tpc", "unknown key (did you mean tcp?)"},
		{"ready unknown key, far", "processes:\n  web:\n    command: x\n    ready:\n      grpc: :80\n", 5, "web.ready.grpc", "unknown key (known: line, tcp, http, command, period, timeout)"},
		{"ready bad regex", "processes:\n  web:\n    command: x\n    ready:\n      line: 'listening (on'\n", 5, "web.ready.line", `"listening (on" is not a regular expression: missing closing )`},
		{"ready line period", "processes:\n  web:\n    command: x\n    ready:\n      line: up\n      period: 1s\n", 6, "web.ready.period", "a line probe does not poll"},
		{"ready line timeout", "processes:\n  web:\n    command: x\n    ready:\n      timeout: 1s\n      line: up\n", 5, "web.ready.timeout", "a line probe does not poll"},
		{"ready line list", "processes:\n  web: {command: x, ready: {line: [a]}}\n", 2, "web.ready.line", "want a string, not a list"},
		{"ready tcp no port", "processes:\n  web: {command: x, ready: {tcp: localhost}}\n", 2, "web.ready.tcp", `"localhost" is not host:port`},
		{"ready tcp empty port", "processes:\n  web: {command: x, ready: {tcp: 'localhost:'}}\n", 2, "web.ready.tcp", `"localhost:" is not host:port`},
		{"ready tcp a URL", "processes:\n  web: {command: x, ready: {tcp: 'tcp://localhost:80'}}\n", 2, "web.ready.tcp", "is not host:port"},
		{"ready http no scheme", "processes:\n  web: {command: x, ready: {http: 'localhost:8080/health'}}\n", 2, "web.ready.http", `"localhost:8080/health" is not an http:// or https:// URL`},
		{"ready http other scheme", "processes:\n  web: {command: x, ready: {http: 'ftp://localhost/'}}\n", 2, "web.ready.http", "is not an http:// or https:// URL"},
		{"ready http no host", "processes:\n  web: {command: x, ready: {http: 'http:///health'}}\n", 2, "web.ready.http", "is not an http:// or https:// URL"},
		{"ready command empty", "processes:\n  web: {command: x, ready: {command: ' '}}\n", 2, "web.ready.command", "empty command"},
		{"ready command null", "processes:\n  web:\n    command: x\n    ready:\n      command:\n", 5, "web.ready.command", "no value"},
		{"ready command NUL", "processes:\n  web: {command: x, ready: {command: \"a\\0\"}}\n", 2, "web.ready.command", "NUL byte"},
		{"ready period 0", "processes:\n  web: {command: x, ready: {tcp: ':80', period: 0s}}\n", 2, "web.ready.period", "want a duration above 0"},
		{"ready timeout bad", "processes:\n  web: {command: x, ready: {tcp: ':80', timeout: 1}}\n", 2, "web.ready.timeout", `"1" is not a duration`},
		{"ready misspelt", "processes:\n  web:\n    command: x\n    readdy: notify\n", 4, "web.readdy", "unknown key (did you mean ready?)"},
		{"depends, a first word: too far", "processes:\n  web:\n    command: x\n    depends: [db]\n", 4, "web.depends", "unknown key (known: command, args, "},
		{"watch, a first word: too far", "processes:\n  web:\n    command: x\n    watch: [a]\n", 4, "web.watch", "unknown key (known: "},
		{"max, the first word of two keys", "processes:\n  web:\n    command: x\n    max: 1\n", 4, "web.max", "unknown key (known: "},
	})
}

// TestLoadWatchFiles: relative files of watch_files are taken from the
// file's directory, as dir and log are; Parse leaves them as written.
func TestLoadWatchFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "overseer.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	text := "processes:\n  a:\n    command: x\n    dir: /srv/a\n    watch_files: [a.toml, ../shared.toml, /etc/a.conf]\n"
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	procs, err := Load(path, testOptions())
	require.NoError(t, err)
	base := filepath.Join(dir, "sub")
	assert.Equal(t, []string{filepath.Join(base, "a.toml"), filepath.Join(dir, "shared.toml"), "/etc/a.conf"}, procs[0].Cmd.WatchFiles)

	procs, err = Parse(path, []byte(text), true)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.toml", "../shared.toml", "/etc/a.conf"}, procs[0].Cmd.WatchFiles)
}
