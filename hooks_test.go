//go:build unix

package overseer

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// Tests of the hooks: PreStart, PostStop and StopCommand.

// sh is a hook command line run by the shell, as the command's YAML makes
// them.
func sh(line string) []string { return []string{"/bin/sh", "-c", line} }

// hookLines returns the Lines of c written by hook h, in Seq order.
func hookLines(c *Cmd, h Hook) []Line {
	return slices.DeleteFunc(c.Lines(0), func(l Line) bool { return l.Hook != h })
}

// waitHookLine waits until c has a line of hook h with the given text, and
// returns it.
func waitHookLine(t *testing.T, c *Cmd, h Hook, text string) Line {
	t.Helper()
	var found Line
	eventually(t, func() bool {
		for _, l := range hookLines(c, h) {
			if l.Text == text {
				found = l
				return true
			}
		}
		return false
	}, "no %v line %q in %v", h, text, testbuild.Later(func() string { return fmt.Sprint(c.Lines(0)) }))
	return found
}

// TestPreStartFailureIsAFailedStart checks that a PreStart command that
// fails makes the start a failed one under the policy, backoff then fatal
// after MaxRestarts, with an error naming the command, and that the
// program never runs; the command's output is in the rings, marked.
func TestPreStartFailureIsAFailedStart(t *testing.T) {
	o := newTestOverseer(t)
	ft := useFakeTimer(o, false)
	log := watchEvents(t, o)
	marker := filepath.Join(t.TempDir(), "ran")
	c, err := o.Add("web", "/bin/sh", "-c", "touch "+marker)
	require.NoError(t, err)
	c.MaxRestarts = 2
	c.Backoff = testBackoff
	c.PreStart = [][]string{sh("echo migrating"), sh("echo no database >&2; exit 3"), sh("echo never")}

	err = o.Supervise(context.Background(), "web")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "gave up after 2 restarts")
	assert.Contains(t, err.Error(), `overseer: web: pre_start[1] "echo no database >&2; exit 3": exit status 3`)
	st := status(t, o, "web")
	assert.Equal(t, StateFatal, st.State)
	assert.Zero(t, st.PID)
	assert.Equal(t, 2, st.Restarts)
	assert.Equal(t, []time.Duration{ms(10), ms(20)}, ft.recorded(), "each retry waits its backoff")
	log.close()
	assert.Equal(t, []string{
		"initial>starting", "starting>backoff",
		"backoff>starting", "starting>backoff",
		"backoff>starting", "starting>fatal",
	}, log.transitions("web"))
	assert.NoFileExists(t, marker, "the program ran")

	// Three starts, each with its first two commands, none with the third.
	pre := hookLines(c, HookPreStart)
	assert.Equal(t, []string{"migrating", "no database", "migrating", "no database", "migrating", "no database"}, texts(pre))
	for i, l := range pre {
		assert.Equal(t, "web", l.ID)
		assert.NotZero(t, l.PID)
		assert.Equal(t, []Stream{StreamStdout, StreamStderr}[i%2], l.Stream)
	}
	assert.Len(t, c.Lines(0), len(pre), "only the hooks wrote")
}

// TestPreStartInOrderWithDirAndEnv checks that the PreStart commands run
// one after the other before the program, in its Dir and with its Env,
// their Lines marked, with their own pids.
func TestPreStartInOrderWithDirAndEnv(t *testing.T) {
	dir := t.TempDir()
	c, _ := newChild(t, "out:program")
	c.Dir = dir
	c.Env = append(os.Environ(), "HOOK_VAR=from-env")
	c.PreStart = [][]string{
		sh(`echo "one $HOOK_VAR $(pwd -P)"; echo one > order`),
		sh(`echo two >&2; echo two >> order`),
		{childPath, "out:three"}, // no shell: as Args
	}
	require.NoError(t, c.Start())
	st := wait(t, c)
	require.NoError(t, st.Error)

	real, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	lines := c.Lines(0)
	require.Len(t, lines, 4, "%v", lines)
	assert.Equal(t, []string{"one from-env " + real, "two", "three", "program"}, texts(lines))
	assert.Equal(t, []Hook{HookPreStart, HookPreStart, HookPreStart, HookNone},
		[]Hook{lines[0].Hook, lines[1].Hook, lines[2].Hook, lines[3].Hook})
	assert.Equal(t, StreamStderr, lines[1].Stream)
	assert.Equal(t, st.PID, lines[3].PID)
	pids := map[int]bool{}
	for _, l := range lines {
		pids[l.PID] = true
	}
	assert.Len(t, pids, 4, "each command has its own pid: %v", lines)
	order, err := os.ReadFile(filepath.Join(dir, "order"))
	require.NoError(t, err)
	assert.Equal(t, "one\ntwo\n", string(order))
}

// TestStopDuringPreStart checks that a stop (Stop, StopAll, the end of
// Supervise's context) while a PreStart command hangs ends it (SIGKILL
// after StopTimeout to one that ignores StopSignal), that the Cmd is
// starting meanwhile and interrupted after, and that the program never
// runs.
func TestStopDuringPreStart(t *testing.T) {
	for _, how := range []string{"Stop", "StopAll", "context"} {
		t.Run(how, func(t *testing.T) {
			o := newTestOverseer(t)
			log := watchEvents(t, o)
			marker := filepath.Join(t.TempDir(), "ran")
			c, err := o.Add("web", "/bin/sh", "-c", "touch "+marker)
			require.NoError(t, err)
			c.StopTimeout = 100 * time.Millisecond
			c.PreStart = [][]string{{childPath, "ignore:TERM", "out:waiting", "sleep"}}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := goSupervise(ctx, o, "web")
			hook := waitHookLine(t, c, HookPreStart, "waiting")
			assert.Equal(t, StateStarting, status(t, o, "web").State)
			within(t, how, func() {
				switch how {
				case "Stop":
					require.NoError(t, o.Stop("web"))
				case "StopAll":
					o.StopAll()
				case "context":
					cancel()
				}
				recvErr(t, errc, "Supervise") // nil, or the context's error
			})

			st := status(t, o, "web")
			assert.Equal(t, StateInterrupted, st.State)
			assert.NoError(t, st.Error)
			assert.True(t, processGone(hook.PID), "the hook (pid %d) still runs", hook.PID)
			assert.NoFileExists(t, marker, "the program ran")
			log.close()
			assert.Equal(t, []string{"initial>starting", "starting>stopping", "stopping>interrupted"}, log.transitions("web"))
		})
	}
}

// TestStopCommandGetsMainPID checks that a Stop runs the StopCommand in
// place of sending StopSignal, with MAINPID in its environment, and that
// the run ends as the command made it.
func TestStopCommandGetsMainPID(t *testing.T) {
	c, _ := newChild(t, "trapterm:0:bye", "out:up", "sleep")
	c.StopSignal = syscall.SIGINT // not trapped: had it been sent, the run would end by it
	c.StopCommand = sh(`echo "stopping $MAINPID"; kill -TERM "$MAINPID"`)
	require.NoError(t, c.Start())
	waitLine(t, c, "up")
	pid := c.Status().PID

	within(t, "Stop", c.Stop)
	st := c.Status()
	assert.Equal(t, StateInterrupted, st.State)
	assert.NoError(t, st.Error, "the run ended by SIGTERM's trap, not by a signal")
	assert.Equal(t, 0, st.Exit)
	waitHookLine(t, c, HookStopCommand, fmt.Sprintf("stopping %d", pid))
	waitLine(t, c, "bye")
}

// TestStopCommandThatDoesNothing checks that a run the StopCommand does
// not end gets SIGKILL at StopTimeout.
func TestStopCommandThatDoesNothing(t *testing.T) {
	c, _ := newChild(t, "ignore:TERM", "out:up", "sleep")
	c.StopTimeout = 100 * time.Millisecond
	c.StopCommand = sh("echo not stopping")
	require.NoError(t, c.Start())
	waitLine(t, c, "up")

	within(t, "Stop", c.Stop)
	st := c.Status()
	assert.Equal(t, StateInterrupted, st.State)
	var sigErr *SignalError
	require.ErrorAs(t, st.Error, &sigErr)
	assert.Equal(t, syscall.SIGKILL, sigErr.Signal)
	waitHookLine(t, c, HookStopCommand, "not stopping")
}

// TestStopCommandFailureFallsBack checks that a StopCommand that fails is
// logged, and StopSignal sent in its place.
func TestStopCommandFailureFallsBack(t *testing.T) {
	var logs testbuild.Buffer
	o := NewOverseer(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	t.Cleanup(func() { o.StopAll() })
	c := addChild(t, o, "web", "trapterm:0:bye", "out:up", "sleep")
	c.StopCommand = sh("exit 4")
	require.NoError(t, c.Start())
	waitLine(t, c, "up")

	within(t, "Stop", c.Stop)
	st := c.Status()
	assert.NoError(t, st.Error, "StopSignal (SIGTERM) was trapped")
	waitLine(t, c, "bye")
	assert.Contains(t, logs.String(), "the stop command failed")
	assert.Contains(t, logs.String(), `stop_command \"exit 4\": exit status 4`)
}

// TestPostStopAfterEachRun checks that the PostStop commands run after
// each run, before it counts as ended, and that their failure changes
// nothing but a warning in the log.
func TestPostStopAfterEachRun(t *testing.T) {
	var logs testbuild.Buffer
	o := NewOverseer(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	t.Cleanup(func() { o.StopAll() })
	useFakeTimer(o, false)
	log := watchEvents(t, o)
	c := addChild(t, o, "web", "out:run", "exit:1")
	c.MaxRestarts = 2
	c.Backoff = testBackoff
	c.PostStop = [][]string{sh("echo cleanup"), sh("echo failing; exit 7")}

	err := o.Supervise(context.Background(), "web")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "last exit code 1", "the program's failure, not the hook's")
	log.close()
	assert.Equal(t, runsOf(2, StateFatal), log.transitions("web"))
	assert.Equal(t, strings.Repeat("run cleanup failing ", 3), strings.Join(texts(c.Lines(0)), " ")+" ",
		"each run's PostStop commands come after it, before the next")
	assert.Len(t, hookLines(c, HookPostStop), 6)
	assert.Equal(t, 3, strings.Count(logs.String(), `post_stop[1] \"echo failing; exit 7\": exit status 7`), "%s", logs.String())

	// Started by hand: the run is over once its PostStop commands are.
	c.PostStop = [][]string{sh("echo after")}
	require.NoError(t, c.Start())
	wait(t, c)
	lines := c.Lines(0)
	last := lines[len(lines)-1]
	assert.Equal(t, "after", last.Text)
	assert.Equal(t, HookPostStop, last.Hook)
}

// TestPostStopTold checks that a PostStop command is told how the run
// ended, as systemd tells ExecStopPost=: its leader, and its exit code or
// the signal that ended it.
func TestPostStopTold(t *testing.T) {
	c, _ := newChild(t, "exit:3")
	c.PostStop = [][]string{sh("echo $MAINPID $EXIT_CODE $EXIT_STATUS")}
	require.NoError(t, c.Start())
	st := wait(t, c)
	last := c.Lines(0)[len(c.Lines(0))-1]
	assert.Equal(t, fmt.Sprintf("%d exited 3", st.PID), last.Text)

	c.PostStop = [][]string{sh("echo $EXIT_CODE $EXIT_STATUS")}
	c.Args = append(c.Args[:len(c.Args)-1], "sleep")
	require.NoError(t, c.Start())
	c.Stop()
	lines := c.Lines(0)
	assert.Equal(t, "killed TERM", lines[len(lines)-1].Text)
}

// TestPreStartBounded checks that a PreStart command still going after
// ReadyTimeout is killed, and fails the start: the program never runs.
func TestPreStartBounded(t *testing.T) {
	c, _ := newChild(t, "out:ran", "exit:0")
	c.ReadyTimeout = 100 * time.Millisecond
	c.PreStart = [][]string{sh("echo migrating; exec sleep 60")}
	err := c.Start()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `pre_start[0] "echo migrating; exec sleep 60": killed after 100ms`)
	var he *HookError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, HookPreStart, he.Hook)
	assert.Equal(t, 0, he.Index)
	assert.Equal(t, "echo migrating; exec sleep 60", he.Command)
	st := c.Status()
	assert.Equal(t, StateFatal, st.State)
	assert.Equal(t, []string{"migrating"}, texts(c.Lines(0)), "the program never ran")
}

// TestHookOutputToWriters checks that the hooks' bytes reach Stdout and
// Stderr as the program's do (a log file has them), and that a writer gets
// one Write at a time although the StopCommand writes while the program
// does.
func TestHookOutputToWriters(t *testing.T) {
	stdout, stderr := &slowWriter{}, &slowWriter{}
	c := NewCmd("/bin/sh", "-c", "echo started; while :; do echo tick; echo tock >&2; done")
	c.Stdout, c.Stderr = stdout, stderr
	c.PreStart = [][]string{sh("echo pre; echo pre-err >&2")}
	c.StopCommand = sh("echo stopping; echo stopping-err >&2; kill $MAINPID")
	c.PostStop = [][]string{sh("echo post")}
	require.NoError(t, c.Start())
	eventually(t, func() bool {
		return slices.ContainsFunc(c.Lines(0), func(l Line) bool { return l.Text == "tick" })
	}, "the program wrote nothing")
	c.Stop()
	out, errs := stdout.String(), stderr.String()
	assert.True(t, strings.HasPrefix(out, "pre\nstarted\n"), "%.40q", out)
	assert.Contains(t, out, "stopping\n")
	assert.True(t, strings.HasSuffix(out, "post\n"), "%.40q", out)
	assert.True(t, strings.HasPrefix(errs, "pre-err\n"), "%.40q", errs)
	assert.Contains(t, errs, "stopping-err\n")
	assert.False(t, stdout.overlapped.Load() || stderr.overlapped.Load(), "two Writes at once")
}

// slowWriter keeps what it is given, and notes two Writes at once. Each
// Write takes a millisecond, as a slow disk's would, so that one that
// comes while another is going finds it there.
type slowWriter struct {
	inside     atomic.Int32
	overlapped atomic.Bool
	mu         sync.Mutex
	buf        bytes.Buffer
}

func (w *slowWriter) Write(p []byte) (int, error) {
	if w.inside.Add(1) > 1 {
		w.overlapped.Store(true)
	}
	defer w.inside.Add(-1)
	time.Sleep(time.Millisecond) // the slow disk, not a wait for an event
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *slowWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestHookConfigInvalid checks that a hook without a program, or with a
// NUL byte, is refused with ErrInvalid naming the entry.
func TestHookConfigInvalid(t *testing.T) {
	tests := []struct {
		name string
		set  func(c *Cmd)
		want string
	}{
		{"empty PreStart entry", func(c *Cmd) { c.PreStart = [][]string{sh("true"), {}} }, "PreStart[1] has no program"},
		{"empty program", func(c *Cmd) { c.PostStop = [][]string{{"", "x"}} }, "PostStop[0] has no program"},
		{"NUL", func(c *Cmd) { c.StopCommand = []string{"kill", "a\x00b"} }, "StopCommand has a NUL byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newChild(t, "exit:0")
			tt.set(c)
			err := c.Start()
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, StateInitial, c.Status().State)
		})
	}
}

// TestRestartDuringPreStart checks that a Restart while a PreStart command
// hangs ends it and starts again: the commands, then the program.
func TestRestartDuringPreStart(t *testing.T) {
	o := newTestOverseer(t)
	dir := t.TempDir()
	c := addChild(t, o, "web", "out:up", "sleep")
	c.Dir = dir
	c.PreStart = [][]string{sh(`if [ -e once ]; then echo again; else touch once; echo waiting; exec sleep 1000; fi`)}

	errc := goSupervise(context.Background(), o, "web")
	hook := waitHookLine(t, c, HookPreStart, "waiting")
	within(t, "Restart", func() { require.NoError(t, o.Restart("web")) })
	waitHookLine(t, c, HookPreStart, "again")
	waitLine(t, c, "up")
	assert.Equal(t, StateRunning, status(t, o, "web").State)
	assert.True(t, processGone(hook.PID), "the first hook (pid %d) still runs", hook.PID)
	require.NoError(t, o.Stop("web"))
	require.NoError(t, recvErr(t, errc, "Supervise"))
}

// TestPreStartFailures checks the error of each way a PreStart command
// fails, as Cmd.Start returns it and Status keeps it: fatal, the program
// not run. (A Cmd outside an Overseer is named by its program.)
func TestPreStartFailures(t *testing.T) {
	tests := []struct {
		name string
		hook []string
		want string
		is   error
	}{
		{"exit", sh("exit 2"), `overseer: /bin/sh: pre_start[0] "exit 2": exit status 2`, nil},
		{"signal", sh("kill -KILL $$"), `overseer: /bin/sh: pre_start[0] "kill -KILL $$": killed by signal 9 (killed)`, nil},
		{"not found", []string{"/nonexistent/overseer-hook", "a"}, `overseer: /bin/sh: pre_start[0] "/nonexistent/overseer-hook a": `, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			marker := filepath.Join(t.TempDir(), "ran")
			c := NewCmd("/bin/sh", "-c", "touch "+marker)
			watchCmd(t, c)
			c.PreStart = [][]string{tt.hook}
			err := c.Start()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			st := wait(t, c)
			assert.Equal(t, StateFatal, st.State)
			assert.Equal(t, err, st.Error)
			assert.Zero(t, st.PID)
			assert.NoFileExists(t, marker, "the program ran")
		})
	}
}

// TestPostStopBounded checks that a PostStop command still going
// StopTimeout after it began is killed, and the run ends as it would have.
func TestPostStopBounded(t *testing.T) {
	var logs testbuild.Buffer
	o := NewOverseer(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	t.Cleanup(func() { o.StopAll() })
	c := addChild(t, o, "web", "exit:0")
	c.StopTimeout = 100 * time.Millisecond
	c.PostStop = [][]string{{childPath, "ignore:TERM", "out:hanging", "sleep"}}
	require.NoError(t, c.Start())
	st := wait(t, c)
	assert.Equal(t, StateFinished, st.State)
	assert.NoError(t, st.Error)
	hook := waitHookLine(t, c, HookPostStop, "hanging")
	assert.True(t, processGone(hook.PID), "the hook (pid %d) still runs", hook.PID)
	assert.Contains(t, logs.String(), "killed after 100ms")
}
