//go:build unix

package overseer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hostile values given to every public function: each must give a clear
// error (one that errors.Is recognizes and that names what is wrong) or do
// what the documentation says, and never panic or hang.

// safely runs f and returns its result. A panic or a call that does not
// return within waitTimeout fails t, with the panic's stack, instead of
// crashing or hanging the test binary.
func safely[T any](t *testing.T, what string, f func() T) T {
	t.Helper()
	type result struct {
		v     T
		panic any
		stack []byte
	}
	ch := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.panic, r.stack = p, debug.Stack()
			}
			ch <- r
		}()
		r.v = f()
	}()
	select {
	case r := <-ch:
		if r.stack != nil {
			t.Fatalf("%s panicked: %v\n%s", what, r.panic, r.stack)
		}
		return r.v
	case <-time.After(waitTimeout):
		t.Fatalf("%s did not return within %v", what, waitTimeout)
		panic("unreachable")
	}
}

// safelyDo is safely for a function that returns nothing.
func safelyDo(t *testing.T, what string, f func()) {
	t.Helper()
	safely(t, what, func() struct{} { f(); return struct{}{} })
}

// errByText marks an expected error that wraps no sentinel: only its text
// is checked.
var errByText = errors.New("an error recognized by its text")

// requireErr checks that err wraps is (unless is is errByText) and that its
// text contains every one of mentions.
func requireErr(t *testing.T, err, is error, what string, mentions ...string) {
	t.Helper()
	require.Error(t, err, what)
	if is != errByText {
		require.ErrorIs(t, err, is, what)
	}
	for _, m := range mentions {
		assert.Contains(t, err.Error(), m, "%s: the error does not name %q", what, m)
	}
}

// hostileIDs are ids that CheckID must refuse, and valid ones that look odd
// but follow the documented rule (letters and digits of any script).
var hostileIDs = []struct {
	name  string
	id    string
	valid bool
}{
	{"empty", "", false},
	{"10 KB", strings.Repeat("a", 10<<10), false},
	{"257 bytes", strings.Repeat("a", 257), false},
	{"inner space", "a b", false},
	{"leading space", " a", false},
	{"trailing space", "a ", false},
	{"slash", "a/b", false},
	{"only a slash", "/", false},
	{"path escape", "../etc", false},
	{"backslash", `a\b`, false},
	{"NUL", "a\x00b", false},
	{"newline", "a\nb", false},
	{"tab", "a\tb", false},
	{"ANSI escape", "\x1b[31mred", false},
	{"DEL", "a\x7f", false},
	{"invalid UTF-8", "a\xffb", false},
	{"truncated UTF-8", "\xc3", false},
	{"UTF-8 surrogate", "\xed\xa0\x80", false},
	{"dot", ".", false},
	{"dot dot", "..", false},
	{"zero-width space", "a\u200bb", false},
	{"right-to-left override", "a\u202eb", false},
	{"no-break space", "a\u00a0b", false},
	{"combining mark (NFD é)", "e\u0301", false},
	{"emoji", "\U0001F600", false},
	{"percent", "a%2Fb", false},
	{"query", "a?b", false},
	{"shell", "a;rm", false},
	{"CJK letters", "日本語", true},
	{"Greek", "Ωmega", true},
	{"Latin with diacritic (NFC é)", "wëb-1", true},
	{"Arabic-Indic digits", "١٢٣", true},
	{"fullwidth letters", "ｗｅｂ", true},
	{"titlecase letter", "ǅ", true},
	{"three dots", "...", true},
	{"dots then a letter", "..a", true},
	{"leading dash", "-rf", true},
	{"every mark", "a:b@c+d_e.f-g", true},
	{"256 bytes of 2-byte runes", strings.Repeat("é", 128), true},
}

func TestBadInputIDs(t *testing.T) {
	o := newTestOverseer(t)
	for _, tt := range hostileIDs {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.id
			var c *Cmd
			err := safely(t, "Add", func() (err error) { c, err = o.Add(id, childPath); return err })
			if !tt.valid {
				requireErr(t, err, ErrInvalid, "Add")
				switch {
				case id == "":
					assert.Contains(t, err.Error(), "empty id")
				case len(id) > maxIDBytes:
					assert.Contains(t, err.Error(), fmt.Sprintf("%d bytes", len(id)))
					assert.Less(t, len(err.Error()), 200, "the error repeats a long id")
				default:
					assert.Contains(t, err.Error(), fmt.Sprintf("%q", id), "the error quotes the id")
				}
			} else {
				require.NoError(t, err)
			}
			if tt.valid {
				require.NotNil(t, c)
				assert.True(t, o.HasProc(id))
				assert.Contains(t, o.ListAll(), id)
				assert.Equal(t, id, status(t, o, id).ID)
				assert.Equal(t, StateInitial, status(t, o, id).State)
				require.NoError(t, o.Remove(id))
				return
			}
			assert.Nil(t, c)
			err = safely(t, "AddCmd", func() error { return o.AddCmd(id, NewCmd(childPath)) })
			requireErr(t, err, ErrInvalid, "AddCmd")
			assert.False(t, o.HasProc(id))
			assert.Empty(t, o.ListGroup(id))

			// Refused ids are unknown to every call that takes an id,
			// which says so, quoting the id.
			calls := map[string]func() error{
				"Remove":    func() error { return o.Remove(id) },
				"Start":     func() error { return o.Start(id) },
				"Supervise": func() error { return o.Supervise(context.Background(), id) },
				"Stop":      func() error { return o.Stop(id) },
				"Restart":   func() error { return o.Restart(id) },
				"Signal":    func() error { return o.Signal(id, syscall.SIGTERM) },
				"Signal 0":  func() error { return o.Signal(id, 0) },
				"Status":    func() error { _, err := o.Status(id); return err },
				"ToJSON":    func() error { _, err := o.ToJSON(id); return err },
				"Cmd":       func() error { _, err := o.Cmd(id); return err },
			}
			for name, call := range calls {
				err := safely(t, name, call)
				requireErr(t, err, ErrNotFound, name, fmt.Sprintf("%q", id))
			}
		})
	}
	assert.Empty(t, o.ListAll(), "nothing stayed registered")
}

func TestBadInputAdd(t *testing.T) {
	o := newTestOverseer(t)
	noProgram := map[string][]string{
		"no args":              nil,
		"empty args":           {},
		"empty program":        {""},
		"empty program, args":  {"", "-x"},
		"empty program, space": {"", " "},
	}
	for name, args := range noProgram {
		err := safely(t, "Add "+name, func() error { _, err := o.Add("p", args...); return err })
		requireErr(t, err, ErrInvalid, "Add "+name, "no program")
		assert.False(t, o.HasProc("p"), name)
	}

	// A bad id and no program: one of the two is reported, as ErrInvalid.
	err := safely(t, "Add with a bad id and no program", func() error { _, err := o.Add("a\nb"); return err })
	requireErr(t, err, ErrInvalid, "Add with a bad id and no program")

	requireErr(t, safely(t, "AddCmd nil", func() error { return o.AddCmd("p", nil) }), ErrInvalid, "AddCmd nil", "nil Cmd")
	requireErr(t, safely(t, "AddCmd nil with a bad id", func() error { return o.AddCmd("", nil) }), ErrInvalid, "AddCmd nil with a bad id")
	assert.Empty(t, o.ListAll())

	// A Cmd with no program is registered: its configuration is checked
	// when it starts, every way it can start, and nothing changes.
	empty := &Cmd{}
	require.NoError(t, o.AddCmd("empty", empty))
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"Start":     func() error { return o.Start("empty") },
		"Supervise": func() error { return o.Supervise(ctx, "empty") },
		"Restart":   func() error { return o.Restart("empty") },
		"Cmd.Start": empty.Start,
	} {
		requireErr(t, safely(t, name, call), ErrInvalid, name, "Args")
		assert.Equal(t, StateInitial, status(t, o, "empty").State, name)
	}
	err = safely(t, "SuperviseAll", func() error { return o.SuperviseAll(ctx) })
	requireErr(t, err, ErrInvalid, "SuperviseAll", "Args")

	// Taken ids and Cmds.
	c, err := o.Add("taken", childPath, "ready", "sleep")
	require.NoError(t, err)
	requireErr(t, safely(t, "Add a taken id", func() error { _, err := o.Add("taken", childPath); return err }),
		ErrExists, "Add a taken id", "taken")
	requireErr(t, safely(t, "AddCmd a taken id", func() error { return o.AddCmd("taken", NewCmd(childPath)) }),
		ErrExists, "AddCmd a taken id", "taken")
	requireErr(t, safely(t, "AddCmd a registered Cmd", func() error { return o.AddCmd("again", c) }),
		ErrInvalid, "AddCmd a registered Cmd")

	// A running process cannot be started again or removed.
	require.NoError(t, o.Start("taken"))
	waitLine(t, c, "ready")
	requireErr(t, safely(t, "Start running", func() error { return o.Start("taken") }), ErrRunning, "Start running", "taken")
	requireErr(t, safely(t, "Cmd.Start running", c.Start), ErrRunning, "Cmd.Start running", "taken")
	requireErr(t, safely(t, "Remove running", func() error { return o.Remove("taken") }), ErrRunning, "Remove running", "taken")
	require.NoError(t, safely(t, "Stop", func() error { return o.Stop("taken") }))
	require.NoError(t, o.Remove("taken"))
	require.NoError(t, o.Remove("empty"))
	assert.Empty(t, o.ListAll())
}

// funcWriter is a writer of a type that cannot be compared.
type funcWriter func([]byte) (int, error)

func (f funcWriter) Write(p []byte) (int, error) { return f(p) }

// boxWriter is a writer of a comparable type whose values may hold one that
// is not: comparing two of them can panic.
type boxWriter struct{ box any }

func (boxWriter) Write(p []byte) (int, error) { return len(p), nil }

// configCase is a Cmd configuration to try. The Cmd runs the test child,
// which prints "hello" and exits 0, unless set changes that.
type configCase struct {
	name     string
	set      func(t *testing.T, dir string, c *Cmd) // dir: a temporary directory of the test (see configDir)
	is       error                                  // nil: accepted, the run works
	mentions []string                               // what the error names
	fatal    bool                                   // the program cannot be started: the error comes from the attempt and the state is fatal
	check    func(t *testing.T, c *Cmd)             // more checks after an accepted run
	bug      string                                 // a known bug: the case is skipped with this reason
}

// configDir makes a directory for configCases: prog (the test child), bin/prog,
// plain (not executable), empty (executable, empty), loop (a symbolic link to
// itself) and sub (a directory).
func configDir(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "bin"), 0o755))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.Symlink(childPath, filepath.Join(dir, "prog")))
	require.NoError(t, os.Symlink(childPath, filepath.Join(dir, "bin", "prog")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plain"), []byte("#!/bin/sh\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "empty"), nil, 0o755))
	require.NoError(t, os.Symlink(filepath.Join(dir, "loop"), filepath.Join(dir, "loop")))
	return dir
}

func setProgram(prog string) func(*testing.T, string, *Cmd) {
	return func(t *testing.T, dir string, c *Cmd) { c.Args[0] = strings.ReplaceAll(prog, "$DIR", dir) }
}

var badConfigs = []configCase{
	// Unusable values: ErrInvalid naming the field, nothing tried.
	{name: "Args nil", set: func(_ *testing.T, _ string, c *Cmd) { c.Args = nil }, is: ErrInvalid, mentions: []string{"Args"}},
	{name: "Args empty", set: func(_ *testing.T, _ string, c *Cmd) { c.Args = []string{} }, is: ErrInvalid, mentions: []string{"Args"}},
	{name: "program empty", set: setProgram(""), is: ErrInvalid, mentions: []string{"Args"}},
	{name: "Env entry without =", set: func(_ *testing.T, _ string, c *Cmd) { c.Env = []string{"A=1", "PATH"} }, is: ErrInvalid, mentions: []string{"Env", `"PATH"`}},
	{name: "Env entry empty", set: func(_ *testing.T, _ string, c *Cmd) { c.Env = []string{""} }, is: ErrInvalid, mentions: []string{"Env", `""`}},
	{name: "StopSignal -1", set: func(_ *testing.T, _ string, c *Cmd) { c.StopSignal = -1 }, is: ErrInvalid, mentions: []string{"StopSignal", "-1"}},
	{name: "StopSignal 65", set: func(_ *testing.T, _ string, c *Cmd) { c.StopSignal = 65 }, is: ErrInvalid, mentions: []string{"StopSignal", "65"}},
	{name: "StopSignal 1000", set: func(_ *testing.T, _ string, c *Cmd) { c.StopSignal = 1000 }, is: ErrInvalid, mentions: []string{"StopSignal", "1000"}},
	{name: "StopSignal 1<<40", set: func(_ *testing.T, _ string, c *Cmd) { c.StopSignal = 1 << 40 }, is: ErrInvalid, mentions: []string{"StopSignal"}},
	{name: "StopTimeout negative", set: func(_ *testing.T, _ string, c *Cmd) { c.StopTimeout = -1 }, is: ErrInvalid, mentions: []string{"StopTimeout"}},
	{name: "StopTimeout most negative", set: func(_ *testing.T, _ string, c *Cmd) { c.StopTimeout = math.MinInt64 }, is: ErrInvalid, mentions: []string{"StopTimeout"}},
	{name: "BufferLines negative", set: func(_ *testing.T, _ string, c *Cmd) { c.BufferLines = -1 }, is: ErrInvalid, mentions: []string{"BufferLines"}},
	{name: "BufferLines most negative", set: func(_ *testing.T, _ string, c *Cmd) { c.BufferLines = math.MinInt }, is: ErrInvalid, mentions: []string{"BufferLines"}},
	{name: "BufferBytes negative", set: func(_ *testing.T, _ string, c *Cmd) { c.BufferBytes = -1 }, is: ErrInvalid, mentions: []string{"BufferBytes"}},
	{name: "MaxLineBytes negative", set: func(_ *testing.T, _ string, c *Cmd) { c.MaxLineBytes = -1 }, is: ErrInvalid, mentions: []string{"MaxLineBytes"}},
	{name: "MaxLineBytes above 1 GiB", set: func(_ *testing.T, _ string, c *Cmd) { c.MaxLineBytes = 1<<30 + 1 }, is: ErrInvalid, mentions: []string{"MaxLineBytes"}},
	{name: "MaxLineBytes largest int", set: func(_ *testing.T, _ string, c *Cmd) { c.MaxLineBytes = math.MaxInt }, is: ErrInvalid, mentions: []string{"MaxLineBytes"}},
	{name: "ResetAfter negative", set: func(_ *testing.T, _ string, c *Cmd) { c.ResetAfter = -time.Second }, is: ErrInvalid, mentions: []string{"ResetAfter"}},
	{name: "StartDelay negative", set: func(_ *testing.T, _ string, c *Cmd) { c.StartDelay = -1 }, is: ErrInvalid, mentions: []string{"StartDelay"}},
	{name: "MemoryLimit negative", set: func(_ *testing.T, _ string, c *Cmd) { c.MemoryLimit = -1 }, is: ErrInvalid, mentions: []string{"MemoryLimit"}},
	{name: "CPUQuota negative", set: func(_ *testing.T, _ string, c *Cmd) { c.CPUQuota = -0.5 }, is: ErrInvalid, mentions: []string{"CPUQuota"}},
	{name: "CPUQuota NaN", set: func(_ *testing.T, _ string, c *Cmd) { c.CPUQuota = math.NaN() }, is: ErrInvalid, mentions: []string{"CPUQuota"}},
	{name: "CPUQuota infinite", set: func(_ *testing.T, _ string, c *Cmd) { c.CPUQuota = math.Inf(1) }, is: ErrInvalid, mentions: []string{"CPUQuota"}},
	{name: "CPUQuota below 1%", set: func(_ *testing.T, _ string, c *Cmd) { c.CPUQuota = 0.001 }, is: ErrInvalid, mentions: []string{"CPUQuota", "1%"}},
	{name: "TasksMax negative", set: func(_ *testing.T, _ string, c *Cmd) { c.TasksMax = -1 }, is: ErrInvalid, mentions: []string{"TasksMax"}},
	{name: "Backoff.Min negative", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Min = -1 }, is: ErrInvalid, mentions: []string{"Backoff.Min"}},
	{name: "Backoff.Max negative", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Max = -1 }, is: ErrInvalid, mentions: []string{"Backoff.Max"}},
	{name: "Backoff inverted", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Min, c.Backoff.Max = time.Second, 10*time.Millisecond },
		is: ErrInvalid, mentions: []string{"Backoff.Min 1s", "Backoff.Max 10ms"}},
	// Only Max is set, below the default Min: the default Min gives way
	// (Min becomes Max) instead of contradicting what the caller wrote.
	{name: "Backoff.Max below the default Min", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff = Backoff{Max: 50 * time.Millisecond} }},
	{name: "Backoff.Factor below 1", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Factor = 0.5 }, is: ErrInvalid, mentions: []string{"Backoff.Factor"}},
	{name: "Backoff.Factor negative", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Factor = -1 }, is: ErrInvalid, mentions: []string{"Backoff.Factor"}},
	{name: "Backoff.Factor tiny", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Factor = math.SmallestNonzeroFloat64 }, is: ErrInvalid, mentions: []string{"Backoff.Factor"}},
	{name: "Backoff.Factor NaN", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Factor = math.NaN() }, is: ErrInvalid, mentions: []string{"Backoff.Factor", "NaN"}},
	{name: "Backoff.Factor -Inf", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Factor = math.Inf(-1) }, is: ErrInvalid, mentions: []string{"Backoff.Factor"}},
	{name: "Restart 3", set: func(_ *testing.T, _ string, c *Cmd) { c.Restart = 3 }, is: ErrInvalid, mentions: []string{"Restart", "3"}},
	{name: "Restart 255", set: func(_ *testing.T, _ string, c *Cmd) { c.Restart = 255 }, is: ErrInvalid, mentions: []string{"Restart", "255"}},

	// Programs that cannot be started: the exec error, naming the program
	// or the directory.
	{name: "program not in PATH", set: setProgram("overseer-no-such-program"), is: exec.ErrNotFound, fatal: true, mentions: []string{"overseer-no-such-program"}},
	// No slash: looked up in PATH, not in Dir, as documented.
	{name: "program without slash, only in Dir", set: func(_ *testing.T, dir string, c *Cmd) { c.Args[0], c.Dir = "prog", dir },
		is: exec.ErrNotFound, fatal: true, mentions: []string{`"prog"`}},
	{name: "relative program missing", set: setProgram("./overseer-no-such-program"), is: fs.ErrNotExist, fatal: true, mentions: []string{"./overseer-no-such-program"}},
	{name: "relative program missing in Dir", set: func(_ *testing.T, dir string, c *Cmd) { c.Args[0], c.Dir = "./missing", dir },
		is: fs.ErrNotExist, fatal: true, mentions: []string{"./missing"}},
	{name: "program is a directory", set: setProgram("$DIR/sub"), is: syscall.EISDIR, fatal: true, mentions: []string{"sub"}},
	{name: "program is a relative directory", set: setProgram("./testdata"), is: syscall.EISDIR, fatal: true, mentions: []string{"./testdata"}},
	{name: "program is a directory relative to Dir", set: func(_ *testing.T, dir string, c *Cmd) { c.Args[0], c.Dir = "./sub", dir },
		is: syscall.EISDIR, fatal: true, mentions: []string{"./sub"}},
	{name: "program not executable", set: setProgram("$DIR/plain"), is: fs.ErrPermission, fatal: true, mentions: []string{"plain"}},
	{name: "program is a device", set: setProgram("/dev/null"), is: fs.ErrPermission, fatal: true, mentions: []string{"/dev/null"}},
	{name: "program empty and executable", set: setProgram("$DIR/empty"), is: syscall.ENOEXEC, fatal: true, mentions: []string{"empty"}},
	{name: "program a symlink loop", set: setProgram("$DIR/loop"), is: syscall.ELOOP, fatal: true, mentions: []string{"loop"}},
	{name: "program /", set: setProgram("/"), is: syscall.EISDIR, fatal: true, mentions: []string{`"/"`}},
	{name: "program . (looked up in PATH)", set: setProgram("."), is: exec.ErrNotFound, fatal: true, mentions: []string{`"."`}},
	{name: "program .. (looked up in PATH)", set: setProgram(".."), is: exec.ErrNotFound, fatal: true, mentions: []string{`".."`}},
	{name: "program with a trailing slash", set: setProgram("$DIR/prog/"), is: syscall.ENOTDIR, fatal: true, mentions: []string{"prog/"}},
	{name: "program path too long", set: setProgram("$DIR/" + strings.Repeat("a", 5000)), is: syscall.ENAMETOOLONG, fatal: true, mentions: []string{"aaaa"}},
	{name: "argument too long", set: func(_ *testing.T, _ string, c *Cmd) { c.Args = append(c.Args, strings.Repeat("a", 256<<10)) }, is: syscall.E2BIG, fatal: true},
	{name: "program name with NUL", set: setProgram("prog\x00x"), is: ErrInvalid, mentions: []string{"Args", "NUL"}},
	{name: "program path with NUL", set: setProgram("$DIR/prog\x00x"), is: ErrInvalid, mentions: []string{"Args", "NUL"}},
	{name: "argument with NUL", set: func(_ *testing.T, _ string, c *Cmd) { c.Args = append(c.Args, "a\x00b") }, is: ErrInvalid, mentions: []string{"Args", "NUL"}},
	// Not ErrInvalid from the configuration check: the exec error of os/exec.
	{name: "Env value with NUL", set: func(_ *testing.T, _ string, c *Cmd) { c.Env = []string{"A=1\x00B=2"} }, is: ErrInvalid, mentions: []string{"Env", "NUL"}},
	{name: "Dir missing", set: func(_ *testing.T, dir string, c *Cmd) { c.Dir = filepath.Join(dir, "nodir") }, is: fs.ErrNotExist, fatal: true, mentions: []string{"nodir"}},
	{name: "Dir a file", set: func(_ *testing.T, dir string, c *Cmd) { c.Dir = filepath.Join(dir, "plain") }, is: syscall.ENOTDIR, fatal: true, mentions: []string{"plain"}},
	{name: "Dir with NUL", set: func(_ *testing.T, dir string, c *Cmd) { c.Dir = dir + "\x00x" }, is: ErrInvalid, mentions: []string{"Dir", "NUL"}},

	// Odd values with a meaning: accepted, and the run works.
	{name: "relative program in Dir", set: func(_ *testing.T, dir string, c *Cmd) { c.Args[0], c.Dir = "./prog", dir }},
	{name: "relative program in a subdirectory of Dir", set: func(_ *testing.T, dir string, c *Cmd) { c.Args[0], c.Dir = "bin/prog", dir }},
	{name: "relative Dir", set: func(_ *testing.T, _ string, c *Cmd) { c.Dir = "testdata" }},
	{name: "Env empty, not nil", set: func(_ *testing.T, _ string, c *Cmd) { c.Env = []string{} }},
	{name: "Env with an empty key and duplicates", set: func(_ *testing.T, _ string, c *Cmd) { c.Env = []string{"=x", "A=1", "A=2", "B="} }},
	{name: "MaxRestarts negative", set: func(_ *testing.T, _ string, c *Cmd) { c.MaxRestarts = -1 }},
	{name: "MaxRestarts most negative", set: func(_ *testing.T, _ string, c *Cmd) { c.MaxRestarts = math.MinInt }},
	{name: "Backoff zero", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff = Backoff{} }},
	{name: "Backoff Min == Max", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Min, c.Backoff.Max = time.Second, time.Second }},
	{name: "Backoff.Factor 1", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Factor = 1 }},
	{name: "Backoff.Factor +Inf", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Factor = math.Inf(1) }},
	{name: "Backoff.Factor largest float", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Factor = math.MaxFloat64 }},
	{name: "Backoff largest durations", set: func(_ *testing.T, _ string, c *Cmd) { c.Backoff.Min, c.Backoff.Max = math.MaxInt64, math.MaxInt64 }},
	{name: "SuccessCodes not exit codes", set: func(_ *testing.T, _ string, c *Cmd) { c.SuccessCodes = []int{0, 0, 256} }, is: ErrInvalid, mentions: []string{"SuccessCodes", "256"}},
	{name: "SuccessCodes negative", set: func(_ *testing.T, _ string, c *Cmd) { c.SuccessCodes = []int{math.MinInt} }, is: ErrInvalid, mentions: []string{"SuccessCodes"}},
	{name: "StopSignal 0 (SIGTERM)", set: func(_ *testing.T, _ string, c *Cmd) { c.StopSignal = 0 }},
	{name: "StopSignal SIGKILL", set: func(_ *testing.T, _ string, c *Cmd) { c.StopSignal = syscall.SIGKILL }},
	{name: "StopSignal SIGSTOP", set: func(_ *testing.T, _ string, c *Cmd) { c.StopSignal = syscall.SIGSTOP }},
	{name: "StopSignal 64", set: func(_ *testing.T, _ string, c *Cmd) { c.StopSignal = 64 }},
	{name: "largest durations", set: func(_ *testing.T, _ string, c *Cmd) { c.StopTimeout, c.ResetAfter = math.MaxInt64, math.MaxInt64 }},
	{name: "largest buffers", set: func(_ *testing.T, _ string, c *Cmd) { c.BufferLines, c.BufferBytes = math.MaxInt, math.MaxInt }},
	{name: "MaxLineBytes 1 GiB", set: func(_ *testing.T, _ string, c *Cmd) { c.MaxLineBytes = 1 << 30 }},
	{name: "MaxLineBytes 1", set: func(_ *testing.T, _ string, c *Cmd) { c.MaxLineBytes = 1 },
		check: func(t *testing.T, c *Cmd) {
			assert.Equal(t, []string{"h", "e", "l", "l", "o"}, texts(c.Lines(0)), "one-byte pieces")
		}},
	{name: "BufferLines 1, BufferBytes 1", set: func(_ *testing.T, _ string, c *Cmd) {
		c.BufferLines, c.BufferBytes = 1, 1
		c.Args = append(c.Args[:1], "out:first", "out:hello", "exit:0")
	}},
	{name: "Stdout and Stderr one writer of an uncomparable type", set: func(t *testing.T, _ string, c *Cmd) {
		var buf syncBuffer
		w := funcWriter(buf.Write)
		c.Stdout, c.Stderr = w, w
		t.Cleanup(func() { assert.Equal(t, "hello\n", buf.String(), "raw bytes") })
	}},
	{name: "Stdout and Stderr equal writers holding uncomparable values", set: func(_ *testing.T, _ string, c *Cmd) {
		c.Stdout, c.Stderr = boxWriter{box: []byte("a")}, boxWriter{box: []byte("b")}
	}},
}

func TestBadInputConfig(t *testing.T) {
	for _, tt := range badConfigs {
		t.Run(tt.name, func(t *testing.T) {
			if tt.bug != "" {
				t.Skip("BUG: " + tt.bug)
			}
			dir := configDir(t)
			t.Run("Cmd.Start", func(t *testing.T) {
				c := NewCmd(childPath, "out:hello", "exit:0")
				watchCmd(t, c)
				tt.set(t, dir, c)
				t.Cleanup(func() { c.Stop() })
				err := safely(t, "Cmd.Start", c.Start)
				st := safely(t, "Wait", c.Wait)
				switch {
				case tt.is == nil:
					require.NoError(t, err)
					assert.Equal(t, StateFinished, st.State, "%+v", st)
					assert.Equal(t, 0, st.Exit)
					assert.NoError(t, st.Error)
					if tt.check != nil {
						tt.check(t, c)
					} else {
						assert.Equal(t, []string{"hello"}, st.Stdout)
					}
				case tt.fatal:
					requireErr(t, err, tt.is, "Cmd.Start", tt.mentions...)
					assert.True(t, strings.HasPrefix(err.Error(), "overseer: "), err.Error())
					assert.Equal(t, StateFatal, st.State)
					assert.Equal(t, err, st.Error)
				default:
					requireErr(t, err, tt.is, "Cmd.Start", tt.mentions...)
					assert.Equal(t, StateInitial, st.State, "a refused configuration changes nothing")
					assert.NoError(t, st.Error)
					assert.Zero(t, st.PID)
				}
			})
			t.Run("Supervise", func(t *testing.T) {
				o := newTestOverseer(t)
				useFakeTimer(o, false)
				c := NewCmd(childPath, "out:hello", "exit:0")
				c.MaxRestarts = NoRestarts // a start that fails ends fatal at once
				tt.set(t, dir, c)
				require.NoError(t, o.AddCmd("p", c), "the configuration is checked at start, not by AddCmd")
				err := safely(t, "Supervise", func() error { return o.Supervise(context.Background(), "p") })
				st := status(t, o, "p")
				switch {
				case tt.is == nil:
					require.NoError(t, err)
					assert.Equal(t, StateFinished, st.State, "%+v", st)
				case tt.fatal:
					// The failed start is a failed run; with no restart
					// left Supervise returns why.
					requireErr(t, err, tt.is, "Supervise", tt.mentions...)
					assert.Contains(t, err.Error(), "gave up after 0 restarts")
					assert.Equal(t, StateFatal, st.State)
				default:
					requireErr(t, err, tt.is, "Supervise", tt.mentions...)
					assert.Equal(t, StateInitial, st.State, "a refused configuration changes nothing")
					requireErr(t, safely(t, "Start", func() error { return o.Start("p") }), tt.is, "Start", tt.mentions...)
					assert.Equal(t, StateInitial, status(t, o, "p").State)
				}
			})
		})
	}
}

// badSignals are not signal numbers.
var badSignals = []syscall.Signal{0, -1, 65, 1000, 1 << 40, math.MinInt}

func TestBadInputNeverStarted(t *testing.T) {
	cmds := map[string]*Cmd{
		"NewCmd":      NewCmd(childPath, "exit:0"),
		"zero Cmd":    {},
		"no program":  NewCmd(""),
		"nil Args":    {Args: nil, BufferLines: -1},
		"unknown one": NewCmd("overseer-no-such-program"),
	}
	for name, c := range cmds {
		t.Run(name, func(t *testing.T) {
			watchCmd(t, c)
			for _, sig := range badSignals {
				err := safely(t, "Signal", func() error { return c.Signal(sig) })
				requireErr(t, err, ErrInvalid, fmt.Sprintf("Signal(%d)", sig), "signal", fmt.Sprint(int(sig)))
			}
			err := safely(t, "Signal(SIGTERM)", func() error { return c.Signal(syscall.SIGTERM) })
			requireErr(t, err, os.ErrProcessDone, "Signal(SIGTERM)")
			safelyDo(t, "Stop", c.Stop)
			safelyDo(t, "Stop again", c.Stop)
			select {
			case <-c.Done():
			default:
				t.Fatal("Done is not closed on a Cmd never started")
			}
			st := safely(t, "Wait", c.Wait)
			assert.Equal(t, StateInitial, st.State)
			assert.Zero(t, st.PID)
			assert.Equal(t, -1, st.Exit)
			assert.NoError(t, st.Error)
			assert.Zero(t, st.Runtime)
			assert.Empty(t, st.Stdout)
			assert.Empty(t, st.Stderr)
			assert.Empty(t, safely(t, "Lines(0)", func() []Line { return c.Lines(0) }))
			assert.Empty(t, safely(t, "Lines(max)", func() []Line { return c.Lines(math.MaxUint64) }))
			jp := safely(t, "ToJSON", c.ToJSON)
			assert.Equal(t, StateInitial, jp.State)
			assert.Equal(t, strings.Join(c.Args, " "), jp.Cmd)
			assert.Equal(t, StateInitial, c.Status().State, "nothing changed")
		})
	}

	// The same through an Overseer.
	o := newTestOverseer(t)
	addChild(t, o, "idle", "exit:0")
	for _, sig := range badSignals {
		err := safely(t, "Overseer.Signal", func() error { return o.Signal("idle", sig) })
		requireErr(t, err, ErrInvalid, fmt.Sprintf("Overseer.Signal(%d)", sig), "signal", "idle")
	}
	requireErr(t, safely(t, "Overseer.Signal(SIGTERM)", func() error { return o.Signal("idle", syscall.SIGTERM) }),
		os.ErrProcessDone, "Overseer.Signal(SIGTERM)", "idle")
	require.NoError(t, safely(t, "Overseer.Stop", func() error { return o.Stop("idle") }))
	safelyDo(t, "StopAll", o.StopAll)
	assert.Equal(t, StateInitial, status(t, o, "idle").State)
	jp, err := o.ToJSON("idle")
	require.NoError(t, err)
	assert.Equal(t, StateInitial, jp.State)
	require.NoError(t, o.Remove("idle"))
}

func TestBadInputSignalsWhileRunning(t *testing.T) {
	o := newTestOverseer(t)
	c := addChild(t, o, "p", "ready", "sleep")
	c.StopTimeout = 10 * time.Millisecond // SIGKILL soon after the StopSignal that a stopped process cannot act on
	require.NoError(t, o.Start("p"))
	waitLine(t, c, "ready")
	pid := status(t, o, "p").PID
	for _, sig := range badSignals {
		requireErr(t, safely(t, "Signal", func() error { return o.Signal("p", sig) }), ErrInvalid, fmt.Sprintf("Signal(%d)", sig), "signal")
		requireErr(t, safely(t, "Cmd.Signal", func() error { return c.Signal(sig) }), ErrInvalid, fmt.Sprintf("Cmd.Signal(%d)", sig), "signal")
	}
	st := status(t, o, "p")
	assert.Equal(t, StateRunning, st.State, "a refused signal changes nothing")
	assert.Equal(t, pid, st.PID)

	// A stopped process cannot act on StopSignal: Stop still ends it,
	// with SIGKILL after StopTimeout.
	require.NoError(t, safely(t, "Signal(SIGSTOP)", func() error { return o.Signal("p", syscall.SIGSTOP) }))
	require.NoError(t, safely(t, "Stop", func() error { return o.Stop("p") }))
	st = status(t, o, "p")
	assert.Equal(t, StateInterrupted, st.State)
	assert.True(t, processGone(pid), "pid %d survived Stop", pid)
	requireErr(t, safely(t, "Signal after the end", func() error { return o.Signal("p", syscall.SIGTERM) }), os.ErrProcessDone, "Signal after the end")
}

func TestBadInputSupervisionValues(t *testing.T) {
	t.Run("negative MaxRestarts is no limit", func(t *testing.T) {
		// NoRestarts (math.MinInt) is the one exception: see TestMaxRestartsValues.
		for _, n := range []int{-1, math.MinInt + 1} {
			o := newTestOverseer(t)
			useFakeTimer(o, false)
			log := watchEvents(t, o)
			c := addChild(t, o, "p", "exit:1")
			c.MaxRestarts = n
			superviseRuns(t, o, log, "p", 2*defaultMaxRestarts+2)
			assert.Equal(t, StateInterrupted, status(t, o, "p").State)
		}
	})

	tests := []struct {
		name    string
		backoff Backoff
		want    []time.Duration // the delays of 3 restarts; nil: each within [Min, Max]
	}{
		{"zero means the defaults, NoJitter aside", Backoff{NoJitter: true}, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{"Factor 1", Backoff{Min: ms(10), Max: time.Second, Factor: 1, NoJitter: true}, []time.Duration{ms(10), ms(10), ms(10)}},
		{"Factor +Inf", Backoff{Min: ms(10), Max: time.Second, Factor: math.Inf(1), NoJitter: true}, []time.Duration{ms(10), time.Second, time.Second}},
		{"Factor +Inf with Jitter", Backoff{Min: ms(10), Max: time.Second, Factor: math.Inf(1)}, nil},
		{"Factor largest float", Backoff{Min: ms(10), Max: time.Second, Factor: math.MaxFloat64, NoJitter: true}, []time.Duration{ms(10), time.Second, time.Second}},
		{"Min == Max", Backoff{Min: ms(50), Max: ms(50), Factor: 3}, []time.Duration{ms(50), ms(50), ms(50)}},
		{"zero means the defaults, jitter included", Backoff{}, nil},
		{"largest durations", Backoff{Min: math.MaxInt64, Max: math.MaxInt64, NoJitter: true}, []time.Duration{math.MaxInt64, math.MaxInt64, math.MaxInt64}},
	}
	for _, tt := range tests {
		t.Run("Backoff "+tt.name, func(t *testing.T) {
			o := newTestOverseer(t)
			timer := useFakeTimer(o, false)
			// Built by hand: the zero fields are the defaults.
			c := &Cmd{Args: []string{childPath, "exit:1"}, Restart: RestartOnFailure, MaxRestarts: 3, Backoff: tt.backoff}
			require.NoError(t, o.AddCmd("p", c))
			err := safely(t, "Supervise", func() error { return o.Supervise(context.Background(), "p") })
			requireErr(t, err, errByText, "Supervise", "gave up after 3 restarts", "last exit code 1")
			delays := timer.recorded()
			if tt.want != nil {
				assert.Equal(t, tt.want, delays)
				return
			}
			require.Len(t, delays, 3)
			b, err := tt.backoff.withDefaults()
			require.NoError(t, err)
			for _, d := range delays {
				assert.GreaterOrEqual(t, d, b.Min)
				assert.LessOrEqual(t, d, b.Max)
			}
		})
	}

	t.Run("SuccessCodes with duplicates", func(t *testing.T) {
		o := newTestOverseer(t)
		useFakeTimer(o, false)
		c := addChild(t, o, "p", "exit:1")
		c.MaxRestarts = NoRestarts
		c.SuccessCodes = []int{1, 1, 255}
		require.NoError(t, safely(t, "Supervise", func() error { return o.Supervise(context.Background(), "p") }))
		st := status(t, o, "p")
		assert.Equal(t, StateFinished, st.State)
		assert.Equal(t, 1, st.Exit)
	})
	t.Run("largest StartDelay", func(t *testing.T) {
		o := newTestOverseer(t)
		timer := useFakeTimer(o, true)
		c := addChild(t, o, "p", "exit:0")
		c.StartDelay = math.MaxInt64
		require.NoError(t, safely(t, "Start", func() error { return o.Start("p") }))
		eventually(t, func() bool { return len(timer.recorded()) == 1 }, "no StartDelay")
		assert.Equal(t, StateStarting, status(t, o, "p").State)
		assert.Zero(t, status(t, o, "p").PID, "nothing runs during the delay")
		assert.Equal(t, []time.Duration{math.MaxInt64}, timer.recorded())
		require.NoError(t, safely(t, "Stop", func() error { return o.Stop("p") }))
		assert.Equal(t, StateInterrupted, status(t, o, "p").State)
	})
	t.Run("Supervise with a context already done", func(t *testing.T) {
		o := newTestOverseer(t)
		addChild(t, o, "p", "ready", "sleep")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.NoError(t, safely(t, "Supervise", func() error { return o.Supervise(ctx, "p") }))
		assert.True(t, status(t, o, "p").State.IsFinal(), "left %v", status(t, o, "p").State)
		require.NoError(t, safely(t, "SuperviseAll", func() error { return o.SuperviseAll(ctx) }))
	})
}

// TestBadInputWatchNil subscribes nil channels. Nothing can be sent on nil:
// the subscription takes what comes into its backlog, up to its bound, and
// counts the rest as dropped. It must neither panic, nor block the
// Overseer or the other subscribers, nor keep its stop function waiting.
func TestBadInputWatchNil(t *testing.T) {
	o := newTestOverseer(t)
	o.hub.backlogItems = 1 // were a nil channel subscribed, it would drop all but one item
	stopEvents := safely(t, "Watch(nil)", func() func() { return o.Watch(nil) })
	stopLines := safely(t, "WatchLogs(nil)", func() func() { return o.WatchLogs(nil) })
	log := watchEvents(t, o) // a subscriber that keeps up
	lines := make(chan Line, 64)
	stopLog := o.WatchLogs(lines)

	addChild(t, o, "p", "lines:20")
	require.NoError(t, safely(t, "Supervise", func() error { return o.Supervise(context.Background(), "p") }))
	safelyDo(t, "stop Watch(nil)", stopEvents)
	safelyDo(t, "stop WatchLogs(nil)", stopLines)
	safelyDo(t, "stop WatchLogs(nil) again", stopLines)
	safelyDo(t, "stop WatchLogs", stopLog)
	close(lines)
	log.close()

	var got []string
	for l := range lines {
		got = append(got, l.Text)
	}
	assert.Len(t, got, 20, "the other subscriber got every line")
	events := log.of("p")
	require.NotEmpty(t, events)
	assert.Equal(t, StateFinished, events[len(events)-1].To, "the other subscriber got every event")
	droppedEvents, droppedLines := o.Dropped()
	assert.Zero(t, droppedEvents, "a nil channel subscribes nothing, so nothing is dropped for it")
	assert.Zero(t, droppedLines, "a nil channel subscribes nothing, so nothing is dropped for it")
}

// TestBadInputSuperviseAll gives SuperviseAll a mix of unusable
// configurations and programs next to a good one: it returns, having run the
// good one, with every reason joined.
func TestBadInputSuperviseAll(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, false)
	good := addChild(t, o, "good", "out:hello", "exit:0")
	bad := addChild(t, o, "bad-config", "exit:0")
	bad.BufferBytes = -1
	missing, err := o.Add("missing", "overseer-no-such-program")
	require.NoError(t, err)
	missing.MaxRestarts = NoRestarts
	err = safely(t, "SuperviseAll", func() error { return o.SuperviseAll(context.Background()) })
	requireErr(t, err, ErrInvalid, "SuperviseAll", "BufferBytes")
	requireErr(t, err, exec.ErrNotFound, "SuperviseAll", "overseer-no-such-program")
	assert.Equal(t, StateFinished, status(t, o, "good").State)
	assert.Equal(t, []string{"hello"}, good.Status().Stdout)
	st := status(t, o, "bad-config")
	assert.Equal(t, StateFatal, st.State, "a process SuperviseAll cannot start is fatal, with the reason")
	assert.ErrorIs(t, st.Error, ErrInvalid)
	assert.Equal(t, StateFatal, status(t, o, "missing").State)
	assert.Empty(t, activeIDs(o))
	assert.True(t, slices.Equal([]string{"bad-config", "good", "missing"}, o.ListAll()))
}

// A nil Option is skipped, and a nil context is refused before anything
// starts.
func TestBadInputNils(t *testing.T) {
	o := safely(t, "NewOverseer(nil)", func() *Overseer { return NewOverseer(nil) })
	require.NotNil(t, o)
	addChild(t, o, "p", "sleep")
	// A nil context is the bad input under test.
	err := safely(t, "Supervise(nil)", func() error { return o.Supervise(nil, "p") })
	assert.ErrorIs(t, err, ErrInvalid)

	err = safely(t, "SuperviseAll(nil)", func() error { return o.SuperviseAll(nil) })
	assert.ErrorIs(t, err, ErrInvalid)
	assert.Equal(t, StateInitial, status(t, o, "p").State, "nothing started")
}
