//go:build unix

package config

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/probe"
)

// fields are the exported settings of a Cmd, for comparison.
type fields struct {
	Args         []string
	Dir          string
	Env          []string
	Group        string
	PTY          bool
	StopSignal   syscall.Signal
	StopTimeout  time.Duration
	BufferLines  int
	BufferBytes  int
	MaxLineBytes int
	Restart      overseer.RestartPolicy
	MaxRestarts  int
	ResetAfter   time.Duration
	StartDelay   time.Duration
	Backoff      overseer.Backoff
	SuccessCodes []int
	Ready        overseer.Probe
	ReadyTimeout time.Duration
	Notify       bool
	Watchdog     time.Duration
	Liveness     overseer.Liveness
	Listeners    []string
	DependsOn    []overseer.Dependency
	WatchFiles   []string
	MemoryLimit  int64
	CPUQuota     float64
	TasksMax     int
	Limits       map[overseer.Resource]uint64
	Nice         int
	Umask        fs.FileMode
	User         string
	UserGroup    string
	PreStart     [][]string
	PostStop     [][]string
	StopCommand  []string
}

func project(c *overseer.Cmd) fields {
	f := fields{
		Args: c.Args, Dir: c.Dir, Group: c.Group, PTY: c.PTY,
		StopSignal: c.StopSignal, StopTimeout: c.StopTimeout,
		BufferLines: c.BufferLines, BufferBytes: c.BufferBytes, MaxLineBytes: c.MaxLineBytes,
		Restart: c.Restart, MaxRestarts: c.MaxRestarts, ResetAfter: c.ResetAfter, StartDelay: c.StartDelay,
		Backoff: c.Backoff, SuccessCodes: c.SuccessCodes,
		Ready: c.Ready, ReadyTimeout: c.ReadyTimeout, Notify: c.Notify, Watchdog: c.Watchdog,
		Liveness:  c.Liveness,
		Listeners: c.Listeners, DependsOn: c.DependsOn, WatchFiles: c.WatchFiles, Env: c.Env,
		MemoryLimit: c.MemoryLimit, CPUQuota: c.CPUQuota, TasksMax: c.TasksMax, Limits: c.Limits,
		Nice: c.Nice, Umask: c.Umask, User: c.User, UserGroup: c.UserGroup,
		PreStart: c.PreStart, PostStop: c.PostStop, StopCommand: c.StopCommand,
	}
	return f
}

// testHost is the host's environment the tests give Load, so that the
// environment of the test itself (its PORT) changes nothing.
func testHost() []string { return []string{"HOME=/home/test", "PATH=/usr/bin:/bin"} }

// testOptions are the Options of a test: testHost, no env files.
func testOptions() Options { return Options{Environ: testHost()} }

// withHost returns testHost followed by vars.
func withHost(vars ...string) []string { return append(testHost(), vars...) }

// defaults are the fields of a Cmd from overseer.NewCmd that runs args,
// changed by each of change.
func defaults(args []string, change ...func(*fields)) fields {
	c := overseer.NewCmd(args[0], args[1:]...)
	f := fields{
		Args: c.Args, StopSignal: c.StopSignal, StopTimeout: c.StopTimeout,
		BufferLines: c.BufferLines, BufferBytes: c.BufferBytes, MaxLineBytes: c.MaxLineBytes,
		Restart: c.Restart, MaxRestarts: c.MaxRestarts, ResetAfter: c.ResetAfter, Backoff: c.Backoff,
		ReadyTimeout: c.ReadyTimeout,
	}
	for _, ch := range change {
		ch(&f)
	}
	return f
}

func sh(cmdline string) []string { return []string{"/bin/sh", "-c", cmdline} }

// A want is what a test expects of a Process.
type want struct {
	name string
	line int
	log  string
	f    fields

	stamps bool // log_timestamps
}

func check(t *testing.T, got []Process, wants []want) {
	t.Helper()
	require.Len(t, got, len(wants))
	for i, w := range wants {
		assert.Equal(t, w.name, got[i].Name, "process %d", i)
		assert.Equal(t, w.line, got[i].Line, "%s: line", w.name)
		assert.Equal(t, w.log, got[i].Log, "%s: log", w.name)
		assert.Equal(t, w.stamps, got[i].LogTimestamps, "%s: log_timestamps", w.name)
		assert.Equal(t, w.f, project(got[i].Cmd), "%s: Cmd", w.name)
	}
}

// fileError returns the *Error in err, the first if several are joined.
func fileError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	require.ErrorAs(t, err, &e)
	return e
}

// parseCase is a YAML file and the processes Parse must make of it.
type parseCase struct {
	name, in string
	want     []want
}

// testParse parses the YAML file of each case in a subtest and checks the
// processes Parse makes.
func testParse(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			procs, err := Parse("f.yaml", []byte(c.in), true)
			require.NoError(t, err)
			check(t, procs, c.want)
		})
	}
}

// parseError is a file that Parse must refuse with one error: at line, for
// key, saying msg.
type parseError struct {
	name, in string
	line     int
	key, msg string
}

// testParseErrors parses the file of each case, named file (a Procfile or
// YAML), in a subtest, and checks that Parse returns no process and the
// case's one error.
func testParseErrors(t *testing.T, file string, cases []parseError) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			procs, err := Parse(file, []byte(c.in), file != "Procfile")
			assert.Nil(t, procs)
			wantError(t, err, file, c.line, c.key, c.msg)
		})
	}
}

// wantError checks that err is one *Error, of file at line, for key, whose
// message holds msg.
func wantError(t *testing.T, err error, file string, line int, key, msg string) {
	t.Helper()
	e := fileError(t, err)
	assert.Same(t, e, err, "one error only: %v", err)
	assert.Equal(t, file, e.File, "%v", e)
	assert.Equal(t, line, e.Line, "%v", e)
	assert.Equal(t, key, e.Key, "%v", e)
	assert.Contains(t, e.Err.Error(), msg)
}

func TestLoadGoodYAML(t *testing.T) {
	procs, err := Load("testdata/good.yaml", testOptions())
	require.NoError(t, err)
	dir, err := filepath.Abs("testdata")
	require.NoError(t, err)
	check(t, procs, []want{
		{name: "web", line: 9, f: defaults(sh("python3 -m http.server 8000"), func(f *fields) { f.Dir, f.Env = dir, withHost("PORT=5000") })},
		{name: "worker", line: 11, log: filepath.Join(dir, "logs/worker.log"),
			f: defaults([]string{"./worker", "-queue", "jobs"}, func(f *fields) {
				f.Dir = filepath.Join(dir, "worker")
				f.Env = withHost("PORT=5100", "QUEUE=jobs", "WORKERS=4")
				f.Group = "backend"
				f.Restart = overseer.RestartAlways
				f.StopTimeout = 20 * time.Second
				f.MaxRestarts = -1
				f.ResetAfter = time.Minute
				f.Backoff = overseer.Backoff{Min: 500 * time.Millisecond, Max: 10 * time.Second, Factor: 1.5, NoJitter: true}
				f.StartDelay = 2 * time.Second
				f.StopSignal = syscall.SIGINT
				f.BufferLines = 5000
				f.BufferBytes = 16 << 20
				f.MaxLineBytes = 1 << 20
				f.SuccessCodes = []int{3, 143}
				f.PTY = true
				f.Listeners = []string{"tcp://127.0.0.1:8080"}
				f.Ready = &probe.Command{Args: sh("./worker -check"), Dir: f.Dir, Env: f.Env, Period: time.Second, Timeout: 2 * time.Second}
				f.ReadyTimeout = 30 * time.Second
				f.Notify = true
				f.Watchdog = 10 * time.Second
				f.Liveness = overseer.Liveness{Check: &probe.HTTP{URL: "http://127.0.0.1:8080/healthz"}, Period: 5 * time.Second, Failures: 2}
				f.WatchFiles = []string{filepath.Join(dir, "worker.toml"), "/etc/worker.conf"}
				f.DependsOn = []overseer.Dependency{{ID: "web", Condition: overseer.ConditionReady, Restart: true}}
			})},
		{name: "cron", line: 38,
			f: defaults(sh("date\necho \"tick\"\n"), func(f *fields) {
				f.Dir = dir
				f.Env = withHost("PORT=5200", "TZ=UTC", "EMPTY=")
				f.Group = "jobs" // its own key wins over the merged one
				f.Restart = overseer.RestartNever
				f.StopTimeout = 20 * time.Second
				f.StopSignal = syscall.SIGHUP
				f.Backoff.Min, f.Backoff.Max = time.Minute, time.Minute // max follows a min above its default
				f.Ready = overseer.Notified()
				f.DependsOn = []overseer.Dependency{{ID: "worker"}, {ID: "web"}}
			})},
	})
}

func TestLoadGoodProcfile(t *testing.T) {
	procs, err := Load("testdata/Procfile", testOptions())
	require.NoError(t, err)
	dir, err := filepath.Abs("testdata")
	require.NoError(t, err)
	// foreman runs a Procfile's processes in its directory, each with its PORT.
	inDir := func(port string) func(f *fields) {
		return func(f *fields) { f.Dir, f.Env = dir, withHost("PORT="+port) }
	}
	check(t, procs, []want{
		{name: "web", line: 2, f: defaults(sh("bundle exec rails server -p $PORT"), inDir("5000"))},
		{name: "worker", line: 4, f: defaults(sh("bundle exec sidekiq -C config/sidekiq.yml"), inDir("5100"))},
		{name: "clock", line: 6, f: defaults(sh("while :; do date; sleep 60; done  # the shell sees this comment"), inDir("5200"))},
	})
}

func TestLoadByExtension(t *testing.T) {
	dir := t.TempDir()
	yamlText := "processes:\n  web: ./web\n"
	for name, isYAML := range map[string]bool{"a.yaml": true, "b.yml": true, "c.YAML": true, "Procfile": false, "Procfile.dev": false, "d.txt": false} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(yamlText), 0o644))
		procs, err := Load(path, testOptions())
		if isYAML {
			require.NoError(t, err, name)
			assert.Equal(t, "web", procs[0].Name)
			continue
		}
		// As a Procfile, "processes:" is a name with no command.
		e := fileError(t, err)
		assert.Equal(t, Error{File: path, Line: 1, Key: "processes", Err: e.Err}, *e, name)
		assert.Nil(t, procs)
	}
}

func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "overseer.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(`processes:
  a: {command: x, dir: /srv/a, log: /var/log/a.log}
  b: {command: x, dir: ../b, log: b.log}
  c: x
`), 0o644))
	procs, err := Load(path, testOptions())
	require.NoError(t, err)
	base := filepath.Join(dir, "sub")
	got := make([][2]string, len(procs))
	for i, p := range procs {
		got[i] = [2]string{p.Cmd.Dir, p.Log}
	}
	assert.Equal(t, [][2]string{
		{"/srv/a", "/var/log/a.log"},
		{filepath.Join(dir, "b"), filepath.Join(base, "b.log")},
		{base, ""},
	}, got)

	// Parse leaves them as written.
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	procs, err = Parse(path, data, true)
	require.NoError(t, err)
	assert.Equal(t, "../b", procs[1].Cmd.Dir)
	assert.Equal(t, "b.log", procs[1].Log)
	assert.Equal(t, "", procs[2].Cmd.Dir)
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), testOptions())
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestBadFiles loads each file of testdata/bad, whose first line says the
// error it must get: "# want: LINE: KEY: message" (the start of the text
// after the file name), and nothing else.
func TestBadFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := os.Open(path)
			require.NoError(t, err)
			line, err := bufio.NewReader(f).ReadString('\n')
			f.Close()
			require.NoError(t, err)
			wantText, ok := strings.CutPrefix(strings.TrimSpace(line), "# want: ")
			require.True(t, ok, "the first line must be # want: ...")

			procs, err := Load(path, testOptions())
			assert.Nil(t, procs)
			var e *Error
			require.True(t, errors.As(err, &e), "%v", err)
			assert.Same(t, e, err, "one error only: %v", err)
			assert.Equal(t, path, e.File)
			assert.True(t, strings.HasPrefix(e.Error(), path+":"+wantText), "got  %q\nwant %q", e.Error(), path+":"+wantText+"...")
		})
	}
}

// TestRunsThroughTheShell starts a process of a Procfile: its line runs
// through /bin/sh -c, with $0 the shell.
func TestRunsThroughTheShell(t *testing.T) {
	procs, err := Parse("Procfile", []byte("hello: echo \"hello from $0\"; exit 3\n"), false)
	require.NoError(t, err)
	c := procs[0].Cmd
	require.NoError(t, c.Start())
	st := c.Wait()
	assert.Equal(t, 3, st.Exit)
	assert.Equal(t, []string{"hello from /bin/sh"}, st.Stdout)
}

func TestErrorText(t *testing.T) {
	msg := errors.New("bad")
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{File: "f.yaml", Line: 3, Key: "web.restart", Err: msg}, "f.yaml:3: web.restart: bad"},
		{Error{File: "f.yaml", Line: 3, Err: msg}, "f.yaml:3: bad"},
		{Error{File: "f.yaml", Key: "processes", Err: msg}, "f.yaml: processes: bad"},
		{Error{File: "f.yaml", Err: msg}, "f.yaml: bad"},
		{Error{Line: 2, Err: msg}, "line 2: bad"},
		{Error{File: "f", Line: 1}, "f:1: invalid"},
	} {
		assert.Equal(t, c.want, c.e.Error())
	}
	e := &Error{Err: msg}
	assert.ErrorIs(t, e, msg)
}

// TestManyErrors: every mistake of a file is reported, by line, up to
// maxErrors, then counted.
func TestManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("processes:\n")
	for i := range 12 {
		b.WriteString("  p" + string(rune('a'+i)) + ": {command: x, restart: sometimes}\n")
	}
	_, err := Parse("f.yaml", []byte(b.String()), true)
	require.Error(t, err)
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "%T", err)
	errs := joined.Unwrap()
	require.Len(t, errs, maxErrors+1)
	for i, err := range errs[:maxErrors] {
		e := fileError(t, err)
		assert.Equal(t, i+2, e.Line)
		assert.Equal(t, "p"+string(rune('a'+i))+".restart", e.Key)
	}
	assert.Equal(t, "f.yaml: 2 more errors", errs[maxErrors].Error())
	assert.Equal(t, 2, fileError(t, err).Line) // errors.As finds the first
}
