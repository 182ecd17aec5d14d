package control

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrUnsafe is the error of a control socket that a user other than the
// caller and root could have put in place or could replace, or whose
// server runs as another user: a client sends nothing to it, a server does
// not listen there. It comes wrapped with the socket's path and the reason,
// which says what to do.
//
// The rules: the default path's directory must be a directory (not a link)
// of the caller with mode 0700; the directory of a path given explicitly
// must belong to the caller or root and be writable by its owner only;
// every directory above either must belong to the caller or root and be
// writable by its owner only unless it is sticky, as /tmp is (OpenSSH's
// rule for the files it trusts, with /tmp's exception); and the server at
// the other end must run as the caller or root (its peer credentials).
var ErrUnsafe = errors.New("overseer: control: unsafe socket")

// unsafeErr wraps ErrUnsafe with path and the reason.
func unsafeErr(path, format string, args ...any) error {
	return fmt.Errorf("%w %s: %s", ErrUnsafe, path, fmt.Sprintf(format, args...))
}

// checkDefaultDir checks the directory of the default socket path: it must
// be a directory (not a link to one) of uid, with mode 0700, below
// directories that only uid or root can change (checkAbove).
func checkDefaultDir(path string, uid int) error {
	dir := filepath.Dir(path)
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("overseer: control: %w", err)
	}
	if !fi.IsDir() {
		return unsafeErr(path, "%s is not a directory (%v); remove it, or give -socket PATH", dir, fi.Mode().Type())
	}
	if owner := ownerOf(fi); owner != uid {
		return unsafeErr(path, "its directory %s belongs to uid %d, not to you (uid %d): that user may have made it to receive your requests; "+
			"remove it (as root: rm -r %s) and try again, or give -socket PATH in a directory of yours", dir, owner, uid, dir)
	}
	if perm := modeBits(fi.Mode()); perm != 0o700 {
		return unsafeErr(path, "its directory %s has mode %#o, not 0700: others can reach it (chmod 700 %s)", dir, perm, dir)
	}
	return checkAbove(path, dir, uid)
}

// checkExplicitDir checks the directory of a socket path given explicitly:
// it must belong to uid or root and be writable by its owner only, so that
// nobody else can remove the socket or put one of theirs in its place; and
// so must the directories above it, but for sticky ones (checkAbove).
// Links are followed: the directories checked are the real ones.
func checkExplicitDir(path string, uid int) error {
	dir, err := realDir(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("overseer: control: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("overseer: control: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("overseer: control: %s is not a directory", dir)
	}
	if owner := ownerOf(fi); owner != uid && owner != 0 {
		return unsafeErr(path, "its directory %s belongs to uid %d, neither you (uid %d) nor root: that user can replace the socket; use a directory of yours", dir, owner, uid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return unsafeErr(path, "its directory %s has mode %#o: others can write to it, and so replace the socket; use a directory only its owner can write to", dir, modeBits(fi.Mode()))
	}
	return checkAbove(path, dir, uid)
}

// checkAbove checks every directory above dir, links resolved, up to the
// root: each must belong to uid or root, and be writable by its owner only
// unless it is sticky (as /tmp), where nobody can rename or remove what is
// not theirs.
func checkAbove(path, dir string, uid int) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("overseer: control: %w", err)
	}
	d, err := realDir(filepath.Dir(abs))
	if err != nil {
		return fmt.Errorf("overseer: control: %w", err)
	}
	for {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("overseer: control: %w", err)
		}
		if owner := ownerOf(fi); owner != uid && owner != 0 {
			return unsafeErr(path, "directory %s above it belongs to uid %d, neither you (uid %d) nor root: that user can replace what is below it; use a path of yours or root's", d, owner, uid)
		}
		if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&os.ModeSticky == 0 {
			return unsafeErr(path, "directory %s above it has mode %#o: others can write to it, and so replace what is below it; use a path whose directories only their owners can write to (or sticky ones, as /tmp)", d, modeBits(fi.Mode()))
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil
		}
		d = parent
	}
}

// realDir returns the absolute path of dir with its links resolved.
func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// modeBits returns the permission bits of m as chmod reads them, with the
// setuid, setgid and sticky bits.
func modeBits(m fs.FileMode) uint32 {
	bits := uint32(m.Perm())
	if m&os.ModeSetuid != 0 {
		bits |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		bits |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		bits |= 0o1000
	}
	return bits
}
