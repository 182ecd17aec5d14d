//go:build unix

package control

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/overseer-go/overseer/cmd/overseer/internal/safepath"
)

// maxPath is the longest path of a unix socket: sun_path holds 108 bytes,
// with a NUL at the end.
const maxPath = 107

// place is what the default path depends on: who asks, and where.
type place struct {
	uid        int    // the effective uid
	rootRunDir string // root's runtime directory (/run), set for root only
	runtimeDir string // $XDG_RUNTIME_DIR
	tempDir    string // os.TempDir()
}

// here returns the place of this process.
func here() place {
	p := place{uid: os.Geteuid(), runtimeDir: os.Getenv("XDG_RUNTIME_DIR"), tempDir: os.TempDir()}
	if p.uid == 0 {
		p.rootRunDir = "/run"
		if runtime.GOOS != "linux" {
			p.rootRunDir = "/var/run"
		}
	}
	return p
}

// defaultPath is DefaultPath at p.
func (p place) defaultPath() string {
	switch {
	case p.rootRunDir != "":
		return filepath.Join(p.rootRunDir, "overseer", "control.sock")
	case p.runtimeDir != "":
		return filepath.Join(p.runtimeDir, "overseer", "control.sock")
	}
	return filepath.Join(p.tempDir, "overseer-"+strconv.Itoa(p.uid), "control.sock")
}

// DefaultPath is the socket's path when none is given: for root,
// /run/overseer/control.sock (/var/run/… off Linux), whatever
// XDG_RUNTIME_DIR says, since sudo may keep a user's; for another user,
// $XDG_RUNTIME_DIR/overseer/control.sock, or, without XDG_RUNTIME_DIR,
// overseer-EUID/control.sock in os.TempDir(). Its directory must be the
// user's own, mode 0700: see ErrUnsafe.
func DefaultPath() string { return here().defaultPath() }

// checkLength refuses a path that does not fit in sun_path.
func checkLength(path string) error {
	if len(path) > maxPath {
		return fmt.Errorf("socket path %s is %d bytes long, more than the %d a unix socket allows", path, len(path), maxPath)
	}
	return nil
}

// prepareDefaultDir makes the directory of the default socket path, mode
// 0700, if it is missing, in its parent reached through safepath (so
// through no link another user made), then checks it as checkDefaultDir
// does. Its parent is not made: it is the runtime or temporary directory.
func prepareDefaultDir(path string, uid int) error {
	dir := filepath.Dir(path)
	parent, err := safepath.OpenDir(filepath.Dir(dir), safepath.Options{UID: uid})
	if err != nil {
		return dirErr(path, err, false)
	}
	err = unix.Mkdirat(int(parent.Fd()), filepath.Base(dir), 0o700)
	_ = parent.Close() // read only
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("overseer: control: making the socket's directory %s: %w; give -socket PATH", dir, err)
	}
	return checkDefaultDir(path, uid)
}

// listenUnix listens at path, removing a stale socket (one that refuses
// connections: its server is gone) in the way, and refusing to touch a live
// one (whose server's uid is told when it is not uid) or anything that is
// not a socket. The socket file gets mode 0600.
func listenUnix(path string, uid int) (*net.UnixListener, fileID, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != os.ModeSocket {
			return nil, fileID{}, fmt.Errorf("%s exists and is not a socket", path)
		}
		conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
		switch {
		case err == nil:
			who := ""
			if owner, err := peerUID(conn); err == nil && owner != uid {
				who = fmt.Sprintf(", as uid %d, not you (uid %d)", owner, uid)
			}
			_ = conn.Close() // only asked who it is
			return nil, fileID{}, fmt.Errorf("another server is running at %s%s: stop it, or give -socket PATH", path, who)
		case errors.Is(err, syscall.ECONNREFUSED):
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fileID{}, fmt.Errorf("removing the stale socket: %w", err)
			}
		default:
			return nil, fileID{}, fmt.Errorf("checking the socket in the way: %w", err)
		}
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fileID{}, err
	}
	ln.SetUnlinkOnClose(false) // removed by removeIfOurs, only if it still is ours
	id, err := statID(path)
	if err == nil {
		err = os.Chmod(path, 0o600)
	}
	if err != nil {
		_ = ln.Close()
		return nil, fileID{}, err
	}
	return ln, id, nil
}

// fileID tells a file from another put at the same path.
type fileID struct{ dev, ino uint64 }

func statID(path string) (fileID, error) {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		return fileID{}, err
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, nil
}

// removeIfOurs removes the socket file at path if it is still the one made
// by listenUnix, not one another server put there since.
func removeIfOurs(path string, id fileID) {
	if now, err := statID(path); err == nil && now == id {
		_ = os.Remove(path)
	}
}
