//go:build linux

package control

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// The tests of this file play another local user (nobody, 65534) who puts
// a fake server where a victim's client will look for its own, and check
// that the client sends it nothing.

// fakeEnv makes the test binary a fake server: it makes the directory of
// the socket it names if missing (mode 0777), listens there (mode 0777),
// prints "ready", answers every connection with an ok at once and counts
// the connections and the bytes it receives, until a connection sends
// endMarker alone; then it prints "fake: N connections, M bytes" and exits.
// The backlog of a listener is a queue: what connected before the marker
// is counted.
const fakeEnv = "OVERSEER_CONTROL_TEST_FAKE"

const endMarker = "END OF TEST\n"

func fakeServer(path string) int {
	dir := filepath.Dir(path)
	if err := os.Mkdir(dir, 0o777); err == nil {
		if err := os.Chmod(dir, 0o777); err != nil {
			fmt.Println("fake:", err)
			return 1
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		fmt.Println("fake:", err)
		return 1
	}
	if err := os.Chmod(path, 0o777); err != nil {
		fmt.Println("fake:", err)
		return 1
	}
	fmt.Println("ready")
	var (
		wg           sync.WaitGroup
		conns, bytes atomic.Int64
		end          sync.Once
	)
	for {
		c, err := ln.Accept()
		if err != nil {
			break // closed at the marker
		}
		wg.Go(func() {
			defer c.Close()
			_, _ = io.WriteString(c, `{"ok":true,"processes":[]}`+"\n") // a client that refused is gone
			data, _ := io.ReadAll(c)                                    // until the client closes
			if string(data) == endMarker {
				end.Do(func() { _ = ln.Close() }) // ends the loop above
				return
			}
			conns.Add(1)
			bytes.Add(int64(len(data)))
		})
	}
	wg.Wait()
	fmt.Printf("fake: %d connections, %d bytes\n", conns.Load(), bytes.Load())
	return 0
}

// binaryForOthers returns a copy of the test binary that other users may
// run.
func binaryForOthers(t *testing.T) string {
	t.Helper()
	dir := socketDir(t)
	require.NoError(t, os.Chmod(dir, 0o711))
	self, err := os.Executable()
	require.NoError(t, err)
	data, err := os.ReadFile(self)
	require.NoError(t, err)
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.WriteFile(bin, data, 0o755))
	return bin
}

// tmpLike returns a new directory made as /tmp is: root's, mode 01777.
func tmpLike(t *testing.T) string {
	t.Helper()
	dir := socketDir(t)
	require.NoError(t, os.Chmod(dir, os.ModeSticky|0o777))
	return dir
}

// as returns a command running bin as uid (and gid uid), with env.
func as(bin string, uid int, env ...string) *exec.Cmd {
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"GORACE=atexit_sleep_ms=0"}, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	return cmd
}

// fake is a fake server run by nobody.
type fake struct {
	cmd  *exec.Cmd
	out  *bufio.Reader
	path string // where its socket is
}

// startFake starts a fake server of nobody at path, once it listens.
func startFake(t *testing.T, bin, path string) *fake {
	t.Helper()
	cmd := as(bin, 65534, fakeEnv+"="+path)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	f := &fake{cmd: cmd, out: bufio.NewReader(stdout), path: path}
	t.Cleanup(func() {
		_ = f.cmd.Process.Kill() // ends it, if end did not
		_ = f.cmd.Wait()         // its outcome is end's business
	})
	line, err := f.out.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ready\n", line)
	return f
}

// moveTo moves the fake's socket to path, where it still answers.
func (f *fake) moveTo(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, os.Rename(f.path, path))
	f.path = path
}

// end stops the fake server and returns what it received.
func (f *fake) end(t *testing.T) (conns, bytes int) {
	t.Helper()
	c, err := net.Dial("unix", f.path)
	require.NoError(t, err)
	_, err = io.WriteString(c, endMarker)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	line, err := f.out.ReadString('\n')
	require.NoError(t, err)
	_, err = fmt.Sscanf(line, "fake: %d connections, %d bytes", &conns, &bytes)
	require.NoError(t, err, "%q", line)
	require.NoError(t, f.cmd.Wait())
	return conns, bytes
}

// A user without XDG_RUNTIME_DIR (under cron, sudo -u, a service) finds
// the directory of its default socket, in the temporary directory, made by
// nobody with a fake server in it: the client refuses it, before it
// connects.
func TestAttackDefaultDirOfAnotherUser(t *testing.T) {
	testbuild.NeedRoot(t)
	const victim = 65533
	bin := binaryForOthers(t)
	tmp := tmpLike(t)
	dir := filepath.Join(tmp, fmt.Sprintf("overseer-%d", victim))
	f := startFake(t, bin, filepath.Join(dir, "control.sock"))

	out, err := as(bin, victim, clientEnv+"=default", "TMPDIR="+tmp).CombinedOutput()
	require.NoError(t, err, "%s", out)
	conns, bytes := f.end(t)
	assert.Zero(t, bytes, "the fake server received the request")
	assert.Zero(t, conns, "refused before connecting")
	assert.Contains(t, string(out), "unsafe: client: overseer: control: unsafe socket "+filepath.Join(dir, "control.sock")+
		fmt.Sprintf(": its directory %s belongs to uid 65534, not to you (uid %d)", dir, victim))
}

// Root's default socket is not in the temporary directory, where anybody
// may make overseer-0 first; were it there, its checks would refuse
// nobody's directory as any user's.
func TestAttackRootDefault(t *testing.T) {
	testbuild.NeedRoot(t)
	bin := binaryForOthers(t)
	tmp := tmpLike(t)
	t.Setenv("TMPDIR", tmp)
	t.Setenv("XDG_RUNTIME_DIR", "")
	sock := filepath.Join(tmp, "overseer-0", "control.sock")
	f := startFake(t, bin, sock)

	_, err := Do("", Request{Op: OpUpgrade, ID: "web", Args: []string{"/bin/app", "--password=secret"}})
	t.Log(err) // whatever /run/overseer holds: not the fake
	_, err = dial("", place{uid: 0, tempDir: tmp})
	require.ErrorIs(t, err, ErrUnsafe)
	assert.ErrorContains(t, err, "its directory "+filepath.Dir(sock)+" belongs to uid 65534, not to you (uid 0)")
	assert.ErrorContains(t, err, "rm -r "+filepath.Dir(sock))
	conns, bytes := f.end(t)
	assert.Zero(t, bytes, "the fake server received the request")
	assert.Zero(t, conns, "refused before connecting")
	assert.Equal(t, "/run/overseer/control.sock", DefaultPath())

	// And a server of root there says why it will not listen.
	err = (&Server{place: &place{uid: 0, tempDir: tmp}}).Listen()
	require.ErrorIs(t, err, ErrUnsafe)
	assert.ErrorContains(t, err, "unsafe socket "+sock+": its directory "+filepath.Dir(sock)+" belongs to uid 65534")
}

// A socket of nobody's server in a directory of root's (moved there: the
// directory checks cannot see it) is refused by its peer credentials,
// before anything is sent.
func TestAttackServerOfAnotherUser(t *testing.T) {
	testbuild.NeedRoot(t)
	bin := binaryForOthers(t)
	tmp := tmpLike(t)
	f := startFake(t, bin, filepath.Join(tmp, "nobody", "f.sock"))
	path := filepath.Join(socketDir(t), "c.sock")
	f.moveTo(t, path)

	_, err := Do(path, Request{Op: OpUpgrade, ID: "web", Args: []string{"/bin/app", "--password=secret"}})
	require.ErrorIs(t, err, ErrUnsafe)
	assert.ErrorContains(t, err, "the server there runs as uid 65534, neither you (uid 0) nor root")
	conns, bytes := f.end(t)
	assert.Equal(t, 1, conns, "connected, to ask who it is")
	assert.Zero(t, bytes, "the fake server received the request")
}

// An explicit socket path is checked up to the root: a directory above it
// that another user owns, or that others can write to without the sticky
// bit, lets them replace what is below it. Neither the server nor the
// client uses it.
func TestAttackExplicitPathAncestry(t *testing.T) {
	testbuild.NeedRoot(t)
	bin := binaryForOthers(t)
	tests := []struct {
		name  string
		setup func(t *testing.T, above string)
		want  string // "" for a safe path
	}{
		{"owned by nobody", func(t *testing.T, above string) {
			require.NoError(t, os.Chown(above, 65534, 65534))
			require.NoError(t, os.Chmod(above, 0o755))
		}, "above it belongs to uid 65534, neither you (uid 0) nor root"},
		{"writable by all", func(t *testing.T, above string) {
			require.NoError(t, os.Chmod(above, 0o777))
		}, "above it has mode 0777: others can write to it"},
		{"writable by the group", func(t *testing.T, above string) {
			require.NoError(t, os.Chmod(above, 0o775))
		}, "above it has mode 0775"},
		{"sticky, as /tmp", func(t *testing.T, above string) {
			require.NoError(t, os.Chmod(above, os.ModeSticky|0o777))
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			above := socketDir(t)
			tt.setup(t, above)
			dir := filepath.Join(above, "sub")
			require.NoError(t, os.Mkdir(dir, 0o700))
			path := filepath.Join(dir, "c.sock")
			if tt.want == "" {
				start(t, &Server{Path: path}, overseer.NewOverseer())
				return
			}
			err := (&Server{Path: path}).Listen()
			require.ErrorIs(t, err, ErrUnsafe)
			assert.ErrorContains(t, err, "unsafe socket "+path+": directory "+above+" "+tt.want)
			assert.NoFileExists(t, path)
			// Also through a link: the directories checked are the real ones.
			link := filepath.Join(socketDir(t), "link")
			require.NoError(t, os.Symlink(dir, link))
			err = (&Server{Path: filepath.Join(link, "c.sock")}).Listen()
			require.ErrorIs(t, err, ErrUnsafe)

			// A server of nobody's put there: the client does not connect.
			tmp := tmpLike(t)
			f := startFake(t, bin, filepath.Join(tmp, "nobody", "f.sock"))
			f.moveTo(t, path)
			_, err = Do(path, Request{Op: OpStatus})
			require.ErrorIs(t, err, ErrUnsafe)
			assert.ErrorContains(t, err, "directory "+above+" "+tt.want)
			conns, bytes := f.end(t)
			assert.Zero(t, bytes, "the fake server received the request")
			assert.Zero(t, conns, "refused before connecting")
		})
	}
}
