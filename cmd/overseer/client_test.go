//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/control"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// shortDir returns a new directory, mode 0700, with a path short enough for
// a socket.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ovs")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// client runs a client subcommand in this process.
func client(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// "overseer serve" runs the file and answers the clients; SIGTERM stops
// it, and its socket is removed.
func TestServeAndClients(t *testing.T) {
	dir := shortDir(t)
	sock := filepath.Join(dir, "c.sock")
	file := writeFile(t, "Procfile", "web: exec "+prog+" trap:USR1 out:hello sleep\n")
	p := startCommand(t, "serve", "-f", file, "-socket", sock)
	p.waitLine("overseer: control socket at " + sock)
	p.waitLine("web | hello")

	code, out, errOut := client(t, "status", "-socket", sock)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, regexp.MustCompile(`(?m)^ID\s+STATE\s+PID\s+RESTARTS\s+UPTIME\s+CPU\s+MEM\s+STATUS$`), out)
	assert.Regexp(t, regexp.MustCompile(`(?m)^web\s+running\s+\d+\s+0\s+\d+s\s+(-|\d+\.\d%)\s+(-|\d+(\.\d)?[KMG]?i?B)\s*$`), out)

	code, out, errOut = client(t, "logs", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "web | hello\n", out)

	code, _, errOut = client(t, "restart", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	p.waitLine("web | hello")
	_, out, _ = client(t, "status", "-socket", sock)
	assert.Regexp(t, regexp.MustCompile(`(?m)^web\s+running\s+\d+\s+1\s`), out)

	code, _, errOut = client(t, "upgrade", "-socket", sock, "web", "--", prog, "trap:USR1", "out:upgraded", "sleep")
	require.Equal(t, 0, code, errOut)
	p.waitLine("web | upgraded")

	// logs -f: what was kept, then what comes.
	logs := startCommand(t, "logs", "-socket", sock, "-f", "web")
	logs.waitLine("web | upgraded")
	code, _, errOut = client(t, "restart", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	logs.waitLine("web | upgraded")
	logs.signal(syscall.SIGTERM)
	assert.Equal(t, 0, logs.exitCode(), "the end of a follow: %s", logs.stderrText())

	code, _, errOut = client(t, "stop", "-socket", sock, "nope")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "overseer stop: ")
	assert.Contains(t, errOut, "not found")

	code, _, errOut = client(t, "stop", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	_, out, _ = client(t, "status", "-socket", sock)
	assert.Regexp(t, regexp.MustCompile(`(?m)^web\s+interrupted\s+\d+\s+3\s+-\s`), out)
	p.waitLine("overseer: every process has ended; still serving")

	// Started again through the socket after everything had ended.
	code, _, errOut = client(t, "restart", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	p.waitLine("web | upgraded")

	p.signal(syscall.SIGTERM)
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
	assert.NoFileExists(t, sock)
}

func TestServeRefusesLiveSocket(t *testing.T) {
	dir := shortDir(t)
	sock := filepath.Join(dir, "c.sock")
	file := writeFile(t, "Procfile", "web: exec "+prog+" out:hello sleep\n")
	p := startCommand(t, "serve", "-f", file, "-socket", sock)
	p.waitLine("overseer: control socket at")

	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"serve", "-f", file, "-socket", sock}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "another server is running at "+sock)
	assert.NotContains(t, stdout.String(), "hello", "nothing started")

	p.signal(syscall.SIGINT)
	assert.Equal(t, 0, p.exitCode())
}

func TestServeUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	t.Chdir(t.TempDir()) // no file to find there
	assert.Equal(t, 2, run([]string{"serve"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "no Procfile or overseer.yaml here")

	dir := shortDir(t)
	require.NoError(t, os.Chmod(dir, 0o777))
	file := writeFile(t, "Procfile", "web: exec "+prog+" out:never\n")
	stdout.Reset()
	stderr.Reset()
	assert.Equal(t, 2, run([]string{"serve", "-f", file, "-socket", filepath.Join(dir, "c.sock")}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "others can write to it")
	assert.NotContains(t, stdout.String(), "never")
}

func TestClientUsage(t *testing.T) {
	sock := filepath.Join(shortDir(t), "c.sock")
	for _, args := range [][]string{
		{"status", "extra"},
		{"stop"},
		{"stop", "a", "b"},
		{"restart"},
		{"upgrade", "web"},
		{"upgrade", "web", "--"},
		{"logs", "-bogus", "web"},
		{"logs", "-n", "-1", "web"},
		{"logs", "-n", "x"},
		{"logs", "-since", "yesterday"},
		{"logs", "-since", "-5m"},
		{"logs", "-grep", "a(", "web"},
		{"logs", "-json", "-raw"},
		{"logs", "web", "-f"},
	} {
		code, _, errOut := client(t, append([]string{args[0], "-socket", sock}, args[1:]...)...)
		assert.Equal(t, 2, code, "%q: %s", args, errOut)
	}
	code, _, errOut := client(t, "status", "-socket", sock)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no server at "+sock)
}

func TestHelp(t *testing.T) {
	code, out, _ := client(t, "help")
	assert.Equal(t, 0, code)
	for _, sub := range []string{"run", "serve", "status", "stop", "restart", "upgrade", "logs"} {
		assert.Contains(t, out, "overseer "+sub+" ", sub)
	}
	code, _, errOut := client(t, "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "overseer serve")
	assert.True(t, strings.Contains(errOut, "-http"), "and the flags")
}

// serveHere serves o on a control socket in this process until the end of
// the test, logging to the buffer returned, and returns the socket's path.
func serveHere(t *testing.T, o *overseer.Overseer) (string, *testbuild.Buffer) {
	t.Helper()
	t.Cleanup(func() { o.StopAll() }) // after the server has ended
	logged := &testbuild.Buffer{}
	s := &control.Server{Path: filepath.Join(shortDir(t), "c.sock"), Logger: slog.New(slog.NewTextHandler(logged, nil))}
	require.NoError(t, s.Listen())
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-served:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return")
		}
	})
	return s.Path, logged
}

// ask runs the client op with args against the server at sock.
func ask(t *testing.T, sock, op string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{op, "-socket", sock}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// askOK runs the client op, which must succeed, and returns what it
// printed, matched against the regular expression want, with its numbers.
func askOK(t *testing.T, sock, want, op string, args ...string) []int {
	t.Helper()
	code, out, errOut := ask(t, sock, op, args...)
	require.Equal(t, 0, code, errOut)
	m := regexp.MustCompile(`^` + want + `\n$`).FindStringSubmatch(out)
	require.NotNil(t, m, "%q does not match %q", out, want)
	var nums []int
	for _, s := range m[1:] {
		n, err := strconv.Atoi(s)
		require.NoError(t, err)
		nums = append(nums, n)
	}
	return nums
}

// running asserts that process id runs, as pid.
func running(t *testing.T, o *overseer.Overseer, id string, pid int) {
	t.Helper()
	p, err := o.ToJSON(id)
	require.NoError(t, err)
	assert.Equal(t, overseer.StateRunning, p.State)
	assert.Equal(t, pid, p.PID)
}

// gate is a Ready probe that tells each run's pid on entered and passes
// with what verdict gives it.
type gate struct {
	entered chan int
	verdict chan error
}

func newGate() *gate { return &gate{entered: make(chan int, 1), verdict: make(chan error, 1)} }

func (g *gate) Ready(ctx context.Context, run *overseer.ProbeRun) error {
	g.entered <- run.PID
	select {
	case err := <-g.verdict:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// receive waits for a value of ch.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatal("nothing came")
		panic("unreachable")
	}
}

// askLater runs the client op in a goroutine; its outcome comes on the
// channel returned.
func askLater(t *testing.T, sock, op string, args ...string) <-chan [3]string {
	done := make(chan [3]string, 1)
	go func() {
		var out, errb bytes.Buffer
		code := runClient(op, append([]string{"-socket", sock}, args...), &out, &errb)
		done <- [3]string{strconv.Itoa(code), out.String(), errb.String()}
	}()
	return done
}

// notAnswered fails t if answer, of askLater, has come already: before what.
func notAnswered(t *testing.T, answer <-chan [3]string, what string) {
	t.Helper()
	select {
	case got := <-answer:
		t.Fatalf("answered before %s: %q", what, got)
	default:
	}
}

// "overseer start" starts a process at rest, and answers once its run is
// running.
func TestClientStart(t *testing.T) {
	o := overseer.NewOverseer()
	_, err := o.Add("web", prog, "sleep")
	require.NoError(t, err)
	sock, _ := serveHere(t, o)

	pid := askOK(t, sock, `web started \(pid (\d+)\)`, "start", "web")[0]
	running(t, o, "web", pid)

	code, _, errOut := ask(t, sock, "start", "web")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "overseer start: ")
	assert.Contains(t, errOut, "web is running")
	running(t, o, "web", pid)

	code, _, errOut = ask(t, sock, "start", "nope")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not found")
}

// The answer to start waits for the run to be ready, and says when it
// never was.
func TestClientStartWaitsForReady(t *testing.T) {
	o := overseer.NewOverseer()
	web := overseer.NewCmd(prog, "sleep")
	g := newGate()
	web.Ready = g
	require.NoError(t, o.AddCmd("web", web))
	never := overseer.NewCmd(prog, "sleep")
	never.Ready = newGate()
	never.MaxRestarts = overseer.NoRestarts
	require.NoError(t, o.AddCmd("never", never))
	sock, logged := serveHere(t, o)

	answer := askLater(t, sock, "start", "web")
	webPID := receive(t, g.entered)
	notAnswered(t, answer, "the run was ready")
	g.verdict <- nil
	got := receive(t, answer)
	require.Equal(t, "0", got[0], got[2])
	assert.Equal(t, fmt.Sprintf("web started (pid %d)\n", webPID), got[1])
	running(t, o, "web", webPID)

	answer = askLater(t, sock, "start", "never")
	pid := receive(t, never.Ready.(*gate).entered)
	never.Ready.(*gate).verdict <- errors.New("not today")
	got = receive(t, answer)
	assert.Equal(t, "1", got[0])
	assert.Empty(t, got[1])
	assert.Contains(t, got[2], fmt.Sprintf("overseer start: process not ready: the run (pid %d) is fatal before it was ready", pid))
	assert.Contains(t, got[2], "not today")
	assert.Contains(t, logged.String(), `level=WARN msg="overseer: control: request failed" op=start id=never err="overseer: process not ready: never: the run`)
	assert.Contains(t, logged.String(), fmt.Sprintf(`level=INFO msg="overseer: control: request done" op=start id=web pid=%d state=running`, webPID))
}

// "overseer restart" answers once the new run is ready: the process runs as
// the new pid as soon as the client returns.
func TestClientRestart(t *testing.T) {
	o := overseer.NewOverseer()
	web := overseer.NewCmd(prog, "sleep")
	g := newGate()
	web.Ready = g
	require.NoError(t, o.AddCmd("web", web))
	sock, logged := serveHere(t, o)
	require.NoError(t, o.Start("web"))
	old := receive(t, g.entered)
	g.verdict <- nil
	// The probe's verdict is acted on in its own goroutine: the restart
	// must find the old run running, not still starting.
	testbuild.Eventually(t, func() bool {
		p, err := o.ToJSON("web")
		return err == nil && p.State == overseer.StateRunning
	}, "the first run did not become ready")

	answer := askLater(t, sock, "restart", "web")
	pid := receive(t, g.entered)
	assert.NotEqual(t, old, pid)
	notAnswered(t, answer, "the new run was ready")
	g.verdict <- nil
	got := receive(t, answer)
	require.Equal(t, "0", got[0], got[2])
	assert.Equal(t, fmt.Sprintf("web restarted (pid %d → %d)\n", old, pid), got[1])
	running(t, o, "web", pid)
	assert.Contains(t, logged.String(), fmt.Sprintf(`level=INFO msg="overseer: control: request done" op=restart id=web old_pid=%d pid=%d state=running`, old, pid))
}

// stop and upgrade say what became of the run; restart starts a process at
// rest.
func TestClientStopUpgrade(t *testing.T) {
	o := overseer.NewOverseer()
	_, err := o.Add("web", prog, "sleep")
	require.NoError(t, err)
	sock, logged := serveHere(t, o)
	require.NoError(t, o.Start("web"))
	p, err := o.ToJSON("web")
	require.NoError(t, err)
	old := p.PID

	nums := askOK(t, sock, `web upgraded \(pid (\d+) → (\d+)\): `+regexp.QuoteMeta(prog)+` out:upgraded sleep`,
		"upgrade", "web", "--", prog, "out:upgraded", "sleep")
	assert.Equal(t, old, nums[0])
	assert.NotEqual(t, old, nums[1])
	running(t, o, "web", nums[1])
	assert.Contains(t, logged.String(), fmt.Sprintf(`op=upgrade id=web old_pid=%d pid=%d state=running cmd="%s out:upgraded sleep"`, old, nums[1], prog))

	askOK(t, sock, fmt.Sprintf(`web stopped \(was pid %d\)`, nums[1]), "stop", "web")
	p, err = o.ToJSON("web")
	require.NoError(t, err)
	assert.Equal(t, overseer.StateInterrupted, p.State)
	assert.Contains(t, logged.String(), fmt.Sprintf(`op=stop id=web pid=%d was=running state=interrupted`, nums[1]))
	askOK(t, sock, `web: not running \(interrupted\), nothing to stop`, "stop", "web")

	pid := askOK(t, sock, `web restarted \(pid (\d+); was interrupted\)`, "restart", "web")[0]
	running(t, o, "web", pid)
}

// A failed upgrade is answered, and logged by the server at Warn.
func TestClientUpgradeFailureLogged(t *testing.T) {
	o := overseer.NewOverseer()
	_, err := o.Add("web", prog, "sleep")
	require.NoError(t, err)
	sock, logged := serveHere(t, o)
	require.NoError(t, o.Start("web"))

	missing := filepath.Join(t.TempDir(), "server-v2")
	code, out, errOut := ask(t, sock, "upgrade", "web", "--", missing, "-x")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "overseer upgrade: process not ready: the new run could not be started", "no doubled prefixes")
	log := logged.String()
	assert.Contains(t, log, `level=WARN msg="overseer: control: request failed" op=upgrade id=web err="overseer: process not ready: web: the new run could not be started`)
	assert.Contains(t, log, missing)
	assert.NotContains(t, log, "level=INFO")
}

// "overseer signal" passes a signal on as a supervisor does, and says
// where it went.
func TestClientSignal(t *testing.T) {
	o := overseer.NewOverseer()
	_, err := o.Add("web", prog, "trap:HUP", "out:ready", "sleep")
	require.NoError(t, err)
	sock, logged := serveHere(t, o)
	lines := make(chan overseer.Line, 64)
	stop := o.WatchLogs(lines)
	defer stop()
	require.NoError(t, o.Start("web"))
	waitText(t, lines, "ready") // its trap is set
	p, err := o.ToJSON("web")
	require.NoError(t, err)

	askOK(t, sock, fmt.Sprintf(`web: sent SIGHUP to its main process \(pid %d\)`, p.PID), "signal", "web", "HUP")
	waitText(t, lines, "got-HUP")
	running(t, o, "web", p.PID)
	assert.Contains(t, logged.String(), fmt.Sprintf("op=signal id=web signal=SIGHUP group=false pid=%d", p.PID))

	askOK(t, sock, fmt.Sprintf(`web: sent SIGTERM to its process group \(pid %d\)`, p.PID), "signal", "web", "term")
	require.Eventually(t, func() bool { return syscall.Kill(p.PID, 0) == syscall.ESRCH }, 20*time.Second, 10*time.Millisecond,
		"the run ended")

	for _, args := range [][]string{{"web"}, {"web", "HUP", "more"}, {"web", "9"}, {"web", "bogus"}} {
		code, _, errOut := ask(t, sock, "signal", args...)
		assert.Equal(t, 2, code, "%q: %s", args, errOut)
	}
	code, _, errOut := ask(t, sock, "signal", "web", "9")
	assert.Contains(t, errOut, "give a name such as TERM")
	code, _, errOut = ask(t, sock, "signal", "nope", "HUP")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not found")
}

// waitText waits for a line whose text is text.
func waitText(t *testing.T, lines <-chan overseer.Line, text string) {
	t.Helper()
	for {
		if receive(t, lines).Text == text {
			return
		}
	}
}

func TestClientUsageStartSignal(t *testing.T) {
	sock := filepath.Join(shortDir(t), "c.sock")
	for _, args := range [][]string{{"start"}, {"signal"}, {"signal", "web"}} {
		code, _, errOut := ask(t, sock, args[0], args[1:]...)
		assert.Equal(t, 2, code, "%q: %s", args, errOut)
	}
	code, _, errOut := ask(t, sock, "signal", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "usage: overseer signal [-socket PATH] NAME SIGNAL")
}

// servedFile tells whether a server listens at a socket, and the file it
// runs.
func TestServedFile(t *testing.T) {
	dir := shortDir(t)
	_, err := servedFile(filepath.Join(dir, "none", "c.sock"))
	assert.Error(t, err, "a missing directory")
	assert.NoDirExists(t, filepath.Join(dir, "none"), "made by nobody")
	_, err = servedFile(filepath.Join(dir, "c.sock"))
	assert.Error(t, err, "no socket")

	stale := filepath.Join(dir, "stale.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	require.NoError(t, err)
	ln.SetUnlinkOnClose(false)
	require.NoError(t, ln.Close())
	require.FileExists(t, stale)
	_, err = servedFile(stale)
	assert.Error(t, err, "the socket of a server gone")

	s := &control.Server{Path: filepath.Join(dir, "c.sock"), File: "/srv/app/Procfile"}
	require.NoError(t, s.Listen())
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, overseer.NewOverseer()) }()
	defer func() {
		cancel()
		assert.NoError(t, <-served)
	}()
	file, err := servedFile(s.Path)
	assert.NoError(t, err)
	assert.Equal(t, "/srv/app/Procfile", file)

	t.Setenv(socketEnv, s.Path)
	file, err = servedFile(socketPath(""))
	assert.NoError(t, err, "$OVERSEER_SOCKET")
	assert.Equal(t, "/srv/app/Procfile", file)
}

// A client given a socket in a missing directory says that no server is
// there; "overseer serve" makes the directory, mode 0700.
func TestSocketInMissingDir(t *testing.T) {
	dir := shortDir(t)
	sock := filepath.Join(dir, "run", "ovs", "c.sock")
	code, out, errOut := ask(t, sock, "status")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "overseer: no server at "+sock+": directory "+filepath.Dir(sock)+" does not exist")
	assert.NoDirExists(t, filepath.Join(dir, "run"))

	file := writeFile(t, "Procfile", "web: exec "+prog+" out:hello sleep\n")
	p := startCommand(t, "serve", "-f", file, "-socket", sock)
	p.waitLine("overseer: control socket at " + sock)
	for _, d := range []string{filepath.Join(dir, "run"), filepath.Dir(sock)} {
		fi, err := os.Lstat(d)
		require.NoError(t, err)
		assert.Equal(t, os.ModeDir|0o700, fi.Mode(), d)
	}
	askOK(t, sock, `(?s)ID\s+STATE.*`, "status")
	p.signal(syscall.SIGTERM)
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
}
