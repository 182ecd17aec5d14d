//go:build unix

package overseer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestLifecycle(t *testing.T) {
	c, rec := newChild(t, "out:hello", "err:world", "exit:0")
	require.NoError(t, c.Start())
	st := wait(t, c)

	assert.Equal(t, StateFinished, st.State)
	assert.Equal(t, 0, st.Exit)
	assert.NoError(t, st.Error)
	assert.Positive(t, st.PID)
	assert.False(t, st.StartTime.IsZero())
	assert.False(t, st.StopTime.Before(st.StartTime))
	assert.Equal(t, st.StopTime.Sub(st.StartTime), st.Runtime)
	assert.Equal(t, []string{"hello"}, st.Stdout)
	assert.Equal(t, []string{"world"}, st.Stderr)
	assert.Equal(t, []string{"initial>starting", "starting>running", "running>finished"}, rec.transitions())

	// A second start is a new run: a new PID, Seq goes on, the kept lines
	// of the first run are still there.
	require.NoError(t, c.Start())
	st2 := wait(t, c)
	assert.Equal(t, StateFinished, st2.State)
	assert.NotEqual(t, st.PID, st2.PID)
	lines := c.Lines(0)
	require.Len(t, lines, 4)
	for i, l := range lines {
		assert.Equal(t, uint64(i+1), l.Seq)
	}
	assert.Equal(t, []string{
		"initial>starting", "starting>running", "running>finished",
		"finished>starting", "starting>running", "running>finished",
	}, rec.transitions())
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name  string
		ops   []string
		state State
		exit  int
		sig   syscall.Signal // expected in a *SignalError, 0 for no error
	}{
		{"exit 0", []string{"exit:0"}, StateFinished, 0, 0},
		{"exit 3", []string{"exit:3"}, StateFinished, 3, 0},
		{"end of main", []string{"out:done"}, StateFinished, 0, 0},
		{"SIGKILL", []string{"kill:9", "sleep"}, StateInterrupted, -1, syscall.SIGKILL},
		{"SIGTERM", []string{"kill:15", "sleep"}, StateInterrupted, -1, syscall.SIGTERM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newChild(t, tt.ops...)
			require.NoError(t, c.Start())
			st := wait(t, c)
			assert.Equal(t, tt.state, st.State)
			assert.Equal(t, tt.exit, st.Exit)
			if tt.sig == 0 {
				assert.NoError(t, st.Error)
			} else {
				var se *SignalError
				require.ErrorAs(t, st.Error, &se)
				assert.Equal(t, tt.sig, se.Signal)
			}
			last := rec.events[len(rec.events)-1]
			assert.Equal(t, tt.state, last.To)
			assert.Equal(t, tt.exit, last.Exit)
		})
	}
}

func TestRunningStatus(t *testing.T) {
	c, rec := newChild(t, "ready", "sleep")
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	st := c.Status()
	assert.Equal(t, StateRunning, st.State)
	assert.Equal(t, -1, st.Exit)
	assert.NoError(t, st.Error)
	assert.True(t, st.StopTime.IsZero())
	assert.Positive(t, st.Runtime)
	assert.ErrorIs(t, c.Start(), ErrRunning)
	select {
	case <-c.Done():
		t.Fatal("Done is closed while the run goes on")
	default:
	}
	c.Stop()
	st = c.Status()
	assert.Equal(t, StateInterrupted, st.State)
	var se *SignalError
	require.ErrorAs(t, st.Error, &se)
	assert.Equal(t, syscall.SIGTERM, se.Signal)
	assert.Equal(t, []string{"initial>starting", "starting>running", "running>stopping", "stopping>interrupted"}, rec.transitions())
}

func TestNeverStarted(t *testing.T) {
	for name, c := range map[string]*Cmd{"NewCmd": NewCmd(childPath), "literal": {Args: []string{childPath}}} {
		t.Run(name, func(t *testing.T) {
			select {
			case <-c.Done():
			default:
				t.Fatal("Done is not closed")
			}
			st := c.Wait()
			assert.Equal(t, StateInitial, st.State)
			assert.Equal(t, -1, st.Exit)
			assert.Zero(t, st.PID)
			assert.Zero(t, st.Runtime)
			c.Stop()
			assert.ErrorIs(t, c.Signal(syscall.SIGTERM), os.ErrProcessDone)
			assert.Empty(t, c.Lines(0))
			assert.Equal(t, "initial", c.ToJSON().State.String())
		})
	}
}

func TestLongLine(t *testing.T) {
	const n = 200_000
	c, _ := newChild(t, "long:"+strconv.Itoa(n), "out:after1", "out:after2")
	require.NoError(t, c.Start())
	wait(t, c)
	lines := c.Lines(0)
	max := defaultMaxLineBytes
	want := n/max + 1
	require.Len(t, lines, want+2)
	var joined strings.Builder
	for i, l := range lines[:want] {
		assert.Equal(t, i < want-1, l.Partial, "piece %d", i)
		assert.LessOrEqual(t, len(l.Text), max)
		joined.WriteString(l.Text)
	}
	assert.Equal(t, strings.Repeat("x", n), joined.String())
	assert.Equal(t, []string{"after1", "after2"}, texts(lines[want:]))
	assert.False(t, lines[want].Partial)
}

func TestManyLinesNothingLost(t *testing.T) {
	const n = 100_000
	var raw syncBuffer
	c, _ := newChild(t, "lines:"+strconv.Itoa(n))
	c.BufferLines = n
	c.Stdout = &raw
	require.NoError(t, c.Start())
	st := wait(t, c)
	require.Equal(t, StateFinished, st.State)

	lines := c.Lines(0)
	require.Len(t, lines, n)
	var want bytes.Buffer
	for i, l := range lines {
		text := fmt.Sprintf("line-%07d", i+1)
		want.WriteString(text + "\n")
		if l.Text != text || l.Seq != uint64(i+1) || l.Stream != StreamStdout || l.Partial {
			t.Fatalf("line %d: %+v, want %q with Seq %d", i, l, text, i+1)
		}
	}
	assert.Equal(t, want.String(), raw.String(), "raw writer")
}

func TestLineEndings(t *testing.T) {
	tests := []struct {
		name string
		ops  []string
		want []string
	}{
		{"final line without newline", []string{"out:first", "raw:final"}, []string{"first", "final"}},
		{"CRLF", []string{`raw:a\r\nb\r\n`}, []string{"a", "b"}},
		{"lone CR kept", []string{`raw:x\ry\n`}, []string{"x\ry"}},
		{"empty lines", []string{`raw:\n\nz\n`}, []string{"", "", "z"}},
		{"bytes kept as they are", []string{`raw:\x00\xff\xfe bad utf-8\n`}, []string{"\x00\xff\xfe bad utf-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newChild(t, tt.ops...)
			require.NoError(t, c.Start())
			wait(t, c)
			assert.Equal(t, tt.want, texts(c.Lines(0)))
		})
	}
}

func TestInterleavedStreams(t *testing.T) {
	const n = 2000
	c, _ := newChild(t, "interleave:"+strconv.Itoa(n))
	c.BufferLines = n
	require.NoError(t, c.Start())
	st := wait(t, c)

	var wantOut, wantErr []string
	for i := 1; i <= n; i++ {
		if i%2 == 1 {
			wantOut = append(wantOut, fmt.Sprintf("out-%d", i))
		} else {
			wantErr = append(wantErr, fmt.Sprintf("err-%d", i))
		}
	}
	assert.Equal(t, wantOut, st.Stdout)
	assert.Equal(t, wantErr, st.Stderr)
	lines := c.Lines(0)
	require.Len(t, lines, n)
	for i, l := range lines {
		require.Equal(t, uint64(i+1), l.Seq)
		want := StreamStdout
		if strings.HasPrefix(l.Text, "err-") {
			want = StreamStderr
		}
		require.Equal(t, want, l.Stream, l.Text)
	}
}

func TestBufferBounds(t *testing.T) {
	t.Run("lines", func(t *testing.T) {
		c, _ := newChild(t, "lines:5000")
		c.BufferLines = 100
		require.NoError(t, c.Start())
		st := wait(t, c)
		require.Len(t, st.Stdout, 100)
		assert.Equal(t, "line-0004901", st.Stdout[0])
		assert.Equal(t, "line-0005000", st.Stdout[99])
		lines := c.Lines(4990)
		require.Len(t, lines, 10)
		assert.Equal(t, uint64(4991), lines[0].Seq)
	})
	t.Run("bytes", func(t *testing.T) {
		c, _ := newChild(t, "lines:5000")
		c.BufferBytes = 1000 // 83 lines of 12 bytes
		require.NoError(t, c.Start())
		st := wait(t, c)
		require.Len(t, st.Stdout, 83)
		assert.Equal(t, "line-0005000", st.Stdout[82])
	})
	t.Run("the newest line is always kept", func(t *testing.T) {
		c, _ := newChild(t, "long:5000")
		c.BufferBytes = 10
		require.NoError(t, c.Start())
		st := wait(t, c)
		require.Len(t, st.Stdout, 1)
		assert.Len(t, st.Stdout[0], 5000)
	})
}

func TestRawWriters(t *testing.T) {
	var out, errOut syncBuffer
	c, _ := newChild(t, `raw:a\r\nb`, `err:e1`, `raw:\x00c`)
	c.Stdout, c.Stderr = &out, &errOut
	require.NoError(t, c.Start())
	wait(t, c)
	assert.Equal(t, "a\r\nb\x00c", out.String())
	assert.Equal(t, "e1\n", errOut.String())
}

func TestFailingWriterDoesNotStopCapture(t *testing.T) {
	c, _ := newChild(t, "lines:1000")
	c.Stdout = failingWriter{}
	require.NoError(t, c.Start())
	st := wait(t, c)
	assert.Equal(t, StateFinished, st.State)
	assert.Len(t, st.Stdout, 1000)
}

func TestStopEscalatesToSIGKILL(t *testing.T) {
	c, rec := newChild(t, "ignore:TERM", "ready", "sleep")
	c.StopTimeout = 100 * time.Millisecond
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	begin := time.Now()
	c.Stop()
	assert.GreaterOrEqual(t, time.Since(begin), c.StopTimeout, "Stop returned before StopTimeout")

	st := c.Status()
	assert.Equal(t, StateInterrupted, st.State)
	var se *SignalError
	require.ErrorAs(t, st.Error, &se)
	assert.Equal(t, syscall.SIGKILL, se.Signal)
	assert.True(t, processGone(st.PID))
	assert.Equal(t, []string{"initial>starting", "starting>running", "running>stopping", "stopping>interrupted"}, rec.transitions())
}

func TestStopSignal(t *testing.T) {
	c, _ := newChild(t, "ready", "sleep")
	c.StopSignal = syscall.SIGINT
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	c.Stop()
	var se *SignalError
	require.ErrorAs(t, c.Status().Error, &se)
	assert.Equal(t, syscall.SIGINT, se.Signal)
	assert.True(t, c.Status().Stopped, "the signal was a stop asked for")

	// A signal the run did not ask for is no stop; a new run forgets the
	// last one's.
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	require.NoError(t, c.Signal(syscall.SIGINT))
	st := c.Wait()
	require.ErrorAs(t, st.Error, &se)
	assert.False(t, st.Stopped, "killed, not stopped")
}

// grandchildren returns the pids the child printed as "pid:N".
func grandchildren(t *testing.T, c *Cmd, n int) []int {
	t.Helper()
	var pids []int
	eventually(t, func() bool {
		pids = pids[:0]
		for _, l := range c.Lines(0) {
			if s, ok := strings.CutPrefix(l.Text, "pid:"); ok {
				pid, err := strconv.Atoi(s)
				require.NoError(t, err)
				pids = append(pids, pid)
			}
		}
		return len(pids) == n
	}, "want %d grandchildren", n)
	return pids
}

func TestStopKillsGrandchildren(t *testing.T) {
	c, _ := newChild(t, "spawn:3", "ready", "sleep")
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	pids := grandchildren(t, c, 3)
	for _, pid := range pids {
		require.False(t, processGone(pid), "grandchild %d is not running", pid)
	}
	c.Stop()
	for _, pid := range pids {
		eventually(t, func() bool { return processGone(pid) }, "grandchild %d survived Stop", pid)
	}
}

func TestLeaderExitKillsItsGroup(t *testing.T) {
	// The grandchildren hold the stdout pipe open: the run must still end
	// with the leader, because what it leaves in its group is killed.
	c, _ := newChild(t, "spawn:2", "out:bye", "exit:0")
	require.NoError(t, c.Start())
	st := wait(t, c)
	assert.Equal(t, StateFinished, st.State)
	assert.Less(t, st.Runtime, pipeGrace, "the run waited for the grandchildren's pipe")
	for _, pid := range grandchildren(t, c, 2) {
		eventually(t, func() bool { return processGone(pid) }, "grandchild %d survived its leader", pid)
	}
}

func TestStartErrors(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	require.NoError(t, os.WriteFile(plain, []byte("#!/bin/sh\n"), 0o644))

	tests := []struct {
		name    string
		cmd     func() *Cmd
		is      error  // errors.Is target
		mention string // text the error must contain
		state   State  // the state after the failed Start
	}{
		{"no such program", func() *Cmd { return NewCmd("overseer-no-such-program") },
			exec.ErrNotFound, "overseer-no-such-program", StateFatal},
		{"no such path", func() *Cmd { return NewCmd(filepath.Join(dir, "missing")) },
			fs.ErrNotExist, "missing", StateFatal},
		{"not executable", func() *Cmd { return NewCmd(plain) },
			fs.ErrPermission, plain, StateFatal},
		{"a directory", func() *Cmd { return NewCmd(dir) },
			syscall.EISDIR, dir, StateFatal},
		{"no such dir", func() *Cmd { c := NewCmd(childPath); c.Dir = filepath.Join(dir, "nodir"); return c },
			fs.ErrNotExist, "nodir", StateFatal},
		{"dir is a file", func() *Cmd { c := NewCmd(childPath); c.Dir = plain; return c },
			syscall.ENOTDIR, plain, StateFatal},
		{"no args", func() *Cmd { return &Cmd{} }, ErrInvalid, "Args", StateInitial},
		{"empty program", func() *Cmd { return NewCmd("") }, ErrInvalid, "Args", StateInitial},
		{"env without =", func() *Cmd { c := NewCmd(childPath); c.Env = []string{"PATH"}; return c },
			ErrInvalid, `"PATH"`, StateInitial},
		{"negative BufferLines", func() *Cmd { c := NewCmd(childPath); c.BufferLines = -1; return c },
			ErrInvalid, "BufferLines", StateInitial},
		{"negative BufferBytes", func() *Cmd { c := NewCmd(childPath); c.BufferBytes = -1; return c },
			ErrInvalid, "BufferBytes", StateInitial},
		{"negative MaxLineBytes", func() *Cmd { c := NewCmd(childPath); c.MaxLineBytes = -1; return c },
			ErrInvalid, "MaxLineBytes", StateInitial},
		{"huge MaxLineBytes", func() *Cmd { c := NewCmd(childPath); c.MaxLineBytes = 2 << 30; return c },
			ErrInvalid, "MaxLineBytes", StateInitial},
		{"negative StopTimeout", func() *Cmd { c := NewCmd(childPath); c.StopTimeout = -time.Second; return c },
			ErrInvalid, "StopTimeout", StateInitial},
		{"bad StopSignal", func() *Cmd { c := NewCmd(childPath); c.StopSignal = 99; return c },
			ErrInvalid, "StopSignal", StateInitial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cmd()
			watchCmd(t, c)
			err := c.Start()
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.is)
			assert.Contains(t, err.Error(), tt.mention)
			assert.True(t, strings.HasPrefix(err.Error(), "overseer: "), err.Error())
			st := c.Wait() // returns at once: Done is closed
			assert.Equal(t, tt.state, st.State)
			if tt.state == StateFatal {
				assert.Equal(t, err, st.Error)
				assert.Equal(t, err.Error(), c.ToJSON().Error)
			}
		})
	}
}

func TestSignal(t *testing.T) {
	c, _ := newChild(t, "ready", "sleep")
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	for _, sig := range []syscall.Signal{0, -1, 65, 1000} {
		assert.ErrorIs(t, c.Signal(sig), ErrInvalid, "signal %d", sig)
	}
	require.NoError(t, c.Signal(syscall.SIGCONT)) // ignored by default
	require.NoError(t, c.Signal(syscall.SIGHUP))  // ends a Go program
	st := wait(t, c)
	assert.Equal(t, StateInterrupted, st.State)
	var se *SignalError
	require.ErrorAs(t, st.Error, &se)
	assert.Equal(t, syscall.SIGHUP, se.Signal)
	assert.ErrorIs(t, c.Signal(syscall.SIGTERM), os.ErrProcessDone)
}

func TestSignalReachesTheGroup(t *testing.T) {
	c, _ := newChild(t, "spawn:2", "ready", "sleep")
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	pids := grandchildren(t, c, 2)
	require.NoError(t, c.Signal(syscall.SIGKILL))
	wait(t, c)
	for _, pid := range pids {
		eventually(t, func() bool { return processGone(pid) }, "grandchild %d did not get the signal", pid)
	}
}

func TestConcurrentUse(t *testing.T) {
	c, _ := newChild(t, "lines:200", "ready", "sleep")
	c.StopTimeout = time.Second
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				switch i % 4 {
				case 0:
					_ = c.Status()
				case 1:
					_ = c.ToJSON()
					_ = c.Lines(100)
				case 2:
					_ = c.Signal(syscall.SIGCONT)
				case 3:
					c.Stop()
				}
			}
		}()
	}
	for range 20 {
		err := c.Start()
		if err != nil {
			require.ErrorIs(t, err, ErrRunning)
		}
		<-c.Done()
	}
	close(stop)
	wg.Wait()
	c.Stop()
	assert.True(t, c.Status().State.IsFinal())
}

func TestConcurrentStops(t *testing.T) {
	c, _ := newChild(t, "ignore:TERM", "ready", "sleep")
	c.StopTimeout = 50 * time.Millisecond
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Stop()
			assert.Equal(t, StateInterrupted, c.Status().State)
		}()
	}
	wg.Wait()
}

func TestToJSON(t *testing.T) {
	c, _ := newChild(t, "exit:3")
	c.id, c.Group, c.Dir = "web", "front", os.TempDir()
	require.NoError(t, c.Start())
	wait(t, c)
	jp := c.ToJSON()
	assert.Equal(t, "web", jp.ID)
	assert.Equal(t, "front", jp.Group)
	assert.Equal(t, childPath+" exit:3", jp.Cmd)
	assert.Equal(t, StateFinished, jp.State)
	assert.Equal(t, 3, jp.Exit)

	data, err := json.Marshal(jp)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	for _, key := range []string{"id", "group", "cmd", "dir", "pid", "state", "exitCode", "error", "startTime", "stopTime", "runTime", "restarts"} {
		assert.Contains(t, m, key)
	}
	assert.Equal(t, "finished", m["state"])
	assert.Equal(t, "", m["error"])
	assert.IsType(t, float64(0), m["runTime"])

	// What a caller changes after the run does not rewrite it.
	c.Args = []string{"other"}
	assert.Equal(t, childPath+" exit:3", c.ToJSON().Cmd)

	c2, _ := newChild(t, "kill:9", "sleep")
	require.NoError(t, c2.Start())
	wait(t, c2)
	jp = c2.ToJSON()
	assert.Equal(t, -1, jp.Exit)
	assert.Contains(t, jp.Error, "killed by signal 9")
}

func TestNoGoroutineLeftBehind(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreGuardian)
	c, _ := newChild(t, "spawn:1", "lines:1000", "ready", "sleep")
	for range 3 {
		require.NoError(t, c.Start())
		waitLine(t, c, "ready")
		c.Stop()
	}
	c2, _ := newChild(t, "exit:1")
	require.NoError(t, c2.Start())
	wait(t, c2)
}

// syncBuffer is a bytes.Buffer safe for the pump's writes and the test's
// reads.
type syncBuffer = testbuild.Buffer

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestGroupGetsTimeToStopAfterLeader(t *testing.T) {
	// The leader dies at once on SIGTERM; the worker it started needs a
	// moment to clean up. It must get StopSignal and that moment (within
	// StopTimeout), not a SIGKILL as soon as the leader is gone.
	c, _ := newChild(t, "spawnwith:trapterm:200:cleaned-up+ready+sleep", "sleep")
	c.StopTimeout = 10 * time.Second
	require.NoError(t, c.Start())
	waitLine(t, c, "ready")
	c.Stop()
	assert.Contains(t, c.Status().Stdout, "cleaned-up")
}

func TestGroupLeftoversKilledAfterStopTimeout(t *testing.T) {
	// What ignores StopSignal after the leader has exited by itself is
	// killed once StopTimeout has passed.
	c, _ := newChild(t, "spawnwith:ignore:TERM+ready+sleep", "sleepms:50", "exit:0")
	c.StopTimeout = 100 * time.Millisecond
	require.NoError(t, c.Start())
	st := wait(t, c)
	assert.Equal(t, StateFinished, st.State)
	assert.GreaterOrEqual(t, st.Runtime, c.StopTimeout)
}

func TestSameWriterForBothStreams(t *testing.T) {
	var buf bytes.Buffer // not safe for concurrent writes: -race checks the pumps take turns
	c, _ := newChild(t, "interleave:2000")
	c.Stdout, c.Stderr = &buf, &buf
	require.NoError(t, c.Start())
	wait(t, c)
	assert.Equal(t, 2000, strings.Count(buf.String(), "\n"))
}

// Status and ToJSON count the lines captured of each stream, across runs.
func TestLineCounts(t *testing.T) {
	c, _ := newChild(t, "interleave:5")
	for range 2 {
		require.NoError(t, c.Start())
		wait(t, c)
	}
	st := c.Status()
	assert.Equal(t, uint64(6), st.StdoutLines) // out-1, out-3, out-5 in each run
	assert.Equal(t, uint64(4), st.StderrLines)
	jp := c.ToJSON()
	assert.Equal(t, st.StdoutLines, jp.StdoutLines)
	assert.Equal(t, st.StderrLines, jp.StderrLines)
}
