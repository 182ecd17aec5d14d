//go:build linux

package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// deadline bounds every wait of these tests.
const deadline = 15 * time.Second

// A step is one thing Run did, as its test hooks tell it, in order.
type step struct {
	kind string // scan, file, idle, restart
	arg  string // scan: the directories watched, one a line; file: the path; restart: the id
	err  error  // restart: what o.Restart returned
}

// runner is a Run in a goroutine, with its steps.
type runner struct {
	t      *testing.T
	steps  chan step
	cancel context.CancelFunc
	done   chan error
	seen   []step // the steps read so far
}

// start runs Run on o in a goroutine, with the test hooks on.
func start(t *testing.T, o *overseer.Overseer, opts ...Option) *runner {
	t.Helper()
	r := &runner{t: t, steps: make(chan step, 1<<14), done: make(chan error, 1)}
	hooks := func(c *config) {
		c.onScan = func(dirs []string) { r.steps <- step{kind: "scan", arg: strings.Join(dirs, "\n")} }
		c.onFile = func(name string) { r.steps <- step{kind: "file", arg: name} }
		c.onIdle = func() { r.steps <- step{kind: "idle"} }
		c.afterRestart = func(id string, err error) { r.steps <- step{kind: "restart", arg: id, err: err} }
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- Run(ctx, o, append([]Option{hooks}, opts...)...) }() // opts may wrap the hooks
	return r
}

// waitFor reads steps until one matches, and returns it.
func (r *runner) waitFor(what string, match func(step) bool) step {
	r.t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case s := <-r.steps:
			r.seen = append(r.seen, s)
			if match(s) {
				return s
			}
		case err := <-r.done:
			r.t.Fatalf("Run returned %v while waiting for %s", err, what)
		case <-timeout:
			r.t.Fatalf("no %s in %v", what, deadline)
		}
	}
}

// watching waits for a scan after which dir is watched.
func (r *runner) watching(dir string) {
	r.t.Helper()
	r.waitFor("a scan watching "+dir, func(s step) bool {
		return s.kind == "scan" && slices.Contains(strings.Split(s.arg, "\n"), dir)
	})
}

// file waits for the event of path to be handled.
func (r *runner) file(path string) {
	r.t.Helper()
	r.waitFor("an event of "+path, func(s step) bool { return s.kind == "file" && s.arg == path })
}

// restarted waits for a restart of id to end, and returns its error.
func (r *runner) restarted(id string) error {
	r.t.Helper()
	return r.waitFor("a restart of "+id, func(s step) bool { return s.kind == "restart" && s.arg == id }).err
}

// idle waits for Run to have no timer armed and no restart in flight.
func (r *runner) idle() {
	r.t.Helper()
	r.waitFor("idle", func(s step) bool { return s.kind == "idle" })
}

// restarts counts the restarts of id seen so far.
func (r *runner) restarts(id string) int {
	n := 0
	for _, s := range r.seen {
		if s.kind == "restart" && s.arg == id {
			n++
		}
	}
	return n
}

// stop cancels Run and returns what it returned.
func (r *runner) stop() error {
	r.t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		return err
	case <-time.After(deadline):
		r.t.Fatalf("Run did not return in %v", deadline)
		return nil
	}
}

// script writes an executable shell script to path that prints text and
// then sleeps, as a server would, in the process the Overseer started.
func script(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\necho "+text+"\nexec sleep 60\n"), 0o755))
}

// waitLine waits for a line of id whose text is text.
func waitLine(t *testing.T, lines <-chan overseer.Line, id, text string) overseer.Line {
	t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case l := <-lines:
			if l.ID == id && l.Text == text {
				return l
			}
		case <-timeout:
			t.Fatalf("no line %q of %s in %v", text, id, deadline)
			return overseer.Line{}
		}
	}
}

// setup returns an Overseer whose lines go to the returned channel, and
// stops everything at the end of the test, checking that no goroutine is
// left behind.
func setup(t *testing.T) (*overseer.Overseer, <-chan overseer.Line) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	o := overseer.NewOverseer()
	lines := make(chan overseer.Line, 1024)
	stopLogs := o.WatchLogs(lines)
	t.Cleanup(func() {
		o.StopAll()
		stopLogs()
		goleak.VerifyNone(t, ignore, goleak.IgnoreAnyFunction(testbuild.GuardianWaiter))
	})
	return o, lines
}

// TestProgramReplacedByRename: a new binary renamed over the program, as a
// deploy does, restarts the process onto it.
func TestProgramReplacedByRename(t *testing.T) {
	o, lines := setup(t)
	dir := t.TempDir()
	prog := filepath.Join(dir, "prog")
	script(t, prog, "v1")
	_, err := o.Add("p", prog)
	require.NoError(t, err)
	require.NoError(t, o.Start("p"))
	first := waitLine(t, lines, "p", "v1")

	r := start(t, o, WithDebounce(50*time.Millisecond))
	r.watching(dir)
	script(t, prog+".new", "v2")
	require.NoError(t, os.Chmod(prog+".new", 0o755))
	require.NoError(t, os.Rename(prog+".new", prog))

	second := waitLine(t, lines, "p", "v2")
	assert.NotEqual(t, first.PID, second.PID)
	st, err := o.Status("p")
	require.NoError(t, err)
	assert.Equal(t, 1, st.Restarts)
	assert.Equal(t, overseer.StateRunning, st.State)
	require.NoError(t, r.restarted("p"))
	assert.NoError(t, r.stop())
}

// TestWatchFilesWrite: a file of WatchFiles written in place restarts the
// process.
func TestWatchFilesWrite(t *testing.T) {
	o, lines := setup(t)
	c, conf := startWatching(t, o, "a = 1\n", "echo up; exec sleep 60")
	dir := filepath.Dir(conf)
	first := waitLine(t, lines, "p", "up")

	r := start(t, o, WithDebounce(50*time.Millisecond))
	r.watching(dir)
	require.NoError(t, os.WriteFile(conf, []byte("a = 2\n"), 0o644))

	require.NoError(t, r.restarted("p"))
	second := waitLine(t, lines, "p", "up")
	assert.NotEqual(t, first.PID, second.PID)
	assert.Equal(t, 1, c.Status().Restarts)
	assert.NoError(t, r.stop())
}

// TestDebounce: changes in a quick row restart the process once.
func TestDebounce(t *testing.T) {
	o, lines := setup(t)
	c, conf := startWatching(t, o, "", "echo up; exec sleep 60")
	dir := filepath.Dir(conf)
	first := waitLine(t, lines, "p", "up")

	// Long enough that the five writes come within it even on a busy
	// machine: they are five system calls in a row.
	r := start(t, o, WithDebounce(300*time.Millisecond))
	r.watching(dir)
	for i := range 5 {
		require.NoError(t, os.WriteFile(conf, []byte{byte('0' + i)}, 0o644))
	}
	require.NoError(t, r.restarted("p"))
	second := waitLine(t, lines, "p", "up")
	assert.NotEqual(t, first.PID, second.PID)
	assert.Equal(t, 1, c.Status().Restarts)

	// Events come in order: once the change of another file has been
	// handled, so have those of the writes, and once Run is idle after it,
	// any restart they armed has been made.
	other := filepath.Join(dir, "other")
	require.NoError(t, os.WriteFile(other, nil, 0o644))
	r.file(other)
	r.idle()
	assert.Equal(t, 1, r.restarts("p"), "%v", r.seen)
	assert.Equal(t, 1, c.Status().Restarts)
	assert.NoError(t, r.stop())
}

// TestAtRest: a change to the files of processes at rest, never started
// or finished, restarts neither.
func TestAtRest(t *testing.T) {
	o, _ := setup(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.toml")
	require.NoError(t, os.WriteFile(conf, nil, 0o644))
	events := make(chan overseer.Event, 64)
	stopEvents := o.Watch(events)
	defer stopEvents()

	never, err := o.Add("never", "/bin/sh", "-c", "exit 0")
	require.NoError(t, err)
	never.WatchFiles = []string{conf}
	done, err := o.Add("done", "/bin/sh", "-c", "exit 0")
	require.NoError(t, err)
	done.WatchFiles = []string{conf}
	require.NoError(t, o.Start("done"))
	waitEvent(t, events, "done", overseer.StateFinished)

	r := start(t, o, WithDebounce(10*time.Millisecond))
	r.watching(dir)
	require.NoError(t, os.WriteFile(conf, []byte("x"), 0o644))
	r.file(conf)
	r.idle() // the timers went off, and nothing was restarted
	assert.Zero(t, r.restarts("never"))
	assert.Zero(t, r.restarts("done"))
	assert.Equal(t, overseer.StateInitial, never.Status().State)
	assert.Equal(t, overseer.StateFinished, done.Status().State)
	assert.Zero(t, done.Status().Restarts)
	assert.NoError(t, r.stop())
}

// TestNewProcessAndUpgrade: a process added while Run runs is watched from
// its start, and after Upgrade its new program is watched instead of the
// old one.
func TestNewProcessAndUpgrade(t *testing.T) {
	o, lines := setup(t)
	r := start(t, o, WithDebounce(20*time.Millisecond))
	r.waitFor("the first scan", func(s step) bool { return s.kind == "scan" })

	dir1, dir2 := t.TempDir(), t.TempDir()
	prog1, prog2 := filepath.Join(dir1, "prog"), filepath.Join(dir2, "prog")
	script(t, prog1, "one")
	script(t, prog2, "two")
	_, err := o.Add("p", prog1)
	require.NoError(t, err)
	require.NoError(t, o.Start("p"))
	waitLine(t, lines, "p", "one")
	r.watching(dir1)

	require.NoError(t, o.Upgrade("p", prog2))
	waitLine(t, lines, "p", "two")
	r.waitFor("a scan watching "+dir2+" alone", func(s step) bool {
		return s.kind == "scan" && s.arg == dir2
	})

	// The old program's directory is not watched any more; the new one is.
	script(t, prog2, "three")
	require.NoError(t, r.restarted("p"))
	waitLine(t, lines, "p", "three")
	assert.Equal(t, 1, r.restarts("p"))
	assert.NoError(t, r.stop())
}

// TestRunWaitsForRestarts: Run returns only once the restart in flight has
// ended, and leaves no goroutine behind.
func TestRunWaitsForRestarts(t *testing.T) {
	o, _ := setup(t)
	_, conf := startWatching(t, o, "", "exec sleep 60")
	dir := filepath.Dir(conf)

	inRestart, release := make(chan struct{}), make(chan struct{})
	hold := func(c *config) { // wraps the hook of start, set before it
		next := c.afterRestart
		c.afterRestart = func(id string, err error) {
			close(inRestart)
			<-release
			next(id, err)
		}
	}
	r := start(t, o, WithDebounce(10*time.Millisecond), hold)
	r.watching(dir)
	require.NoError(t, os.WriteFile(conf, []byte("x"), 0o644))
	select {
	case <-inRestart:
	case <-time.After(deadline):
		t.Fatal("no restart")
	}
	r.cancel()
	select {
	case err := <-r.done:
		t.Fatalf("Run returned %v with a restart in flight", err)
	default:
	}
	close(release)
	assert.NoError(t, r.stop())
}

// TestRunErrors: a nil Overseer, and a context already done.
func TestRunErrors(t *testing.T) {
	o, _ := setup(t)
	assert.True(t, errors.Is(Run(context.Background(), nil), overseer.ErrInvalid))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.NoError(t, Run(ctx, o))
}

// waitEvent waits for process id to reach state to.
func waitEvent(t *testing.T, events <-chan overseer.Event, id string, to overseer.State) {
	t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case ev := <-events:
			if ev.ID == id && ev.To == to {
				return
			}
		case <-timeout:
			t.Fatalf("%s did not become %v in %v", id, to, deadline)
		}
	}
}

// TestRollingRestart: a process with Listeners gets a rolling restart: the
// new run takes over from the old one, which then ends.
func TestRollingRestart(t *testing.T) {
	o, lines := setup(t)
	dir := t.TempDir()
	prog := filepath.Join(dir, "prog")
	script(t, prog, "v1")
	c, err := o.Add("p", prog)
	require.NoError(t, err)
	c.Listeners = []string{"tcp://127.0.0.1:0"}
	events := make(chan overseer.Event, 64)
	stopEvents := o.Watch(events)
	defer stopEvents()
	require.NoError(t, o.Start("p"))
	first := waitLine(t, lines, "p", "v1")

	r := start(t, o, WithDebounce(20*time.Millisecond))
	r.watching(dir)
	script(t, prog+".new", "v2")
	require.NoError(t, os.Rename(prog+".new", prog))
	second := waitLine(t, lines, "p", "v2")
	require.NoError(t, r.restarted("p"))
	assert.NotEqual(t, first.PID, second.PID)

	// The takeover: running to running, with the new PID.
	timeout := time.After(deadline)
	for took := false; !took; {
		select {
		case ev := <-events:
			took = ev.ID == "p" && ev.From == overseer.StateRunning && ev.To == overseer.StateRunning && ev.PID == second.PID
		case <-timeout:
			t.Fatal("no takeover event")
		}
	}
	st := c.Status()
	assert.Equal(t, overseer.StateRunning, st.State)
	assert.Equal(t, second.PID, st.PID)
	assert.NoError(t, r.stop())
}

// startWatching starts process "p" of o, running script under /bin/sh with
// a config file of the given content in its WatchFiles, and returns its Cmd
// and the file.
func startWatching(t *testing.T, o *overseer.Overseer, content, script string) (*overseer.Cmd, string) {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, os.WriteFile(conf, []byte(content), 0o644))
	c, err := o.Add("p", "/bin/sh", "-c", script)
	require.NoError(t, err)
	c.WatchFiles = []string{conf}
	require.NoError(t, o.Start("p"))
	return c, conf
}

// TestWithIDs: only the processes named are watched; a change to a file of
// another restarts nothing.
func TestWithIDs(t *testing.T) {
	o, lines := setup(t)
	c, conf := startWatching(t, o, "a = 1\n", "echo up; exec sleep 60")
	// p's line before q starts: waitLine drops the lines of others.
	waitLine(t, lines, "p", "up")
	other, err := o.Add("q", "/bin/sh", "-c", "echo q up; exec sleep 60")
	require.NoError(t, err)
	otherConf := filepath.Join(t.TempDir(), "other.toml")
	require.NoError(t, os.WriteFile(otherConf, []byte("b = 1\n"), 0o644))
	other.WatchFiles = []string{otherConf}
	require.NoError(t, o.Start("q"))
	waitLine(t, lines, "q", "q up")

	r := start(t, o, WithDebounce(50*time.Millisecond), WithIDs("p"))
	r.watching(filepath.Dir(conf))
	require.NoError(t, os.WriteFile(otherConf, []byte("b = 2\n"), 0o644))
	require.NoError(t, os.WriteFile(conf, []byte("a = 2\n"), 0o644))
	require.NoError(t, r.restarted("p"))
	r.idle()
	assert.Equal(t, 1, c.Status().Restarts)
	assert.Zero(t, other.Status().Restarts, "q is not watched")
	assert.Zero(t, r.restarts("q"))
	assert.NoError(t, r.stop())
}
