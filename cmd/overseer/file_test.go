//go:build linux

package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runIn runs the command in directory dir with args, and returns its exit
// status and outputs.
func runIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// Without -f the command runs ./Procfile, else ./overseer.yaml; with
// neither it says how to start, and exits 2.
func TestFindsTheFile(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runIn(t, dir, "-http", "")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "no Procfile or overseer.yaml here")
	assert.Contains(t, stderr, "overseer demo")

	yaml := "processes:\n  from-yaml: {command: echo yaml, restart: never}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "overseer.yaml"), []byte(yaml), 0o644))
	code, stdout, stderr = runIn(t, dir, "-http", "")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "from-yaml | yaml\n")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte("from-procfile: echo procfile\n"), 0o644))
	code, stdout, stderr = runIn(t, dir, "-http", "")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "from-procfile | procfile\n", "the Procfile comes first")
	assert.NotContains(t, stdout, "from-yaml")
}

// A Procfile that is there but cannot be read is said so, not taken for
// no file.
func TestFileThatCannotBeRead(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "Procfile")))
	code, _, stderr := runIn(t, dir, "-http", "")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "Procfile")
	assert.Contains(t, stderr, "no such file or directory")
	assert.NotContains(t, stderr, "no Procfile or overseer.yaml here")
}

// "overseer demo" runs the built-in demo from any directory: here one with
// no file at all.
func TestDemoRunsAnywhere(t *testing.T) {
	t.Chdir(t.TempDir()) // the command starts there: no file to read
	p := startCommand(t, "demo", "-http", "")
	p.waitLine("web     * waiting for migrate (completed)")
	p.waitLine("migrate * finished (exit 0)")
	p.waitLines("web     | [pre_start] checking the config for :5100", // PORT: 5000 + 100 × its place in the file
		"web     | listening on :5100",
		"web     * healthy",                     // its liveness line came
		"batch   * finished (exit 0, next run ") // on its schedule
	p.signal(syscall.SIGINT)
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
}

// Names given after the flags run those processes and what they depend on,
// nothing else; an unknown name is an error that suggests a near one.
func TestRunsTheNamedProcesses(t *testing.T) {
	file := writeFile(t, "overseer.yaml", `processes:
  db: {command: echo db, restart: never}
  web: {command: echo web, restart: never, depends_on: [db]}
  worker: {command: echo worker, restart: never}
`)
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-f", file, "-http", "", "web"}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "web | web\n")
	assert.Contains(t, stdout.String(), "db  | db\n")
	assert.NotContains(t, stdout.String(), "worker")

	stdout.Reset()
	stderr.Reset()
	assert.Equal(t, 2, run([]string{"-f", file, "-http", "", "wbe"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `no process "wbe"`)
	assert.Contains(t, stderr.String(), "did you mean web?")
	assert.Empty(t, stdout.String(), "nothing started")
}

// "overseer start" with no server at the control socket is foreman's
// start: the file in the foreground.
func TestStartRunsTheFileWithoutAServer(t *testing.T) {
	t.Setenv(socketEnv, filepath.Join(shortDir(t), "c.sock")) // no server there
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte("a: echo from-a\nb: echo from-b\n"), 0o644))
	code, stdout, stderr := runIn(t, dir, "start", "-http", "", "b")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "b | from-b\n")
	assert.NotContains(t, stdout, "from-a")
}

// A set-up the library refuses before anything starts (a dependency
// cycle) is told and exits 2; the other processes do not run either.
func TestDependencyCycleIsAnError(t *testing.T) {
	file := writeFile(t, "cycle.yaml", `processes:
  a: {command: echo a, depends_on: [b]}
  b: {command: echo b, depends_on: [a]}
  c: {command: echo c, restart: never}
`)
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"-f", file, "-http", ""}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "a -> b -> a")
	assert.NotContains(t, stdout.String(), "c | c")
}

// A process that cannot run is told at once with its name, and the command
// exits 1: a listener on an address in use, a program that does not exist.
func TestProcessThatCannotRun(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	file := writeFile(t, "overseer.yaml", `processes:
  api:
    command: echo never
    listeners: [tcp://`+busy.Addr().String()+`]
  ghost:
    args: [overseer-test-no-such-program]
    max_restarts: 0
`)
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run([]string{"-f", file, "-http", ""}, &stdout, &stderr))
	out := stdout.String()
	assert.Regexp(t, `(?m)^api   \* fatal \(.*address already in use\)$`, out)
	assert.Regexp(t, `(?m)^ghost \* fatal \(.*overseer-test-no-such-program.*not found.*\)$`, out)
	assert.NotContains(t, out, "overseer: api:", "no doubled prefix")
	assert.NotContains(t, out, "ghost: overseer:", "no doubled prefix")
	assert.Contains(t, stderr.String(), "  api: ")
	assert.Contains(t, stderr.String(), "  ghost: ")
}

// With -exit-on-failure the first process that fails for good stops
// everything, and its exit code is the command's.
func TestExitOnFailure(t *testing.T) {
	file := writeFile(t, "overseer.yaml", `processes:
  steady: {command: exec sleep 1000}
  broken: {command: 'echo dying; exit 7', restart: never}
`)
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 7, run([]string{"-f", file, "-http", "", "-exit-on-failure"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "broken failed (exit 7)")
	assert.Contains(t, stdout.String(), "steady * interrupted\n", "stopped, as no failure")
}

// -timestamps begins every printed line with the time it was read.
func TestTimestamps(t *testing.T) {
	file := writeFile(t, "Procfile", "p: echo hello\n")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-f", file, "-http", "", "-timestamps"}, &stdout, &stderr), stderr.String())
	stamp := regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d\d\d p [|*] `)
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	require.NotEmpty(t, lines)
	for _, l := range lines {
		assert.Regexp(t, stamp, l)
	}
	assert.Contains(t, stdout.String(), " p | hello\n")

	stdout.Reset()
	require.Equal(t, 0, run([]string{"-f", file, "-http", ""}, &stdout, &stderr))
	assert.True(t, strings.HasPrefix(stdout.String(), "p "), "off by default: %q", stdout.String())
}

// STATUS= text is shown with the state, and a stop on request is no error.
func TestStatusTextAndStop(t *testing.T) {
	file := writeFile(t, "overseer.yaml", `processes:
  redisish:
    args: [`+prog+`, "status:Ready to accept connections", sleep]
    ready: notify
`)
	p := startCommand(t, "-f", file, "-http", "")
	p.waitLine("redisish * running: Ready to accept connections")
	p.signal(syscall.SIGINT)
	p.waitLine("redisish * stopping")
	end := p.waitLine("redisish * ")
	assert.Equal(t, "redisish * interrupted", end, "a stop asked for is not shown as an error")
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
}

// A program that goes to the background is named with a warning that says
// how to keep it in the foreground.
func TestDaemonizedWarningShown(t *testing.T) {
	file := writeFile(t, "Procfile", "forking: sleep 1000 & echo forked $!; exit 0\n")
	p := startCommand(t, "-f", file, "-http", "")
	line := p.waitLine("forking | forked ")
	pid, err := strconv.Atoi(strings.TrimPrefix(line, "forking | forked "))
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	w := p.waitLine("forking * warning: ")
	assert.Contains(t, w, "gone to the background")
	assert.Contains(t, w, "pid "+strconv.Itoa(pid))
	assert.Contains(t, w, "--nodaemon")
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
}

// The default dashboard address gives way to a free port when it is busy,
// and says so; an address asked for with -http that cannot be had is an
// error.
func TestDashboardPortBusy(t *testing.T) {
	file := writeFile(t, "Procfile", "p: exec sleep 1000\n")
	// 8080 is busy for the test either way: held here, or by someone else.
	if ln, err := net.Listen("tcp", defaultDashboard); err == nil {
		defer ln.Close()
	}
	p := startCommand(t, "-f", file)
	line := p.waitLine("overseer: dashboard at ")
	assert.Regexp(t, `^overseer: dashboard at http://127\.0\.0\.1:\d+/ \(8080 was busy\),`, line)
	assert.NotContains(t, line, ":8080/")
	p.signal(syscall.SIGINT)
	assert.Equal(t, 0, p.exitCode(), p.stderrText())

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"-f", file, "-http", busy.Addr().String()}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "address already in use")
}

// watch_files has its effect through the command, in -f and serve: a
// change to the file restarts the process.
func TestWatchFilesRestart(t *testing.T) {
	for _, mode := range []string{"-f", "serve"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			conf := filepath.Join(dir, "app.conf")
			require.NoError(t, os.WriteFile(conf, []byte("v1\n"), 0o644))
			file := filepath.Join(dir, "overseer.yaml")
			require.NoError(t, os.WriteFile(file, []byte(`processes:
  app:
    command: 'echo "config $(cat app.conf)"; exec sleep 1000'
    watch_files: [app.conf]
`), 0o644))
			args := []string{"-f", file, "-http", ""}
			if mode == "serve" {
				args = append([]string{"serve", "-socket", filepath.Join(dir, "ctl.sock")}, args...)
			}
			p := startCommand(t, args...)
			p.waitLine("app * running")
			p.waitLine("app | config v1")
			// Replaced by a rename, as deploy tools do.
			next := filepath.Join(dir, "app.conf.new")
			require.NoError(t, os.WriteFile(next, []byte("v2\n"), 0o644))
			require.NoError(t, os.Rename(next, conf))
			p.waitLine("app | config v2")
			// And written in place.
			require.NoError(t, os.WriteFile(conf, []byte("v3\n"), 0o644))
			p.waitLine("app | config v3")
			p.signal(syscall.SIGINT)
			assert.Equal(t, 0, p.exitCode(), p.stderrText())
		})
	}
}

// The .env beside the file, -env files and PORT reach every process, in
// -f and serve, as foreman sets them: PORT = base + 100 × the place in the
// file, the base from -port, else PORT of the env files, else 5000; a
// YAML env wins.
func TestEnvFilesAndPort(t *testing.T) {
	for _, mode := range []string{"-f", "serve"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, text string) string {
				path := filepath.Join(dir, name)
				require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
				return path
			}
			write(".env", "# beside the file\nexport GREETING=\"hello world\"\nWHO=dotenv\n")
			extra := write("extra.env", "WHO='from -env'\n")
			file := write("overseer.yaml", `processes:
  a: {command: 'echo "a $GREETING $WHO $PORT"; exec sleep 1000'}
  b: {command: 'echo "b $PORT"; exec sleep 1000'}
  c: {command: 'echo "c $PORT"; exec sleep 1000', env: {PORT: "9999"}}
`)
			for _, tc := range []struct {
				flags []string
				want  []string
			}{
				{nil, []string{"a | a hello world dotenv 5000", "b | b 5100", "c | c 9999"}},
				{[]string{"-port", "6000", "-env", extra}, []string{"a | a hello world from -env 6000", "b | b 6100", "c | c 9999"}},
			} {
				args := append([]string{"-f", file, "-http", ""}, tc.flags...)
				if mode == "serve" {
					args = append([]string{"serve", "-socket", filepath.Join(dir, "ctl.sock")}, args...)
				}
				p := startCommand(t, args...)
				p.waitLines(tc.want...)
				p.signal(syscall.SIGINT)
				assert.Equal(t, 0, p.exitCode(), p.stderrText())
			}
		})
	}
}

// A malformed .env line is a bad file: named with its line, exit 2,
// nothing started.
func TestBadEnvFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("OK=1\nnot a variable\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte("p: echo started\n"), 0o644))
	code, stdout, stderr := runIn(t, dir, "-http", "")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, ".env:2")
	assert.Empty(t, stdout)
}

// A process stopped on request (here from the dashboard) is no failure:
// when the rest has ended by itself, the command goes on serving the
// dashboard (the process can be started again there) until Ctrl-C, then
// exits 0.
func TestStopFromDashboardIsNoFailure(t *testing.T) {
	dir := t.TempDir()
	gate := filepath.Join(dir, "go")
	file := writeFile(t, "Procfile", "long: exec sleep 1000\njob: while [ ! -e "+gate+" ]; do sleep 0.01; done; echo done\n")
	p := startCommand(t, "-f", file, "-http", "127.0.0.1:0")
	line := p.waitLine("overseer: dashboard at ")
	m := regexp.MustCompile(`dashboard at (http://[^/]+)/.* token ([0-9a-f]+) for POST`).FindStringSubmatch(line)
	require.NotNil(t, m, line)
	p.waitLine("long * running")
	req, err := http.NewRequest("POST", m[1]+"/api/processes/long/stop", nil)
	require.NoError(t, err)
	req.Header.Set("X-Overseer-Token", m[2])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p.waitLine("long * interrupted")
	require.NoError(t, os.WriteFile(gate, nil, 0o644))
	p.waitLine("job  | done")
	p.waitLine("overseer: every process has ended; still serving the dashboard (Ctrl-C to quit)")
	resp, err = http.Get(m[1] + "/api/processes")
	require.NoError(t, err, "the dashboard still answers")
	require.NoError(t, resp.Body.Close())
	p.signal(syscall.SIGINT)
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
	assert.NotContains(t, p.stderrText(), "failed")
}

// "overseer start NAME" asks the server at the control socket when it runs
// the file of this directory, and runs the file here in the foreground
// when it runs another one.
func TestStartAsksTheServerOfThisFile(t *testing.T) {
	t.Setenv(socketEnv, filepath.Join(shortDir(t), "c.sock")) // the default socket, for the server and the clients
	served, other := t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(served, "Procfile"), []byte("web: exec sleep 1000\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(other, "Procfile"), []byte("web: echo from the other project\n"), 0o644))

	t.Chdir(served)
	p := startCommand(t, "serve", "-http", "")
	p.waitLine("web * running")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"stop", "web"}, &stdout, &stderr), stderr.String())
	p.waitLine("web * interrupted")

	stdout.Reset()
	require.Equal(t, 0, run([]string{"start", "web"}, &stdout, &stderr), stderr.String())
	assert.Regexp(t, `^web started \(pid \d+\)\n$`, stdout.String(), "asked the server")
	p.waitLine("web * running")

	t.Chdir(other)
	stdout.Reset()
	require.Equal(t, 0, run([]string{"start", "web"}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "web * running", "ran here, in the foreground")
	assert.Contains(t, stdout.String(), "web | from the other project\n")

	p.signal(syscall.SIGINT)
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
}
