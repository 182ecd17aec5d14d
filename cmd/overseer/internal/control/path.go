package control

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// maxPath is the longest path of a unix socket: sun_path holds 108 bytes,
// with a NUL at the end.
const maxPath = 107

// DefaultPath is the socket's path when none is given:
// $XDG_RUNTIME_DIR/overseer/control.sock, or, without XDG_RUNTIME_DIR,
// overseer-EUID/control.sock in os.TempDir().
func DefaultPath() string {
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "overseer", "control.sock")
	}
	return filepath.Join(os.TempDir(), "overseer-"+strconv.Itoa(os.Geteuid()), "control.sock")
}

// checkLength refuses a path that does not fit in sun_path.
func checkLength(path string) error {
	if len(path) > maxPath {
		return fmt.Errorf("socket path %s is %d bytes long, more than the %d a unix socket allows", path, len(path), maxPath)
	}
	return nil
}

// prepareDefaultDir makes the directory of the default socket, mode 0700, if
// it is missing, and otherwise checks that it is a directory (not a link to
// one) of the effective uid, with mode 0700: the socket is only ever where
// nobody else can put or replace it.
func prepareDefaultDir(dir string, euid int) error {
	err := os.Mkdir(dir, 0o700)
	if err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory (%v)", dir, fi.Mode().Type())
	}
	if uid := ownerOf(fi); uid != euid {
		return fmt.Errorf("directory %s belongs to uid %d, not to uid %d that the server runs as", dir, uid, euid)
	}
	if perm := fi.Mode() & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky); perm != 0o700 {
		return fmt.Errorf("directory %s has mode %#o, not 0700: others can reach it (chmod 700 %s)", dir, uint32(perm.Perm()), dir)
	}
	return nil
}

// makeMissingDirs makes dir and those of its parents that are missing,
// each with mode 0700 whatever the umask, as the default path's directory
// is made. Those that exist are left as they are: checkExplicitDir judges
// dir.
func makeMissingDirs(dir string) error {
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return nil // there, or unreadable: checkExplicitDir says what is wrong
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := makeMissingDirs(parent); err != nil {
			return err
		}
	}
	err := os.Mkdir(dir, 0o700)
	switch {
	case errors.Is(err, fs.ErrExist): // made meanwhile by someone else: checked as any other
		return nil
	case err != nil:
		return fmt.Errorf("making the socket's directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil { // the umask may have taken some away
		return fmt.Errorf("making the socket's directory: %w", err)
	}
	return nil
}

// checkExplicitDir checks the directory of a socket path given explicitly:
// it must exist, and nobody but its owner may write to it (no group or other
// write permission), and its owner must be the effective uid or root; so
// nobody else can remove the socket or put one of theirs in its place.
func checkExplicitDir(dir string, euid int) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if uid := ownerOf(fi); uid != euid && uid != 0 {
		return fmt.Errorf("directory %s belongs to uid %d, neither the server's uid %d nor root", dir, uid, euid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("directory %s has mode %#o: others can write to it, and so replace the socket; use a directory only its owner can write to", dir, uint32(fi.Mode().Perm()))
	}
	return nil
}

func ownerOf(fi os.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// listenUnix listens at path, removing a stale socket (one that refuses
// connections: its server is gone) in the way, and refusing to touch a live
// one or anything that is not a socket. The socket file gets mode 0600.
func listenUnix(path string) (*net.UnixListener, fileID, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != os.ModeSocket {
			return nil, fileID{}, fmt.Errorf("%s exists and is not a socket", path)
		}
		conn, err := net.Dial("unix", path)
		switch {
		case err == nil:
			_ = conn.Close()
			return nil, fileID{}, fmt.Errorf("another server is running at %s", path)
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
