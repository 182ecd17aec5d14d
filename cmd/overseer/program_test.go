//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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
	testbuild.Main(m, testbuild.Program("../overseer", &bin), testbuild.Program("./testdata/prog", &prog), testbuild.NoLeakCheck())
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
	return startExec(t, exec.Command(bin, args...))
}

// startExec starts cmd, which runs the built command.
func startExec(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{t: t, cmd: cmd, lines: make(chan string, 1000), errs: make(chan string, 1000), waited: make(chan struct{})}
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
	return p.waitLineBefore(prefix, "")
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
	// Errors of the readiness and stop flags say which flag and why.
	for _, tt := range []struct {
		args []string
		says []string
	}{
		{[]string{"-ready-line", "^up$", "-ready-tcp", "127.0.0.1:1"}, []string{"-ready-line and -ready-tcp are both given"}},
		{[]string{"-notify", "-ready-http", "http://127.0.0.1:1/"}, []string{"-notify and -ready-http are both given"}},
		{[]string{"-ready-cmd", "true", "-ready-line", "x"}, []string{"-ready-cmd and -ready-line are both given"}},
		{[]string{"-ready-line", "(up"}, []string{`-ready-line "(up" is not a regular expression`, "missing closing )"}},
		{[]string{"-ready-tcp", "localhost"}, []string{`-ready-tcp "localhost" is not host:port`}},
		{[]string{"-ready-tcp", "localhost:"}, []string{`-ready-tcp "localhost:" is not host:port`}},
		{[]string{"-ready-http", "ftp://localhost/"}, []string{`-ready-http "ftp://localhost/" is not an http:// or https:// URL`}},
		{[]string{"-ready-http", "localhost:8080/health"}, []string{"is not an http:// or https:// URL"}},
		{[]string{"-ready-cmd", " "}, []string{"-ready-cmd: empty command"}},
		{[]string{"-stop-signal", "BOGUS"}, []string{"-stop-signal", `"BOGUS" is not a signal name`}},
		{[]string{"-stop-signal", "15"}, []string{"-stop-signal", "not a number"}},
		// A probe of a held socket: it would pass on the old run.
		{[]string{"-listen", "tcp://127.0.0.1:18080", "-ready-tcp", "127.0.0.1:18080"},
			[]string{"Ready probes 127.0.0.1:18080, one of the Cmd's own Listeners (tcp://127.0.0.1:18080)", "held for every run"}},
		{[]string{"-listen", "tcp://:18080", "-ready-http", "http://localhost:18080/health"},
			[]string{"Ready probes localhost:18080, one of the Cmd's own Listeners (tcp://:18080)"}},
		{[]string{"-listen", "tcp://127.0.0.1:18080", "-ready-http", "http://[::1]:18080/"},
			[]string{"one of the Cmd's own Listeners (tcp://127.0.0.1:18080)"}},
		{[]string{"-listen", "tcp://127.0.0.1:18080", "-ready-tcp", ":18080"}, // no host: the local system
			[]string{"one of the Cmd's own Listeners (tcp://127.0.0.1:18080)"}},
	} {
		var stdout, stderr bytes.Buffer
		args := append(append([]string{"run"}, tt.args...), "--", prog, "out:never")
		assert.Equal(t, 2, run(args, &stdout, &stderr), "%q", args)
		assert.Empty(t, stdout.String(), "%q: nothing ran", args)
		for _, say := range tt.says {
			assert.Contains(t, stderr.String(), say, "%q", args)
		}
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

// SIGTERM stops the program gracefully; the command exits with its code.
// (SIGINT: TestRunInterrupt.)
func TestRunStopsGracefully(t *testing.T) {
	t.Run("SIGTERM", func(t *testing.T) {
		p := startCommand(t, "run", "--", prog, "info", "trapterm:0", "out:ready", "sleep")
		info := parseInfo(t, p.waitLine("pid="))
		p.waitLine("ready")
		p.signal(syscall.SIGTERM)
		p.waitLine("term")
		assert.Equal(t, 0, p.exitCode())
		assert.ErrorIs(t, syscall.Kill(info.pid, 0), syscall.ESRCH)
	})
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
	// The first run must notify within the timeout (on a loaded machine,
	// start-up alone may take a good part of a second); the second never
	// does, whatever the timeout.
	p := startCommand(t, "run", "-listen", "tcp://127.0.0.1:0", "-notify", "-ready-timeout", "3s", "--",
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

// waitLineBefore waits for a line of stdout that starts with want, and
// returns it; it fails if one that starts with notBefore (unless "") comes
// first.
func (p *process) waitLineBefore(want, notBefore string) string {
	p.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				<-p.waited
				p.t.Fatalf("no line %q before the end (%v); stderr: %s", want, p.err, p.stderrText())
			}
			if strings.HasPrefix(l, want) {
				return l
			}
			if notBefore != "" && strings.HasPrefix(l, notBefore) {
				p.t.Fatalf("%q came before %q", l, want)
			}
		case <-timeout:
			p.t.Fatalf("no line %q; stderr: %s", want, p.stderrText())
		}
	}
}

// SIGINT and SIGTERM stop the program with the same signal, as a terminal
// would (the program is in a process group of its own), or with the
// -stop-signal; the command exits with the program's status.
func TestRunInterrupt(t *testing.T) {
	// The program exits 0 on SIGINT, 5 on SIGTERM.
	handles := []string{"onsig:INT:0", "onsig:TERM:5"}
	tests := []struct {
		name  string
		flags []string
		ops   []string
		sig   syscall.Signal
		got   string // the line of the signal the program got
		code  int
	}{
		{"INT handled", nil, handles, syscall.SIGINT, "got-INT", 0},
		{"INT kills", nil, nil, syscall.SIGINT, "", 128 + int(syscall.SIGINT)},
		{"TERM handled", nil, handles, syscall.SIGTERM, "got-TERM", 5},
		{"INT with -stop-signal TERM", []string{"-stop-signal", "TERM"}, handles, syscall.SIGINT, "got-TERM", 5},
		{"TERM with -stop-signal int", []string{"-stop-signal", "int"}, handles, syscall.SIGTERM, "got-INT", 0},
		{"INT with -stop-signal SIGHUP", []string{"-stop-signal", "SIGHUP"}, handles, syscall.SIGINT, "", 128 + int(syscall.SIGHUP)},
		// Ignored: SIGKILL after -stop-timeout.
		{"INT ignored", []string{"-stop-timeout", "200ms"}, []string{"ignore:INT"}, syscall.SIGINT, "", 128 + int(syscall.SIGKILL)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"run"}, tt.flags...), "--", prog, "info")
			args = append(append(args, tt.ops...), "out:ready", "sleep")
			p := startCommand(t, args...)
			info := parseInfo(t, p.waitLine("pid="))
			p.waitLine("ready")
			p.signal(tt.sig)
			if tt.got != "" {
				p.waitLine(tt.got)
			}
			assert.Equal(t, tt.code, p.exitCode(), "stderr: %s", p.stderrText())
			assert.ErrorIs(t, syscall.Kill(info.pid, 0), syscall.ESRCH)
		})
	}
	t.Run("second INT kills", func(t *testing.T) {
		// The stop would wait an hour: the second Ctrl-C ends it at once.
		p := startCommand(t, "run", "-stop-timeout", "1h", "--", prog, "onsig:INT", "out:ready", "sleep")
		p.waitLine("ready")
		p.signal(syscall.SIGINT)
		p.waitLine("got-INT") // the first one is taken: the next is a second one
		p.signal(syscall.SIGINT)
		assert.Equal(t, 128+int(syscall.SIGKILL), p.exitCode())
	})
}

// A rolling restart stops the old run with the -stop-signal too.
func TestRunStopSignalRollingRestart(t *testing.T) {
	p := startCommand(t, "run", "-listen", "tcp://127.0.0.1:0", "-stop-signal", "INT", "--",
		prog, "info", "serve", "onsig:INT:0", "out:ready", "sleep")
	first := parseInfo(t, p.waitLine("pid="))
	p.waitLine("ready")
	p.signal(syscall.SIGUSR2)
	// The new run's "ready" comes once its INT handler is set: a stop
	// signal sent before it would find the default action.
	lines := p.waitLines("pid=", "ready", "got-INT")
	second := parseInfo(t, lines[0])
	require.Eventually(t, func() bool { return errors.Is(syscall.Kill(first.pid, 0), syscall.ESRCH) },
		10*time.Second, 10*time.Millisecond, "the old run ended on SIGINT")
	assert.Equal(t, second.pid, askPID(t, second.addr))

	p.signal(syscall.SIGTERM)
	p.waitLine("got-INT")
	assert.Equal(t, 0, p.exitCode())
}

// SIGHUP reaches the main process alone, as systemd's kill -HUP $MAINPID:
// a worker of its group that keeps SIGHUP's default action lives on.
func TestRunReloadSignalReachesMainProcess(t *testing.T) {
	p := startCommand(t, "run", "--", prog, "trap:HUP", "spawn:trap:USR1,out:worker-up,sleep", "out:ready", "sleep")
	lines := p.waitLines("spawned=", "worker-up", "ready")
	worker, err := strconv.Atoi(strings.TrimPrefix(lines[0], "spawned="))
	require.NoError(t, err)

	p.signal(syscall.SIGHUP)
	p.waitLine("got-HUP")
	// Had the group got it, the worker would have SIGHUP pending, and die
	// of it before it takes this one.
	require.NoError(t, syscall.Kill(worker, syscall.SIGUSR1))
	p.waitLineBefore("got-USR1", "spawned-ended")

	// SIGQUIT is a stop-type signal: the group gets it. (A Go program
	// prints its goroutines and exits with code 2.)
	p.signal(syscall.SIGQUIT)
	assert.Equal(t, 2, p.exitCode())
	assert.Equal(t, 2, strings.Count(p.stderrText(), "SIGQUIT: quit"), "the main process and its worker got it")
}

// freeAddr returns a TCP address on the loopback that nothing listens on
// now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// readyKind is a readiness flag and the operations of a program that
// passes its probe once through its gate (gate:FILE): it serves on the
// held socket, then prints "serving", then makes the probe pass.
type readyKind struct {
	name  string
	flags func(t *testing.T, dir string) (flags, ops []string)
	// probed is the line after which the run's probe has passed and
	// nothing of the run can pass the next run's probe.
	probed string
}

var readyKinds = []readyKind{
	{"ready-line", func(t *testing.T, dir string) ([]string, []string) {
		return []string{"-ready-line", "^serv(ing)$"}, nil // "serving" is the line
	}, "serving"},
	{"ready-tcp", func(t *testing.T, dir string) ([]string, []string) {
		health := freeAddr(t)
		return []string{"-ready-tcp", health}, []string{"health:" + health}
	}, "health-closed"},
	{"ready-http", func(t *testing.T, dir string) ([]string, []string) {
		health := freeAddr(t)
		return []string{"-ready-http", "http://" + health + "/health"}, []string{"health:" + health}
	}, "health-closed"},
	{"ready-cmd", func(t *testing.T, dir string) ([]string, []string) {
		return []string{"-ready-cmd", `test -e "` + dir + `/$OVERSEER_PROBE_PID"`}, []string{"mark:" + dir}
	}, "serving"}, // the mark is the run's own
}

// startGated starts the command with kind's flag and extra flags, on a
// program that waits at its gate (which it returns) before it serves and
// passes the probe. The first run is let through.
func startGated(t *testing.T, kind readyKind, extra ...string) (p *process, gate string, first infoLine) {
	t.Helper()
	dir := t.TempDir()
	gate = dir + "/gate"
	flags, ops := kind.flags(t, dir)
	args := append(append([]string{"run", "-listen", "tcp://127.0.0.1:0"}, extra...), flags...)
	args = append(append(args, "--", prog, "info", "trapterm:0", "gate:"+gate, "serve", "out:serving"), ops...)
	args = append(args, "sleep")
	require.NoError(t, os.WriteFile(gate, nil, 0o644))
	p = startCommand(t, args...)
	first = parseInfo(t, p.waitLine("pid="))
	p.waitLine(kind.probed)
	return p, gate, first
}

// Each readiness flag holds the rolling restart until its probe passes:
// the old run serves, and is stopped only once the new one is through its
// gate.
func TestRunReadiness(t *testing.T) {
	for _, kind := range readyKinds {
		t.Run(kind.name, func(t *testing.T) {
			p, gate, first := startGated(t, kind)
			p.signal(syscall.SIGUSR2) // the command rolls once the first run is ready
			second := parseInfo(t, p.waitLine("pid="))
			require.NotEqual(t, first.pid, second.pid)
			// The new run waits at its gate: the old one serves.
			assert.Equal(t, first.pid, askPID(t, first.addr))

			require.NoError(t, os.WriteFile(gate, nil, 0o644))
			p.waitLineBefore("serving", "term")
			p.waitLine("term")
			require.Eventually(t, func() bool { return errors.Is(syscall.Kill(first.pid, 0), syscall.ESRCH) },
				10*time.Second, 10*time.Millisecond, "the old run ended")
			assert.Equal(t, second.pid, askPID(t, second.addr))
			assert.NotContains(t, p.stderrText(), "overseer: restart:")

			p.signal(syscall.SIGTERM)
			p.waitLine("term")
			assert.Equal(t, 0, p.exitCode())
		})
	}
}

// A probe that does not pass within -ready-timeout fails the rolling
// restart: the old run goes on.
func TestRunReadinessTimeout(t *testing.T) {
	for _, kind := range readyKinds {
		t.Run(kind.name, func(t *testing.T) {
			// The first run has 2s to pass its open gate and the probe.
			p, _, first := startGated(t, kind, "-ready-timeout", "2s")
			p.signal(syscall.SIGUSR2)
			second := parseInfo(t, p.waitLine("pid="))
			require.NotEqual(t, first.pid, second.pid)
			msg := p.waitErr("overseer: restart:")
			assert.Contains(t, msg, "not ready")
			assert.Contains(t, msg, fmt.Sprintf("the old run (pid %d) goes on", first.pid))
			assert.Equal(t, first.pid, askPID(t, first.addr), "the old run goes on")
			require.Eventually(t, func() bool { return errors.Is(syscall.Kill(second.pid, 0), syscall.ESRCH) },
				10*time.Second, 10*time.Millisecond, "the new run was stopped")

			p.signal(syscall.SIGTERM)
			assert.Equal(t, 0, p.exitCode())
		})
	}
	t.Run("first run", func(t *testing.T) {
		// No old run to go on: the command ends, with the probe's error.
		var stdout, stderr bytes.Buffer
		code := run([]string{"run", "-ready-timeout", "300ms", "-ready-line", "^never$", "--", prog, "out:up", "sleep"}, &stdout, &stderr)
		assert.Equal(t, 1, code)
		// "up", unless a loaded machine let the timeout pass first.
		assert.Contains(t, []string{"up\n", ""}, stdout.String())
		assert.Contains(t, stderr.String(), "not ready within 300ms")
		assert.Contains(t, stderr.String(), `line "^never$"`)
	})
}

// loadResult is what a load of HTTP requests saw.
type loadResult struct {
	requests, failures int
	firstFailure       error
	pids               map[int]int // requests answered by each run
}

// load makes HTTP GET requests of url, each on a new connection, one every
// few milliseconds, until stop is closed. A request fails after timeout.
func load(url string, timeout time.Duration, stop <-chan struct{}) loadResult {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: timeout}
	defer client.CloseIdleConnections()
	res := loadResult{pids: make(map[int]int)}
	tick := time.NewTicker(5 * time.Millisecond) // a pace, to keep the count of closed connections low
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return res
		case <-tick.C:
		}
		res.requests++
		pid, err := getPID(client, url)
		if err != nil {
			res.failures++
			if res.firstFailure == nil {
				res.firstFailure = err
			}
			continue
		}
		res.pids[pid]++
	}
}

// getPID gets url and returns the pid the answer names.
func getPID(client *http.Client, url string) (int, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %s", resp.Status)
	}
	var pid int
	if _, err := fmt.Sscanf(string(body), "pid=%d", &pid); err != nil {
		return 0, fmt.Errorf("answer %q: %w", body, err)
	}
	return pid, nil
}

// The zero-downtime figure: rolling restarts of a server that boots for a
// second before it serves on the held socket, under continuous load,
// refuse and drop no request when readiness is probed. A request fails
// after half the boot: one that waited for a boot (as without readiness
// the requests queued while the new run boots do) counts as failed.
func TestRunZeroDowntime(t *testing.T) {
	const boot = time.Second
	health := freeAddr(t)
	p := startCommand(t, "run", "-listen", "tcp://127.0.0.1:0", "-ready-http", "http://"+health+"/health", "--",
		prog, "info", fmt.Sprintf("pause:%d", boot.Milliseconds()), "httpserve", "health:"+health, "sleep")
	first := parseInfo(t, p.waitLine("pid="))
	p.waitLines("serving", "health-closed")
	url := "http://" + first.addr + "/"
	runs := []int{first.pid}

	stop := make(chan struct{})
	results := make(chan loadResult, 1)
	go func() { results <- load(url, boot/2, stop) }()
	const restarts = 3
	for range restarts {
		p.signal(syscall.SIGUSR2)
		// The new run, serving and probed; the old one, stopped.
		lines := p.waitLines("pid=", "serving", "health-closed", "term")
		runs = append(runs, parseInfo(t, lines[0]).pid)
	}
	close(stop)
	res := <-results

	t.Logf("%d requests through %d rolling restarts, %d failed; answered by run: %v", res.requests, restarts, res.failures, res.pids)
	assert.Zero(t, res.failures, "first failure: %v", res.firstFailure)
	for _, pid := range runs {
		assert.Positive(t, res.pids[pid], "run %d answered (runs %v)", pid, runs)
	}
	assert.NotContains(t, p.stderrText(), "overseer: restart:")

	p.signal(syscall.SIGTERM)
	p.waitLine("term")
	assert.Equal(t, 0, p.exitCode())
}
