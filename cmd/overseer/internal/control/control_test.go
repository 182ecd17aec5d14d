//go:build linux

package control

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// prog is the test program (../../testdata/prog), built once.
var prog string

// clientEnv makes the test binary a client that asks for the status at the
// socket it names ("default" for the default path), prints the outcome
// ("unsafe: " first for ErrUnsafe) and exits (the other-uid tests).
const clientEnv = "OVERSEER_CONTROL_TEST_CLIENT"

func TestMain(m *testing.M) {
	testbuild.Main(m, testbuild.Mode(client), testbuild.Mode(fakeRole), testbuild.Program("../../testdata/prog", &prog), testbuild.NoLeakCheck())
}

// client is the binary's role under clientEnv.
func client() (code int, ok bool) {
	path := os.Getenv(clientEnv)
	if path == "" {
		return 0, false
	}
	if path == "default" {
		path = ""
	}
	_, err := Do(path, Request{Op: OpStatus})
	if errors.Is(err, ErrUnsafe) {
		fmt.Print("unsafe: ")
	}
	fmt.Println("client:", err)
	return 0, true
}

// fakeRole is the binary's role under fakeEnv.
func fakeRole() (code int, ok bool) {
	if path := os.Getenv(fakeEnv); path != "" {
		return fakeServer(path), true
	}
	return 0, false
}

// socketDir returns a new directory, mode 0700, with a short path.
func socketDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ctl")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// start serves o at s until the end of the test.
func start(t *testing.T, s *Server, o *overseer.Overseer) {
	t.Helper()
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
}

func TestDefaultPath(t *testing.T) {
	assert.Equal(t, "/run/overseer/control.sock", place{uid: 0, rootRunDir: "/run", runtimeDir: "/run/user/1000", tempDir: "/tmp"}.defaultPath(),
		"root's, whatever XDG_RUNTIME_DIR says")
	assert.Equal(t, "/run/user/1000/overseer/control.sock", place{uid: 1000, runtimeDir: "/run/user/1000", tempDir: "/tmp"}.defaultPath())
	assert.Equal(t, "/tmp/overseer-1000/control.sock", place{uid: 1000, tempDir: "/tmp"}.defaultPath())

	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	if os.Geteuid() == 0 {
		assert.Equal(t, "/run/overseer/control.sock", DefaultPath())
	} else {
		assert.Equal(t, "/run/user/1000/overseer/control.sock", DefaultPath())
	}
	t.Setenv("XDG_RUNTIME_DIR", "")
	if os.Geteuid() != 0 {
		assert.Equal(t, filepath.Join(os.TempDir(), fmt.Sprintf("overseer-%d", os.Geteuid()), "control.sock"), DefaultPath())
	}
}

// inRuntimeDir is the place of a user whose XDG_RUNTIME_DIR is dir.
func inRuntimeDir(dir string) *place {
	return &place{uid: os.Geteuid(), runtimeDir: dir, tempDir: os.TempDir()}
}

// The default directory is made 0700; the socket is 0600 and removed at
// the end.
func TestDefaultDirMade(t *testing.T) {
	runtime := socketDir(t)
	s := &Server{place: inRuntimeDir(runtime)}
	require.NoError(t, s.Listen())
	assert.Equal(t, filepath.Join(runtime, "overseer", "control.sock"), s.Path)
	fi, err := os.Stat(filepath.Dir(s.Path))
	require.NoError(t, err)
	assert.Equal(t, os.ModeDir|0o700, fi.Mode())
	fi, err = os.Stat(s.Path)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSocket|0o600, fi.Mode())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, s.Serve(ctx, overseer.NewOverseer()))
	assert.NoFileExists(t, s.Path, "the socket is removed at the end")
}

func TestDefaultDirRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"group and others can enter", func(t *testing.T, dir string) {
			require.NoError(t, os.Mkdir(dir, 0o755))
			require.NoError(t, os.Chmod(dir, 0o755))
		}, "has mode 0755, not 0700"},
		{"others can write", func(t *testing.T, dir string) {
			require.NoError(t, os.Mkdir(dir, 0o700))
			require.NoError(t, os.Chmod(dir, 0o703))
		}, "has mode 0703, not 0700"},
		{"sticky", func(t *testing.T, dir string) {
			require.NoError(t, os.Mkdir(dir, 0o700))
			require.NoError(t, os.Chmod(dir, 0o700|os.ModeSticky))
		}, "has mode 01700, not 0700"},
		{"a file", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(dir, nil, 0o600))
		}, "is not a directory"},
		{"a link to a directory", func(t *testing.T, dir string) {
			target := filepath.Join(filepath.Dir(dir), "target")
			require.NoError(t, os.Mkdir(target, 0o700))
			require.NoError(t, os.Symlink(target, dir))
		}, "is not a directory"},
		{"another uid's", func(t *testing.T, dir string) {
			if os.Geteuid() != 0 {
				t.Skip("needs root, to give the directory away")
			}
			require.NoError(t, os.Mkdir(dir, 0o700))
			require.NoError(t, os.Chown(dir, 65534, 65534))
		}, "belongs to uid 65534, not to you (uid 0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runtime := socketDir(t)
			tt.setup(t, filepath.Join(runtime, "overseer"))
			err := (&Server{place: inRuntimeDir(runtime)}).Listen()
			require.ErrorIs(t, err, ErrUnsafe)
			assert.Contains(t, err.Error(), tt.want)
			assert.NoFileExists(t, filepath.Join(runtime, "overseer", "control.sock"))
		})
	}
}

func TestExplicitDirRefused(t *testing.T) {
	dir := socketDir(t)
	require.NoError(t, os.Chmod(dir, 0o777))
	err := (&Server{Path: filepath.Join(dir, "c.sock")}).Listen()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "others can write to it")

	require.NoError(t, os.Chmod(dir, 0o711)) // enterable by others is fine
	s := &Server{Path: filepath.Join(dir, "c.sock")}
	start(t, s, overseer.NewOverseer())
}

// The missing directories of an explicit path are made, mode 0700, and
// the socket works there; a client of a path in a missing directory says
// so, and makes nothing.
func TestExplicitDirMade(t *testing.T) {
	base := socketDir(t)
	client := filepath.Join(base, "x", "y", "c.sock")
	_, err := Do(client, Request{Op: OpStatus})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no server at "+client+": directory "+filepath.Dir(client)+" does not exist")
	assert.NoDirExists(t, filepath.Join(base, "x"))

	path := filepath.Join(base, "a", "b", "c.sock")
	s := &Server{Path: path}
	start(t, s, overseer.NewOverseer())
	for _, dir := range []string{filepath.Join(base, "a"), filepath.Join(base, "a", "b")} {
		fi, err := os.Lstat(dir)
		require.NoError(t, err)
		assert.Equal(t, os.ModeDir|0o700, fi.Mode(), dir)
	}
	_, err = Do(path, Request{Op: OpStatus})
	assert.NoError(t, err)
}

func TestPathTooLong(t *testing.T) {
	dir := socketDir(t)
	long := filepath.Join(dir, strings.Repeat("x", 120))
	err := (&Server{Path: long}).Listen()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than the 107")

	err = (&Server{place: inRuntimeDir(filepath.Join(dir, strings.Repeat("y", 100)))}).Listen()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than the 107")

	exact := filepath.Join(dir, strings.Repeat("z", 107-len(dir)-1))
	require.Len(t, exact, 107)
	start(t, &Server{Path: exact}, overseer.NewOverseer())
}

func TestStaleSocketReplaced(t *testing.T) {
	path := filepath.Join(socketDir(t), "c.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	require.NoError(t, err)
	ln.SetUnlinkOnClose(false)
	require.NoError(t, ln.Close()) // its server is gone: the file stays
	require.FileExists(t, path)

	s := &Server{Path: path}
	start(t, s, overseer.NewOverseer())
	_, err = Do(path, Request{Op: OpStatus})
	assert.NoError(t, err)
}

func TestLiveSocketRefused(t *testing.T) {
	path := filepath.Join(socketDir(t), "c.sock")
	start(t, &Server{Path: path}, overseer.NewOverseer())
	err := (&Server{Path: path}).Listen()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "another server is running at "+path)
	_, err = Do(path, Request{Op: OpStatus})
	assert.NoError(t, err, "the first server still serves")
}

func TestNotASocketRefused(t *testing.T) {
	path := filepath.Join(socketDir(t), "c.sock")
	require.NoError(t, os.WriteFile(path, []byte("keep"), 0o600))
	err := (&Server{Path: path}).Listen()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exists and is not a socket")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "keep", string(data))
}

// A file put in the socket's place is not removed at the end.
func TestRemovesOnlyItsSocket(t *testing.T) {
	path := filepath.Join(socketDir(t), "c.sock")
	s := &Server{Path: path}
	require.NoError(t, s.Listen())
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.WriteFile(path, []byte("another"), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, s.Serve(ctx, overseer.NewOverseer()))
	assert.FileExists(t, path)
}

func TestPeerOfAnotherUIDRefused(t *testing.T) {
	path := filepath.Join(socketDir(t), "c.sock")
	s := &Server{Path: path, uid: os.Geteuid() + 1, uidSet: true}
	start(t, s, overseer.NewOverseer())
	_, err := Do(path, Request{Op: OpStatus})
	var remote *RemoteError
	require.ErrorAs(t, err, &remote)
	assert.Contains(t, remote.Msg, fmt.Sprintf("uid %d may not use this server", os.Geteuid()))
}

// A client really running as another user (nobody) is refused.
func TestPeerRealOtherUIDRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run a client as another uid")
	}
	dir := socketDir(t)
	require.NoError(t, os.Chmod(dir, 0o711)) // the client may enter, not list or write
	// The client is this test binary, copied where nobody may run it.
	self, err := os.Executable()
	require.NoError(t, err)
	client := filepath.Join(dir, "client")
	data, err := os.ReadFile(self)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(client, data, 0o755))

	path := filepath.Join(dir, "c.sock")
	start(t, &Server{Path: path}, overseer.NewOverseer())
	require.NoError(t, os.Chmod(path, 0o666)) // let the peer check, not the file's mode, refuse it

	cmd := exec.Command(client)
	cmd.Env = []string{clientEnv + "=" + path, "GORACE=atexit_sleep_ms=0"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "client: overseer: control: uid 65534 may not use this server, which serves uid 0 only")

	_, err = Do(path, Request{Op: OpStatus})
	assert.NoError(t, err, "the server's own uid is served")
}

// newOverseer returns an Overseer running process "web", which prints
// hello, and got-USR1 on SIGUSR1 and got-HUP on SIGHUP, once it has
// printed hello.
func newOverseer(t *testing.T) *overseer.Overseer {
	t.Helper()
	o := overseer.NewOverseer()
	t.Cleanup(func() { o.StopAll() })
	_, err := o.Add("web", prog, "trap:USR1", "trap:HUP", "out:hello", "sleep")
	require.NoError(t, err)
	lines := make(chan overseer.Line, 16)
	stop := o.WatchLogs(lines)
	defer stop()
	require.NoError(t, o.Start("web"))
	waitLine(t, lines, "hello")
	return o
}

// eachLine calls fn with each line of a batch.
func eachLine(fn func(overseer.Line) error) func(LogBatch) error {
	return func(b LogBatch) error {
		for _, l := range b.Lines {
			if err := fn(l); err != nil {
				return err
			}
		}
		return nil
	}
}

func waitLine(t *testing.T, lines <-chan overseer.Line, text string) overseer.Line {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l := <-lines:
			if l.Text == text {
				return l
			}
		case <-timeout:
			t.Fatalf("no line %q", text)
		}
	}
}

func TestOps(t *testing.T) {
	o := newOverseer(t)
	path := filepath.Join(socketDir(t), "c.sock")
	start(t, &Server{Path: path}, o)
	statusOf := func() overseer.JSONProcess {
		t.Helper()
		resp, err := Do(path, Request{Op: OpStatus})
		require.NoError(t, err)
		require.True(t, resp.OK)
		require.Len(t, resp.Processes, 1)
		return resp.Processes[0]
	}

	st := statusOf()
	assert.Equal(t, "web", st.ID)
	assert.Equal(t, overseer.StateRunning, st.State)
	pid := st.PID
	require.NotZero(t, pid)

	// Restart answers once the new run is running: the answer has it.
	resp, err := Do(path, Request{Op: OpRestart, ID: "web"})
	require.NoError(t, err)
	assert.True(t, resp.OK)
	require.NotNil(t, resp.Before)
	require.NotNil(t, resp.Process)
	assert.Equal(t, pid, resp.Before.PID)
	assert.NotEqual(t, pid, resp.Process.PID, "a new run")
	assert.Equal(t, overseer.StateRunning, resp.Process.State)
	st = statusOf()
	assert.Equal(t, resp.Process.PID, st.PID)
	assert.Equal(t, overseer.StateRunning, st.State)
	assert.Equal(t, 1, st.Restarts)

	lines := make(chan overseer.Line, 64)
	stopLogs := o.WatchLogs(lines)
	defer stopLogs()
	resp, err = Do(path, Request{Op: OpUpgrade, ID: "web", Args: []string{prog, "trap:HUP", "out:upgraded", "sleep"}})
	require.NoError(t, err)
	waitLine(t, lines, "upgraded") // its trap is set
	assert.Equal(t, st.PID, resp.Before.PID)
	assert.NotEqual(t, st.PID, resp.Process.PID)
	assert.Equal(t, prog+" trap:HUP out:upgraded sleep", resp.Process.Cmd)
	st = statusOf()
	assert.Equal(t, prog+" trap:HUP out:upgraded sleep", st.Cmd)
	assert.Equal(t, overseer.StateRunning, st.State)

	// A reload signal goes to the main process, a stop-type one to the
	// group; the group's id is its leader's pid, the main process here.
	resp, err = Do(path, Request{Op: OpSignal, ID: "web", Signal: "hup"})
	require.NoError(t, err)
	assert.Equal(t, &Delivery{Signal: "SIGHUP", Group: false, PID: st.PID}, resp.Sent)
	waitLine(t, lines, "got-HUP")
	_, err = Do(path, Request{Op: OpSignal, ID: "web", Signal: "nine"})
	require.ErrorContains(t, err, `"nine" is not a signal name`)

	resp, err = Do(path, Request{Op: OpStop, ID: "web"})
	require.NoError(t, err)
	assert.Equal(t, st.PID, resp.Before.PID)
	assert.Equal(t, overseer.StateInterrupted, resp.Process.State)
	assert.Equal(t, overseer.StateInterrupted, statusOf().State)

	resp, err = Do(path, Request{Op: OpStart, ID: "web"})
	require.NoError(t, err)
	assert.Equal(t, overseer.StateInterrupted, resp.Before.State)
	assert.Equal(t, overseer.StateRunning, resp.Process.State)
	assert.NotEqual(t, st.PID, resp.Process.PID)
	_, err = Do(path, Request{Op: OpStart, ID: "web"})
	require.ErrorContains(t, err, "is running")

	resp, err = Do(path, Request{Op: OpSignal, ID: "web", Signal: "SIGTERM"})
	require.NoError(t, err)
	assert.Equal(t, &Delivery{Signal: "SIGTERM", Group: true, PID: resp.Before.PID}, resp.Sent)

	var remote *RemoteError
	for _, req := range []Request{
		{Op: "explode"},
		{Op: OpStop, ID: "nope"},
		{Op: OpRestart, ID: "nope"},
		{Op: OpUpgrade, ID: "web"},
		{Op: OpStart, ID: "nope"},
		{Op: OpSignal, ID: "nope", Signal: "HUP"},
		{Op: OpSignal, ID: "web"},
		{Op: OpLogs, ID: "nope"},
	} {
		c, err := Dial(path)
		require.NoError(t, err)
		if req.Op == OpLogs {
			err = c.Logs(context.Background(), req, eachLine(func(overseer.Line) error { return nil }))
		} else {
			_, err = c.Do(req)
		}
		_ = c.Close()
		require.ErrorAs(t, err, &remote, "%+v", req)
	}
	_, err = Do(path, Request{Op: "explode"})
	require.ErrorAs(t, err, &remote)
	assert.Contains(t, remote.Msg, `unknown op "explode"`)
	_, err = Do(path, Request{Op: OpStop, ID: "nope"})
	require.ErrorAs(t, err, &remote)
	assert.ErrorContains(t, err, "not found")
}

func TestBadRequest(t *testing.T) {
	path := filepath.Join(socketDir(t), "c.sock")
	start(t, &Server{Path: path}, overseer.NewOverseer())
	conn, err := net.Dial("unix", path)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "{not json\n")
	require.NoError(t, err)
	line, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	assert.Contains(t, line, `"ok":false`)
	assert.Contains(t, line, "bad request")
}

func TestLogs(t *testing.T) {
	o := newOverseer(t)
	path := filepath.Join(socketDir(t), "c.sock")
	start(t, &Server{Path: path}, o)

	// Without follow: the kept lines, then the end.
	c, err := Dial(path)
	require.NoError(t, err)
	var texts []string
	require.NoError(t, c.Logs(context.Background(), Request{ID: "web"}, eachLine(func(l overseer.Line) error {
		texts = append(texts, l.Text)
		assert.Equal(t, "web", l.ID)
		assert.Equal(t, overseer.StreamStdout, l.Stream)
		assert.NotZero(t, l.PID)
		return nil
	})))
	_ = c.Close()
	assert.Equal(t, []string{"hello"}, texts)

	// No lines of the tail, one not matching, one too old: nothing.
	zero := 0
	for _, req := range []Request{
		{ID: "web", Tail: &zero},
		{ID: "web", Grep: "^ell"},
		{ID: "web", Since: time.Now()},
	} {
		c, err = Dial(path)
		require.NoError(t, err)
		texts = nil
		require.NoError(t, c.Logs(context.Background(), req, eachLine(func(l overseer.Line) error {
			texts = append(texts, l.Text)
			return nil
		})))
		_ = c.Close()
		assert.Empty(t, texts, "%+v", req)
	}

	// With follow: the kept line, then new ones as they come.
	c, err = Dial(path)
	require.NoError(t, err)
	got := make(chan overseer.Line, 16)
	ended := make(chan error, 1)
	go func() {
		ended <- c.Logs(context.Background(), Request{ID: "web", Follow: true}, eachLine(func(l overseer.Line) error {
			got <- l
			return nil
		}))
	}()
	first := waitLine(t, got, "hello")
	require.NoError(t, o.Signal("web", syscall.SIGUSR1))
	next := waitLine(t, got, "got-USR1")
	assert.Equal(t, first.Seq+1, next.Seq)
	_ = c.Close()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("Logs did not return after Close")
	}
}

// Serve returns when its context is done, even with a client following
// logs.
func TestServeEndsFollowers(t *testing.T) {
	o := newOverseer(t)
	path := filepath.Join(socketDir(t), "c.sock")
	s := &Server{Path: path}
	require.NoError(t, s.Listen())
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, o) }()

	c, err := Dial(path)
	require.NoError(t, err)
	defer c.Close()
	got := make(chan overseer.Line, 16)
	ended := make(chan error, 1)
	go func() {
		ended <- c.Logs(context.Background(), Request{ID: "web", Follow: true}, eachLine(func(l overseer.Line) error {
			got <- l
			return nil
		}))
	}()
	waitLine(t, got, "hello")
	cancel()
	for i, ch := range []chan error{served, ended} {
		select {
		case err := <-ch:
			if i == 0 {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrServerGone, "the follower is told")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("not ended")
		}
	}
	assert.NoFileExists(t, path)
}

func TestTooManyConnections(t *testing.T) {
	path := filepath.Join(socketDir(t), "c.sock")
	start(t, &Server{Path: path, MaxConns: 1}, overseer.NewOverseer())
	idle, err := net.Dial("unix", path) // holds the one place, sending nothing
	require.NoError(t, err)
	defer idle.Close()
	// Connections are accepted in order: the idle one has the place.
	_, err = Do(path, Request{Op: OpStatus})
	assert.ErrorContains(t, err, "too many connections")
}

// TestLogsKeepBytes checks that a line that is not UTF-8 comes to the
// client with its exact bytes, not with U+FFFD in their place.
func TestLogsKeepBytes(t *testing.T) {
	o := overseer.NewOverseer()
	t.Cleanup(func() { o.StopAll() })
	const text = "caf\xe9 \xff\xfe end"
	_, err := o.Add("raw", prog, "out:"+text, "out:done", "sleep")
	require.NoError(t, err)
	lines := make(chan overseer.Line, 16)
	stop := o.WatchLogs(lines)
	defer stop()
	require.NoError(t, o.Start("raw"))
	waitLine(t, lines, "done")
	path := filepath.Join(socketDir(t), "c.sock")
	start(t, &Server{Path: path}, o)

	c, err := Dial(path)
	require.NoError(t, err)
	defer c.Close()
	var texts []string
	require.NoError(t, c.Logs(context.Background(), Request{ID: "raw"}, eachLine(func(l overseer.Line) error {
		texts = append(texts, l.Text)
		return nil
	})))
	assert.Equal(t, []string{text, "done"}, texts)
}
