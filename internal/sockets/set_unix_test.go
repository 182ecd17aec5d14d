//go:build unix

package sockets

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func mustParse(t *testing.T, ss ...string) []Addr {
	t.Helper()
	var addrs []Addr
	for _, s := range ss {
		a, err := ParseAddr(s)
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, a)
	}
	return addrs
}

// The sockets are open, blocking and close-on-exec in the supervisor,
// bound to the port chosen for port 0, and gone after Close, socket file
// included.
func TestOpenBoundClose(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	addrs := mustParse(t, "tcp://127.0.0.1:0", "unix://"+sock)
	s, err := Open(addrs)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Same(addrs) || s.Same(addrs[:1]) || (*Set)(nil).Same(addrs) || !(*Set)(nil).Same(nil) {
		t.Error("Same does not tell the addresses opened")
	}
	bound := s.Bound()
	if len(bound) != 2 || bound[0].Network != "tcp" || strings.HasSuffix(bound[0].Address, ":0") || bound[1] != addrs[1] {
		t.Fatalf("Bound() = %v", bound)
	}
	conn, err := net.Dial("tcp", bound[0].Address)
	if err != nil {
		t.Fatalf("dial the held socket: %v", err)
	}
	_ = conn.Close() // only a probe
	for i, f := range s.Files() {
		flags, err := fcntl(f.Fd(), syscall.F_GETFL)
		if err != nil || flags&syscall.O_NONBLOCK != 0 {
			t.Errorf("socket %d: flags %#x, %v: want blocking", i, flags, err)
		}
		fdflags, err := fcntl(f.Fd(), syscall.F_GETFD)
		if err != nil || fdflags&syscall.FD_CLOEXEC == 0 {
			t.Errorf("socket %d: fd flags %#x, %v: want close-on-exec", i, fdflags, err)
		}
	}

	s.Close()
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Close the socket file is still there: %v", err)
	}
	if _, err := net.Dial("tcp", bound[0].Address); err == nil {
		t.Error("after Close the tcp socket still takes connections")
	}
	(*Set)(nil).Close() // a no-op
}

// Close removes only the socket file it made: not one put in its place.
func TestCloseKeepsAReplacedFile(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	s, err := Open(mustParse(t, "unix://"+sock))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(sock); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sock, []byte("someone else's"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(sock); err != nil {
		t.Errorf("Close removed a file it did not make: %v", err)
	}
}

// A unix socket that nothing listens on is replaced; a live one is not,
// nor a file that is no socket.
func TestOpenStaleUnixSocket(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "stale.sock")
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	if err := l.Close(); err != nil { // the file stays: stale
		t.Fatal(err)
	}
	s, err := Open(mustParse(t, "unix://"+stale))
	if err != nil {
		t.Fatalf("a stale socket is not replaced: %v", err)
	}
	s.Close()

	live := filepath.Join(dir, "live.sock")
	ll, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer ll.Close()
	if s, err := Open(mustParse(t, "unix://"+live)); err == nil || !strings.Contains(err.Error(), "address already in use") {
		s.Close()
		t.Errorf("a live socket: Open = %v, want address already in use", err)
	}

	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(mustParse(t, "unix://"+plain)); err == nil {
		s.Close()
		t.Error("a plain file was replaced by a socket")
	}
}

// A failed Open leaves none of its sockets open.
func TestOpenFailureClosesTheOthers(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	sock := filepath.Join(t.TempDir(), "first.sock")
	_, err = Open(mustParse(t, "unix://"+sock, "tcp://"+taken.Addr().String()))
	if err == nil || !strings.Contains(err.Error(), taken.Addr().String()) {
		t.Fatalf("Open = %v, want an error naming %s", err, taken.Addr())
	}
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the first socket's file is left: %v", err)
	}
}

// A child started with the layout's files and environment finds its
// sockets from fd 3 and its lifeline after them.
func TestLayoutHandoff(t *testing.T) {
	s, err := Open(mustParse(t, "tcp://127.0.0.1:0", "tcp://127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	layout := s.Layout("web:1")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "GORACE=atexit_sleep_ms=0")
	cmd.Env = append(cmd.Env, layout.Env()...)
	cmd.ExtraFiles = layout.ExtraFiles(s.Files(), w)
	out, err := cmd.CombinedOutput()
	_ = w.Close() // the child's copy is what counted
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "listeners:2 names:web_1:web_1 lifeline:5"; got != want {
		t.Errorf("child says %q, want %q", got, want)
	}
	if (*Set)(nil).Layout("x").Listeners() != 0 {
		t.Error("a nil Set has sockets in its layout")
	}
}

// fcntl returns the result of fcntl(fd, cmd, 0).
func fcntl(fd uintptr, cmd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, fd, uintptr(cmd), 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
