//go:build unix

package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/probe"
)

// interfaceSamples are values of the interface types of Cmd's fields, for
// TestRevisionCoversCmd: a field of another interface type needs one.
var interfaceSamples = map[reflect.Type]any{
	reflect.TypeFor[overseer.Probe]():    &probe.TCP{Addr: "localhost:1"},
	reflect.TypeFor[overseer.Checker]():  &probe.HTTP{URL: "http://localhost:1/"},
	reflect.TypeFor[overseer.Schedule](): cron.ConstantDelaySchedule{Delay: 60e9},
}

// changed returns a value of v's type that differs from v.
func changed(t *testing.T, where string, v reflect.Value) reflect.Value {
	t.Helper()
	typ := v.Type()
	out := reflect.New(typ).Elem()
	switch typ.Kind() {
	case reflect.Bool:
		out.SetBool(!v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		out.SetInt(v.Int() + 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		out.SetUint(v.Uint() + 1)
	case reflect.Float32, reflect.Float64:
		out.SetFloat(v.Float() + 1.5)
	case reflect.String:
		out.SetString(v.String() + "x")
	case reflect.Slice:
		out.Set(reflect.Append(deepCopy(v), changed(t, where+"[]", reflect.Zero(typ.Elem()))))
	case reflect.Map:
		out.Set(reflect.MakeMap(typ))
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), it.Value())
		}
		out.SetMapIndex(changed(t, where+" key", reflect.Zero(typ.Key())), changed(t, where+" value", reflect.Zero(typ.Elem())))
	case reflect.Struct:
		out.Set(v)
		for i := range typ.NumField() {
			if typ.Field(i).IsExported() {
				out.Field(i).Set(changed(t, where+"."+typ.Field(i).Name, v.Field(i)))
				return out
			}
		}
		t.Fatalf("%s: a struct without exported fields: how does a file set it?", where)
	case reflect.Pointer:
		out.Set(reflect.New(typ.Elem()))
		if !v.IsNil() {
			out.Elem().Set(changed(t, where, v.Elem()))
		}
	case reflect.Interface:
		sample, ok := interfaceSamples[typ]
		if !ok {
			t.Fatalf("%s: no sample of %v in interfaceSamples: add one", where, typ)
		}
		require.True(t, v.IsNil(), "%s: NewCmd sets an interface field", where)
		out.Set(reflect.ValueOf(sample))
	default:
		t.Fatalf("%s: a field of kind %v: can a file set it? Digest it, or list it in notDigested", where, typ.Kind())
	}
	return out
}

// Every exported field of overseer.Cmd is in the digest, but those
// notDigested lists, which a file does not set: a change of any changes
// the revision.
func TestRevisionCoversCmd(t *testing.T) {
	base := overseer.NewCmd("/bin/sh", "-c", "./web")
	want := revision(&Process{Cmd: base})
	typ := reflect.TypeFor[overseer.Cmd]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		if _, skip := notDigested[f.Name]; skip {
			continue
		}
		c := cloneCmd(base)
		field := reflect.ValueOf(c).Elem().Field(i)
		field.Set(changed(t, f.Name, field))
		assert.NotEqual(t, want, revision(&Process{Cmd: c}), "a change of %s changes nothing", f.Name)
		assert.Equal(t, want, revision(&Process{Cmd: base}), "changing the clone's %s changed the Cmd cloned", f.Name)
	}
	for name := range notDigested {
		_, ok := typ.FieldByName(name)
		assert.True(t, ok, "notDigested lists %s, not a field of Cmd", name)
	}
	assert.NotEqual(t, want, revision(&Process{Cmd: base, Log: "/tmp/log"}), "Log")
	assert.NotEqual(t, want, revision(&Process{Cmd: base, Log: "/tmp/log", LogTimestamps: true}),
		revision(&Process{Cmd: base, Log: "/tmp/log"}), "LogTimestamps")
}

// Probes and schedules count by value, never by address: equal values,
// equal revisions; different ones, different revisions.
func TestRevisionByValue(t *testing.T) {
	with := func(set func(c *overseer.Cmd)) string {
		c := overseer.NewCmd("/bin/sh")
		set(c)
		return revision(&Process{Cmd: c})
	}
	sched := func(spec string) overseer.Schedule {
		s, err := cron.ParseStandard(spec)
		require.NoError(t, err)
		return s
	}
	for _, c := range []struct {
		name string
		a, b func() func(*overseer.Cmd) // two makings of each: equal values from a, another from b
	}{
		{"tcp", func() func(*overseer.Cmd) {
			return func(c *overseer.Cmd) { c.Ready = &probe.TCP{Addr: "localhost:1"} }
		}, func() func(*overseer.Cmd) {
			return func(c *overseer.Cmd) { c.Ready = &probe.TCP{Addr: "localhost:2"} }
		}},
		{"line", func() func(*overseer.Cmd) {
			return func(c *overseer.Cmd) { c.Ready = probe.Line(regexp.MustCompile("ready")) }
		}, func() func(*overseer.Cmd) {
			return func(c *overseer.Cmd) { c.Ready = probe.Line(regexp.MustCompile("started")) }
		}},
		{"liveness command", func() func(*overseer.Cmd) {
			return func(c *overseer.Cmd) {
				c.Liveness = overseer.Liveness{Check: &probe.Command{Args: []string{"true"}, Env: []string{"A=1"}}, Failures: 2}
			}
		}, func() func(*overseer.Cmd) {
			return func(c *overseer.Cmd) {
				c.Liveness = overseer.Liveness{Check: &probe.Command{Args: []string{"true"}, Env: []string{"A=2"}}, Failures: 2}
			}
		}},
		{"schedule", func() func(*overseer.Cmd) {
			return func(c *overseer.Cmd) { c.Schedule = sched("CRON_TZ=Europe/Paris */5 * * * *") }
		}, func() func(*overseer.Cmd) {
			return func(c *overseer.Cmd) { c.Schedule = sched("CRON_TZ=Asia/Tokyo */5 * * * *") }
		}},
		{"limits", func() func(*overseer.Cmd) {
			return func(c *overseer.Cmd) {
				c.Limits = map[overseer.Resource]uint64{overseer.ResourceNOFILE: 10, overseer.ResourceCORE: 0, overseer.ResourceSTACK: 5}
			}
		}, func() func(*overseer.Cmd) {
			return func(c *overseer.Cmd) {
				c.Limits = map[overseer.Resource]uint64{overseer.ResourceNOFILE: 10, overseer.ResourceCORE: 1, overseer.ResourceSTACK: 5}
			}
		}},
	} {
		assert.Equal(t, with(c.a()), with(c.a()), "%s: the same value, made twice", c.name)
		assert.NotEqual(t, with(c.a()), with(c.b()), "%s: another value", c.name)
	}
}

// Two loads of an unchanged file give the same revisions; a change of one
// process's env, or of an env file one process reads, changes its revision
// only.
func TestRevisionOfLoads(t *testing.T) {
	const file = `processes:
  a:
    command: ./a
    env: {MODE: one}
    env_file: a.env
    ready: {tcp: "localhost:${PORT}"}
    liveness: {command: ./check, period: 5s}
    schedule: "*/5 * * * *"
    timezone: Europe/Paris
    limits: {nofile: 1024, core: 0}
    pre_start: [./migrate]
    log: a.log
  b:
    args: [./b, "${PORT}"]
    ready: {line: "listening"}
    listeners: [tcp://127.0.0.1:0]
    depends_on: {a: ready}
    replicas: 2
`
	dir := t.TempDir()
	path := filepath.Join(dir, "app.yaml")
	writeFiles(t, dir, map[string]string{"app.yaml": file, "a.env": "TOKEN=1\n"})
	revisions := func() map[string]string {
		t.Helper()
		pr, err := LoadFiles([]string{path}, testOptions())
		require.NoError(t, err)
		procs, err := pr.Processes(nil)
		require.NoError(t, err)
		out := make(map[string]string)
		for _, p := range procs {
			require.Len(t, p.Cmd.Revision, 16)
			out[p.Name] = p.Cmd.Revision
		}
		return out
	}
	first := revisions()
	require.Len(t, first, 3)
	assert.Equal(t, first, revisions(), "an unchanged file")

	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(file, "MODE: one", "MODE: two", 1)), 0o644))
	second := revisions()
	assert.NotEqual(t, first["a"], second["a"], "a's env changed")
	assert.Equal(t, first["b-1"], second["b-1"])
	assert.Equal(t, first["b-2"], second["b-2"])

	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.env"), []byte("TOKEN=2\n"), 0o644))
	third := revisions()
	assert.NotEqual(t, second["a"], third["a"], "a's env file changed")
	assert.Equal(t, second["b-1"], third["b-1"])

	require.NoError(t, os.WriteFile(path, []byte(file), 0o644))
	base := revisions()
	for _, c := range []struct{ old, new, changes string }{
		{"nofile: 1024", "nofile: 2048", "a"},
		{"*/5 * * * *", "*/6 * * * *", "a"},
		{"Europe/Paris", "Asia/Tokyo", "a"},
		{"period: 5s", "period: 6s", "a"},
		{"listening", "ready", "b"},
		{"tcp://127.0.0.1:0", "tcp://127.0.0.1:1", "b"},
		{"{a: ready}", "{a: healthy}", "b"},
	} {
		require.NoError(t, os.WriteFile(path, []byte(strings.Replace(file, c.old, c.new, 1)), 0o644))
		got := revisions()
		for name, rev := range base {
			if strings.TrimRight(name, "-12") == c.changes {
				assert.NotEqual(t, rev, got[name], "%s -> %s: %s", c.old, c.new, name)
			} else {
				assert.Equal(t, rev, got[name], "%s -> %s: %s", c.old, c.new, name)
			}
		}
	}
}
