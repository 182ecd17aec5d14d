//go:build unix

package config

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/overseer-go/overseer"
)

// printHost is the host's environment of the tests of WriteProcesses.
// (its last entry, not NAME=value, is left out as Load leaves it out).
var printHost = []string{"HOME=/root", "PATH=/usr/bin:/bin", "KEEP=same", "SECRET=hunter2", "USER=root", "BAD ENTRY"}

// hostEnv returns the environment of a process that gets the host's.
func hostEnv() []string { return slices.Clone(printHost[:len(printHost)-1]) }

// render writes procs over printHost.
func render(t *testing.T, procs []Process) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, writeProcesses(&b, procs, printHost))
	return b.String()
}

// reload loads text as a YAML file of a new directory, holding copies of
// the files named (from testdata/print), with opts.
func reload(t *testing.T, text string, opts Options, copies ...string) []Process {
	t.Helper()
	dir := t.TempDir()
	for _, name := range copies {
		data, err := os.ReadFile(filepath.Join("testdata/print", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
	}
	path := filepath.Join(dir, "printed.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	procs, err := Load(path, opts)
	require.NoError(t, err, "the written file:\n%s", text)
	return procs
}

// TestWriteRoundTrip: a file using every key, and a Procfile, loaded,
// written and loaded again over the same host's environment, give the
// same processes, field by field, and the same text once more.
func TestWriteRoundTrip(t *testing.T) {
	envFile := []string{"testdata/print/web.env"}
	for _, tc := range []struct {
		name        string
		file        string
		opts, again Options  // of the first load, and of the load of what it is written as
		copies      []string // files of testdata/print beside the written one
	}{
		{name: "yaml", file: "every.yaml"},
		{name: "yaml with its .env beside", file: "every.yaml", copies: []string{".env", "shared.env"}},
		{name: "yaml with -port", file: "every.yaml", opts: Options{BasePort: 6000}},
		{name: "procfile", file: "Procfile"},
		{name: "procfile with -env", file: "Procfile", opts: Options{EnvFiles: envFile}},
		// The same -env again changes nothing but the order of the
		// variables: those of -env come before those of the written env.
		{name: "procfile with -env twice", file: "Procfile", opts: Options{EnvFiles: envFile}, again: Options{EnvFiles: envFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Environ = printHost
			procs, err := Load(filepath.Join("testdata/print", tc.file), opts)
			require.NoError(t, err)
			text := render(t, procs)
			// Loaded again over the same host's environment; without
			// -port, since each PORT is in env.
			tc.again.Environ = printHost
			again := reload(t, text, tc.again, tc.copies...)
			require.Len(t, again, len(procs))
			inOrder := tc.again.EnvFiles == nil
			for i := range procs {
				sameProcess(t, procs[i], again[i], inOrder)
			}
			if inOrder {
				assert.Equal(t, text, render(t, again), "written twice")
			}
		})
	}
}

// sameProcess checks that b, loaded from what a was written as, is a:
// every setting of the Process and every exported field of its Cmd; its
// Env in the same order if inOrder, else the same variables.
func sameProcess(t *testing.T, a, b Process, inOrder bool) {
	t.Helper()
	assert.Equal(t, a.Name, b.Name)
	assert.Equal(t, a.Log, b.Log, "%s: Log", a.Name)
	assert.Equal(t, a.LogTimestamps, b.LogTimestamps, "%s: LogTimestamps", a.Name)
	assert.Equal(t, a.schedule, b.schedule, "%s: schedule", a.Name)
	assert.Equal(t, a.timezone, b.timezone, "%s: timezone", a.Name)
	va, vb := reflect.ValueOf(a.Cmd).Elem(), reflect.ValueOf(b.Cmd).Elem()
	for i := range va.NumField() {
		f := va.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		switch f.Name {
		case "Revision": // the command's digest of what it read, not a key
			continue
		case "Schedule":
			sameSchedule(t, a.Name, a.Cmd.Schedule, b.Cmd.Schedule)
			continue
		case "Env":
			if !inOrder {
				assert.ElementsMatch(t, x, y, "%s: Cmd.Env", a.Name)
				continue
			}
		}
		// Probes are pointers, or hold one (probe.Lines): DeepEqual
		// compares what they point to.
		assert.True(t, reflect.DeepEqual(x, y), "%s: Cmd.%s: %#v, then %#v", a.Name, f.Name, x, y)
	}
}

// sameSchedule checks that two schedules tick at the same times (a
// schedule holds its *time.Location, loaded anew for each).
func sameSchedule(t *testing.T, name string, a, b overseer.Schedule) {
	t.Helper()
	if a == nil || b == nil {
		assert.True(t, a == nil && b == nil, "%s: Schedule %v, then %v", name, a, b)
		return
	}
	ta := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // across a change of time in Europe
	tb := ta
	for range 50 {
		ta, tb = a.Next(ta), b.Next(tb)
		require.Equal(t, ta, tb, "%s: Schedule", name)
	}
}

// TestWriteEveryKey: testdata/print/every.yaml sets every key that is
// written, and every field of a Cmd that a file sets, to a value other
// than its default, so that TestWriteRoundTrip shows each one loads back.
func TestWriteEveryKey(t *testing.T) {
	procs, err := Load("testdata/print/every.yaml", Options{Environ: printHost})
	require.NoError(t, err)
	var doc struct {
		Processes map[string]map[string]any
	}
	require.NoError(t, yaml.Unmarshal([]byte(render(t, procs)), &doc))
	written := make(map[string]bool)
	for _, keys := range doc.Processes {
		for k := range keys {
			written[k] = true
		}
	}
	for _, k := range processKeys {
		if _, ok := notWritten[k]; !ok {
			assert.True(t, written[k], "no process of every.yaml has %s written: set it there", k)
		}
	}

	def := reflect.ValueOf(overseer.NewCmd("/bin/sh")).Elem()
	notInFiles := []string{"Stdout", "Stderr", "Revision"} // the command's, not a file's
	for i := range def.NumField() {
		f := def.Type().Field(i)
		if !f.IsExported() || slices.Contains(notInFiles, f.Name) {
			continue
		}
		set := false
		for _, p := range procs {
			set = set || !reflect.DeepEqual(reflect.ValueOf(p.Cmd).Elem().Field(i).Interface(), def.Field(i).Interface())
		}
		assert.True(t, set, "no process of every.yaml sets Cmd.%s: set it there (or give it a key and a writer)", f.Name)
	}
}

// TestWritersCoverKeys: every key of a process has a writer, or is in
// notWritten with its reason; so a new key cannot be left out of
// "overseer config".
func TestWritersCoverKeys(t *testing.T) {
	for _, k := range processKeys {
		_, w := writers[k]
		why, n := notWritten[k]
		switch {
		case !w && !n:
			t.Errorf("key %s has no writer: add one to writers (printkeys.go), or say in notWritten why it is never written", k)
		case w && n:
			t.Errorf("key %s has a writer and is in notWritten (%s)", k, why)
		}
	}
	for k := range writers {
		assert.Contains(t, processKeys, k, "a writer of a key that is not one")
	}
}

// TestWriteEnv: env holds what differs from the host's environment, and
// PORT; the host's own variables (its secrets) are not written; every $
// is doubled, so that a value is not expanded again.
func TestWriteEnv(t *testing.T) {
	procs, err := Load("testdata/print/every.yaml", Options{Environ: printHost})
	require.NoError(t, err)
	text := render(t, procs)
	assert.NotContains(t, text, "hunter2", "a variable of the host")
	assert.NotContains(t, text, "/usr/bin:/bin", "a variable of the host")
	assert.NotContains(t, text, "KEEP:", "a variable an env file sets to the host's value")
	assert.Contains(t, text, "SECRET: changed", "a variable of the host that env changes")

	again := reload(t, text, Options{Environ: printHost})
	env := envMap(again[1].Cmd.Env)
	assert.Equal(t, "${HOME} and $$ as written", env["LITERAL"], "a literal ${...} of an env file, expanded again")
	assert.Equal(t, "cost $5 and $HOME", env["DOLLAR"])
	assert.Equal(t, "hello root", env["GREETING"])
	assert.Equal(t, "7100", env["PORT"])
	assert.Equal(t, "hunter2", envMap(again[0].Cmd.Env)["SECRET"], "the host's, as it was")
	assert.Equal(t, []string{"./web", "-port", "7100", "$literal", "/root/x"}, again[1].Cmd.Args)
}

// envMap returns the variables of env by name.
func envMap(env []string) map[string]string {
	m := make(map[string]string)
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		m[name] = value
	}
	return m
}

// TestWriteDefaults: a process with every key left out is written with
// its command, dir and PORT alone.
func TestWriteDefaults(t *testing.T) {
	p := Process{Name: "web", Cmd: shell("./web $PORT")}
	p.Cmd.Dir = "/srv/web"
	p.Cmd.Env = append(hostEnv(), "PORT=5000")
	assert.Equal(t, printHeader+`processes:
  web:
    command: ./web $$PORT
    dir: /srv/web
    env:
      PORT: "5000"
`, render(t, []Process{p}))
}

// TestWriteProjectYAML: Project.WriteYAML writes its processes over the
// environment it was loaded with.
func TestWriteProjectYAML(t *testing.T) {
	file := "testdata/print/every.yaml"
	proj, err := LoadFiles([]string{file}, Options{Environ: printHost})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, proj.WriteYAML(&b, nil))
	procs, err := Load(file, Options{Environ: printHost})
	require.NoError(t, err)
	assert.Equal(t, render(t, procs), b.String())
}

// aProbe is a probe no file can give.
type aProbe struct{}

func (aProbe) Ready(context.Context, *overseer.ProbeRun) error { return nil }

// TestWriteErrors: what no file can give is an error naming the process
// and the key, and nothing is written.
func TestWriteErrors(t *testing.T) {
	base := func() Process {
		p := Process{Name: "web", Cmd: shell("./web")}
		p.Cmd.Env = hostEnv()
		return p
	}
	for _, tc := range []struct {
		name   string
		change func(p *Process)
		want   string
	}{
		{"unset host variable", func(p *Process) { p.Cmd.Env = []string{"A=b"} }, "web.env: HOME of the host's environment is not set"},
		{"schedule not from a file", func(p *Process) { p.Cmd.Schedule = cron.Every(time.Minute) }, "web.schedule: a schedule not read from a file"},
		{"probe of its own", func(p *Process) { p.Cmd.Ready = aProbe{} }, "web.ready: a probe of type config.aProbe"},
		{"no program", func(p *Process) { p.Cmd.Args = nil }, "web.args: no program"},
		{"signal number", func(p *Process) { p.Cmd.StopSignal = 77 }, "web.stop_signal: signal 77 has no name"},
		{"not UTF-8", func(p *Process) { p.Cmd.Env = append(p.Cmd.Env, "NAME=caf\xe9") }, `web.env: "caf\xe9" is not UTF-8`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.change(&p)
			var b bytes.Buffer
			err := WriteProcesses(&b, []Process{p}, printHost)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Zero(t, b.Len(), "written: %s", b.String())
		})
	}
}
