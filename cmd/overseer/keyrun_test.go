//go:build linux

package main

// One test per process key of the YAML reference (the package doc of
// internal/config), each showing the key's effect through the command, in
// both modes that read a file: "overseer -f FILE" and "overseer serve -f
// FILE -socket PATH". watch_files is shown by TestWatchFilesRestart
// (file_test.go), in both modes too.
//
// Times are only ever bounded from below (with -timestamps, which print
// the times of the changes to the millisecond): a key that makes something
// wait is shown by the wait, never by how little time something took.
//
// This file is the harness: a run of the command on a YAML file, whose
// lines it reads. The tests are in keys_test.go and keys_ready_test.go.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyModes are the modes of the command that read a file.
var keyModes = []string{"-f", "serve"}

// forModes runs test in each mode, as parallel subtests.
func forModes(t *testing.T, test func(t *testing.T, mode string)) {
	t.Helper()
	for _, mode := range keyModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			test(t, mode)
		})
	}
}

// keyRun is the command running the YAML file of a test in one mode, its
// output read line by line and kept.
type keyRun struct {
	t      *testing.T
	mode   string
	dir    string // the file's directory, the test's own
	file   string
	socket string // serve's control socket; "" with -f
	stamps bool   // -timestamps
	p      *process
	lines  []keyLine // stdout so far
	ended  bool      // stdout is closed: the command has ended

	dashboard string // the dashboard's URL, with -http 127.0.0.1:0
	token     string // for its POST requests
}

// keyLine is a line the command printed.
type keyLine struct {
	text string    // without the time, the padding after a process name squeezed to one space
	at   time.Time // with -timestamps: the time printed (of the day only)
}

// newKeys writes yaml to overseer.yaml in a new directory, after replacing
// {prog} with the test program and {dir} with the directory. The test may
// put more files there before calling start.
func newKeys(t *testing.T, mode, yaml string) *keyRun {
	t.Helper()
	k := &keyRun{t: t, mode: mode, dir: t.TempDir()}
	k.file = filepath.Join(k.dir, "overseer.yaml")
	yaml = strings.NewReplacer("{prog}", prog, "{dir}", k.dir).Replace(yaml)
	require.NoError(t, os.WriteFile(k.file, []byte(yaml), 0o644))
	return k
}

// startKeys is newKeys, then start.
func startKeys(t *testing.T, mode, yaml string, flags ...string) *keyRun {
	t.Helper()
	k := newKeys(t, mode, yaml)
	k.start(flags...)
	return k
}

// dashboardFlags serve the dashboard on a free port (start reads its
// address).
var dashboardFlags = []string{"-http", "127.0.0.1:0"}

// dashboardLine is what the command says of its dashboard.
var dashboardLine = regexp.MustCompile(`^overseer: dashboard at (http://[^/ ]+)/.* token (\S+) for POST requests$`)

// start starts the command on the file with flags, without a dashboard
// unless they ask for one; with serve, once the control socket is up.
func (k *keyRun) start(flags ...string) {
	k.t.Helper()
	args := append([]string{"-f", k.file, "-http", ""}, flags...)
	if k.mode == "serve" {
		k.socket = filepath.Join(k.dir, "ctl.sock")
		args = append([]string{"serve", "-socket", k.socket}, args...)
	}
	k.stamps = slices.Contains(flags, "-timestamps")
	k.p = startCommand(k.t, args...)
	if k.mode == "serve" {
		k.wait("overseer: control socket at ")
	}
	if i := slices.Index(flags, "-http"); i >= 0 && i+1 < len(flags) && flags[i+1] != "" {
		m := dashboardLine.FindStringSubmatch(k.lines[k.wait("overseer: dashboard at ")].text)
		require.NotNil(k.t, m, "the dashboard's line")
		k.dashboard, k.token = m[1], m[2]
	}
}

// stampedLine is a line of -timestamps: the time, then the rest.
var stampedLine = regexp.MustCompile(`^(\d\d:\d\d:\d\d\.\d\d\d) (.*)$`)

// processLine is a line about a process: its name, padded, and the mark.
var processLine = regexp.MustCompile(`^(\S+) +([|!*] .*)$`)

// read reads one more line of stdout, and returns false at its end.
func (k *keyRun) read(deadline <-chan time.Time, what string) bool {
	k.t.Helper()
	if k.ended {
		return false
	}
	select {
	case l, ok := <-k.p.lines:
		if !ok {
			k.ended = true
			return false
		}
		var kl keyLine
		if m := stampedLine.FindStringSubmatch(l); k.stamps && m != nil {
			at, err := time.Parse("15:04:05.000", m[1])
			require.NoError(k.t, err)
			kl.at, l = at, m[2]
		}
		if m := processLine.FindStringSubmatch(l); m != nil {
			l = m[1] + " " + m[2]
		}
		kl.text = l
		k.lines = append(k.lines, kl)
		return true
	case <-deadline:
		k.t.Fatalf("no %s in 20s; output:\n%s\nstderr: %s", what, k.output(), k.p.stderrText())
	}
	return false
}

// output is the output read so far, for failure messages.
func (k *keyRun) output() string {
	var b strings.Builder
	for _, l := range k.lines {
		b.WriteString(l.text + "\n")
	}
	return b.String()
}

// waitFrom waits for a line at index from or after that begins with
// prefix, and returns its index.
func (k *keyRun) waitFrom(from int, prefix string) int {
	k.t.Helper()
	deadline := time.After(20 * time.Second)
	for i := from; ; i++ {
		for i >= len(k.lines) {
			if !k.read(deadline, fmt.Sprintf("line %q", prefix)) {
				k.t.Fatalf("no line %q before the end of the output:\n%s\nstderr: %s", prefix, k.output(), k.p.stderrText())
			}
		}
		if strings.HasPrefix(k.lines[i].text, prefix) {
			return i
		}
	}
}

// wait waits for a line that begins with prefix (the first one, even if
// read before), and returns its index.
func (k *keyRun) wait(prefix string) int {
	k.t.Helper()
	return k.waitFrom(0, prefix)
}

// waitAny waits for the first line that begins with one of prefixes, and
// returns its index.
func (k *keyRun) waitAny(prefixes ...string) int {
	k.t.Helper()
	deadline := time.After(20 * time.Second)
	for i := 0; ; i++ {
		for i >= len(k.lines) {
			if !k.read(deadline, fmt.Sprintf("line of %q", prefixes)) {
				k.t.Fatalf("none of %q before the end of the output:\n%s\nstderr: %s", prefixes, k.output(), k.p.stderrText())
			}
		}
		for _, prefix := range prefixes {
			if strings.HasPrefix(k.lines[i].text, prefix) {
				return i
			}
		}
	}
}

// index returns the index of the first line read that begins with prefix,
// or -1.
func (k *keyRun) index(prefix string) int {
	return slices.IndexFunc(k.lines, func(l keyLine) bool { return strings.HasPrefix(l.text, prefix) })
}

// count returns how many of the lines read begin with prefix.
func (k *keyRun) count(prefix string) int {
	n := 0
	for _, l := range k.lines {
		if strings.HasPrefix(l.text, prefix) {
			n++
		}
	}
	return n
}

// text returns the text of line i.
func (k *keyRun) text(i int) string { return k.lines[i].text }

// gap returns the time from line i to line j, as printed with -timestamps.
// The times are cut to the millisecond: the true gap may be up to 1ms more.
func (k *keyRun) gap(i, j int) time.Duration {
	k.t.Helper()
	require.True(k.t, k.stamps, "gap needs -timestamps")
	d := k.lines[j].at.Sub(k.lines[i].at)
	if d < 0 {
		d += 24 * time.Hour // over midnight
	}
	return d
}

// atLeast asserts that the gap from line i to line j is want or more (less
// the millisecond the printed times may have lost).
func (k *keyRun) atLeast(i, j int, want time.Duration) {
	k.t.Helper()
	assert.GreaterOrEqual(k.t, k.gap(i, j), want-time.Millisecond, "from %q to %q", k.text(i), k.text(j))
}

// exit reads the output to its end and returns the command's exit status.
func (k *keyRun) exit() int {
	k.t.Helper()
	deadline := time.After(20 * time.Second)
	for k.read(deadline, "end of the output") {
	}
	return k.p.exitCode()
}

// finish waits until every process has ended for good and returns the
// command's exit status: with -f the command ends by itself; serve says so
// and goes on, so serving (if not nil) is called then, while it answers,
// and the command is then interrupted.
func (k *keyRun) finish(serving func()) int {
	k.t.Helper()
	if k.mode == "serve" {
		k.wait("overseer: every process has ended")
		if serving != nil {
			serving()
		}
		k.p.signal(syscall.SIGINT)
	}
	return k.exit()
}

// interrupt stops the command with SIGINT (Ctrl-C) and returns its exit
// status.
func (k *keyRun) interrupt() int {
	k.t.Helper()
	k.p.signal(syscall.SIGINT)
	return k.exit()
}

// stop stops process name as a user would: with -f, Ctrl-C (which stops
// everything); with serve, "overseer stop NAME".
func (k *keyRun) stop(name string) {
	k.t.Helper()
	if k.mode == "-f" {
		k.p.signal(syscall.SIGINT)
		return
	}
	k.client("stop", name)
}

// client runs "overseer OP -socket S ARGS..." in-process and returns what
// it printed; it must succeed.
func (k *keyRun) client(op string, args ...string) string {
	k.t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{op, "-socket", k.socket}, args...), &stdout, &stderr)
	require.Equal(k.t, 0, code, "overseer %s %q: %s", op, args, stderr.String())
	return stdout.String()
}

// status returns the state and the restarts of process name, as "overseer
// status" prints them.
func (k *keyRun) status(name string) (state string, restarts int) {
	k.t.Helper()
	out := k.client("status")
	for _, row := range strings.Split(out, "\n")[1:] {
		f := strings.Fields(row)
		if len(f) >= 5 && f[0] == name {
			n, err := strconv.Atoi(f[3])
			require.NoError(k.t, err, row)
			return f[1], n
		}
	}
	k.t.Fatalf("no process %s in:\n%s", name, out)
	return "", 0
}

// kept returns the lines process name keeps, as a user reads them: with
// serve "overseer logs NAME", with -f the dashboard.
func (k *keyRun) kept(name string) []string {
	k.t.Helper()
	if k.mode == "serve" {
		var texts []string
		for _, line := range strings.Split(strings.TrimSuffix(k.client("logs", name), "\n"), "\n") {
			texts = append(texts, strings.TrimPrefix(line, name+" | "))
		}
		return texts
	}
	var body struct {
		Lines []struct{ Text string } `json:"lines"`
	}
	k.getJSON("/api/processes/"+name+"/logs", &body)
	var texts []string
	for _, l := range body.Lines {
		texts = append(texts, l.Text)
	}
	return texts
}

// httpClient bounds every request of the tests.
var httpClient = &http.Client{Timeout: 10 * time.Second}

// getJSON reads path of the dashboard into v.
func (k *keyRun) getJSON(path string, v any) {
	k.t.Helper()
	require.NotEmpty(k.t, k.dashboard, "no dashboard: start with dashboardFlags")
	resp, err := httpClient.Get(k.dashboard + path)
	require.NoError(k.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(k.t, err)
	require.Equal(k.t, http.StatusOK, resp.StatusCode, "GET %s: %s", path, data)
	require.NoError(k.t, json.Unmarshal(data, v), "%s", data)
}

// touch makes an empty file in the test's directory.
func (k *keyRun) touch(name string) {
	k.t.Helper()
	require.NoError(k.t, os.WriteFile(filepath.Join(k.dir, name), nil, 0o644))
}

// fastBackoff makes the restarts of a test quick.
const fastBackoff = "backoff: {min: 10ms, max: 10ms}"
