//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// bin is this command and prog the test program (testdata/prog), built
// once, without -race.
var bin, prog string

func TestMain(m *testing.M) {
	paths, remove, err := testbuild.Build("../overseer", "./testdata/prog")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin, prog = paths[0], paths[1]
	code := m.Run()
	remove()
	os.Exit(code)
}

// process is the command run by a test, its output read line by line.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string // stdout
	errs   chan string // stderr
	mu     sync.Mutex
	stderr bytes.Buffer
	waited chan struct{}
	err    error
}

// startCommand starts the built command with args.
func startCommand(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{t: t, cmd: exec.Command(bin, args...), lines: make(chan string, 1000), errs: make(chan string, 1000), waited: make(chan struct{})}
	out, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	errOut, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	stderrDone := make(chan struct{})
	go func() {
		defer close(stderrDone)
		sc := bufio.NewScanner(errOut)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.errs <- sc.Text():
			default:
			}
		}
	}()
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		<-stderrDone // Wait closes the pipes: both are read to the end first
		p.err = p.cmd.Wait()
		close(p.waited)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.waited
	})
	return p
}

func (p *process) stderrText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// waitLine waits for a line of stdout that starts with prefix, and returns
// it.
func (p *process) waitLine(prefix string) string {
	p.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				<-p.waited
				p.t.Fatalf("no line %q before the end (%v); stderr: %s", prefix, p.err, p.stderrText())
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			p.t.Fatalf("no line %q; stderr: %s", prefix, p.stderrText())
		}
	}
}

// waitErr waits for a line of stderr that starts with prefix.
func (p *process) waitErr(prefix string) string {
	p.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l := <-p.errs:
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			p.t.Fatalf("no line %q on stderr: %s", prefix, p.stderrText())
		}
	}
}

// waitLines waits for a line starting with each prefix, in any order, and
// returns them in the order of the prefixes.
func (p *process) waitLines(prefixes ...string) []string {
	p.t.Helper()
	found := make([]string, len(prefixes))
	missing := len(prefixes)
	timeout := time.After(20 * time.Second)
	for missing > 0 {
		select {
		case l, ok := <-p.lines:
			if !ok {
				<-p.waited
				p.t.Fatalf("not all of %q before the end (%v); stderr: %s", prefixes, p.err, p.stderrText())
			}
			for i, prefix := range prefixes {
				if found[i] == "" && strings.HasPrefix(l, prefix) {
					found[i] = l
					missing--
					break
				}
			}
		case <-timeout:
			p.t.Fatalf("not all of %q (found %q); stderr: %s", prefixes, found, p.stderrText())
		}
	}
	return found
}

func (p *process) signal(sig syscall.Signal) {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(sig))
}

// exitCode waits for the command to end and returns its exit status.
func (p *process) exitCode() int {
	p.t.Helper()
	select {
	case <-p.waited:
	case <-time.After(30 * time.Second):
		p.t.Fatalf("the command did not end; stderr: %s", p.stderrText())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	require.NoError(p.t, p.err)
	return 0
}

// infoLine is what prog's info prints.
type infoLine struct {
	pid  int
	fds  string
	addr string
}

func parseInfo(t *testing.T, line string) infoLine {
	t.Helper()
	var info infoLine
	f := strings.Fields(line)
	require.Len(t, f, 3, line)
	pid, _ := strings.CutPrefix(f[0], "pid=")
	var err error
	info.pid, err = strconv.Atoi(pid)
	require.NoError(t, err, line)
	info.fds, _ = strings.CutPrefix(f[1], "fds=")
	info.addr, _ = strings.CutPrefix(f[2], "addr=")
	return info
}

func TestRunExitCode(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string
	}{
		{[]string{"out:hello", "err:oops", "exit:3"}, 3, "hello\n"},
		{[]string{"out:fine"}, 0, "fine\n"},
		{[]string{"kill:9"}, 128 + 9, ""},
		{[]string{"kill:15"}, 128 + 15, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"run", "--", prog}, tt.args...)
			assert.Equal(t, tt.code, run(args, &stdout, &stderr), "stderr: %s", stderr.String())
			assert.Equal(t, tt.stdout, stdout.String(), "the program's output, unprefixed")
			if tt.code == 3 {
				assert.Equal(t, "oops\n", stderr.String())
			}
		})
	}
}

func TestRunCannotStart(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run([]string{"run", "/nonexistent/program"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "/nonexistent/program")
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{
		{"run"},
		{"run", "-bogus", "--", prog},
		{"run", "-listen", "nonsense", "--", prog, "out:never"},
		{"run", "-stop-timeout", "0", "--", prog},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 2, run(args, &stdout, &stderr), "%q", args)
		assert.NotContains(t, stdout.String(), "never", "%q: nothing ran", args)
		assert.NotEmpty(t, stderr.String(), "%q", args)
	}
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 0, run([]string{"run", "-h"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "SIGUSR2")
}

// Signals other than those the command acts on go to the program.
func TestRunForwardsSignals(t *testing.T) {
	p := startCommand(t, "run", "--", prog, "trap:USR1", "trap:HUP", "trap:WINCH", "out:ready", "sleep")
	p.waitLine("ready")
	p.signal(syscall.SIGUSR1)
	p.waitLine("got-USR1")
	p.signal(syscall.SIGHUP)
	p.waitLine("got-HUP")
	p.signal(syscall.SIGWINCH)
	p.waitLine("got-WINCH")
	p.signal(syscall.SIGTERM) // prog dies of it
	assert.Equal(t, 128+int(syscall.SIGTERM), p.exitCode())
}

// SIGTERM and SIGINT stop the program gracefully; the command exits with
// its code.
func TestRunStopsGracefully(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			p := startCommand(t, "run", "--", prog, "info", "trapterm:0", "out:ready", "sleep")
			info := parseInfo(t, p.waitLine("pid="))
			p.waitLine("ready")
			p.signal(sig)
			p.waitLine("term")
			assert.Equal(t, 0, p.exitCode())
			assert.ErrorIs(t, syscall.Kill(info.pid, 0), syscall.ESRCH)
		})
	}
	t.Run("exit code", func(t *testing.T) {
		p := startCommand(t, "run", "--", prog, "trapterm:7", "out:ready", "sleep")
		p.waitLine("ready")
		p.signal(syscall.SIGTERM)
		assert.Equal(t, 7, p.exitCode())
	})
	t.Run("escalation", func(t *testing.T) {
		// The program ignores SIGTERM: SIGKILL after -stop-timeout.
		p := startCommand(t, "run", "-stop-timeout", "200ms", "--", prog, "ignoreterm", "out:ready", "sleep")
		p.waitLine("ready")
		p.signal(syscall.SIGTERM)
		assert.Equal(t, 128+int(syscall.SIGKILL), p.exitCode())
	})
}

// askPID connects to addr and returns what the program answers: the pid of
// the run that accepted.
func askPID(t *testing.T, addr string) int {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	require.NoError(t, err, "no connection is refused")
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	data, err := io.ReadAll(conn)
	require.NoError(t, err)
	var pid int
	_, err = fmt.Sscanf(string(data), "pid=%d", &pid)
	require.NoError(t, err, "%q", data)
	return pid
}

// SIGUSR2 starts a new run on the same socket and stops the old one; the
// command goes on. (Needs the rolling restart of the root package.)
func TestRunRollingRestart(t *testing.T) {
	for _, notify := range []bool{false, true} {
		t.Run(fmt.Sprintf("notify=%v", notify), func(t *testing.T) {
			args := []string{"run", "-listen", "tcp://127.0.0.1:0"}
			ops := []string{"info", "serve", "trapterm:0"}
			if notify {
				args = append(args, "-notify")
				ops = append(ops, "notify")
			}
			args = append(append(append(args, "--", prog), ops...), "out:ready", "sleep")
			p := startCommand(t, args...)
			first := parseInfo(t, p.waitLine("pid="))
			require.Equal(t, "1", first.fds, "one listening socket")
			p.waitLine("ready")
			assert.Equal(t, first.pid, askPID(t, first.addr))

			p.signal(syscall.SIGUSR2)
			// The new run starts, the old one is stopped: which prints
			// first depends on when the new run counts as ready.
			lines := p.waitLines("pid=", "term", "ready")
			second := parseInfo(t, lines[0])
			assert.NotEqual(t, first.pid, second.pid)
			assert.Equal(t, first.addr, second.addr, "the same socket")
			assert.Equal(t, "1", second.fds)
			assert.Equal(t, second.pid, askPID(t, second.addr))
			select {
			case <-p.waited:
				t.Fatalf("the command ended: %s", p.stderrText())
			default:
			}

			p.signal(syscall.SIGTERM)
			p.waitLine("term")
			assert.Equal(t, 0, p.exitCode())
		})
	}
}

// A restart of a program without listeners is a plain restart: the command
// goes on with the new run.
func TestRunRestartWithoutListeners(t *testing.T) {
	p := startCommand(t, "run", "--", prog, "info", "trapterm:0", "out:ready", "sleep")
	first := parseInfo(t, p.waitLine("pid="))
	p.waitLine("ready")
	p.signal(syscall.SIGUSR2)
	lines := p.waitLines("term", "pid=", "ready")
	second := parseInfo(t, lines[1])
	assert.NotEqual(t, first.pid, second.pid)
	p.signal(syscall.SIGTERM)
	p.waitLine("term")
	assert.Equal(t, 0, p.exitCode())
}

// A rolling restart whose new run is not ready in time keeps the old run,
// and says so. (Needs the rolling restart of the root package.)
func TestRunRollingRestartNotReady(t *testing.T) {
	once := t.TempDir() + "/notified"
	p := startCommand(t, "run", "-listen", "tcp://127.0.0.1:0", "-notify", "-ready-timeout", "300ms", "--",
		prog, "info", "serve", "trapterm:0", "notifyonce:"+once, "out:ready", "sleep")
	first := parseInfo(t, p.waitLine("pid="))
	require.Equal(t, "1", first.fds, "one listening socket")
	p.waitLine("ready")

	p.signal(syscall.SIGUSR2)
	second := parseInfo(t, p.waitLine("pid="))
	assert.NotEqual(t, first.pid, second.pid)
	msg := p.waitErr("overseer: restart:")
	assert.Contains(t, msg, "not ready")
	assert.Equal(t, first.pid, askPID(t, first.addr), "the old run goes on")

	p.signal(syscall.SIGTERM)
	assert.Equal(t, 0, p.exitCode())
}
