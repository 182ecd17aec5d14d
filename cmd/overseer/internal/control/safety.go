//go:build unix

package control

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/overseer-go/overseer/cmd/overseer/internal/safepath"
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
// every directory on the way to either, from "/", must belong to the caller
// or root and be writable by its owner only unless it is sticky, as /tmp is
// (OpenSSH's rule for the files it trusts, with /tmp's exception). The path
// is walked name by name (package safepath), so a symbolic link is followed
// only from a directory that passed that check, and from a sticky one only
// if the link is the caller's or root's; the directories a link leads
// through are checked as well. Last, the server at the other end must run
// as the caller or root (its peer credentials).
var ErrUnsafe = errors.New("overseer: control: unsafe socket")

// unsafeErr wraps ErrUnsafe with path and the reason.
func unsafeErr(path, format string, args ...any) error {
	return fmt.Errorf("%w %s: %s", ErrUnsafe, path, fmt.Sprintf(format, args...))
}

// The socket is bound and connected to by its path once its directory has
// passed these checks, not through the descriptor of the directory
// (/proc/self/fd/N/NAME would do it on Linux only): every directory the
// path goes through was found to be changeable by the caller and root only
// (or sticky, where what the walk went through is theirs), so nobody else
// can make the path lead elsewhere between the check and the bind or the
// connect; and a client checks the server's peer credentials after
// connecting, which catches a socket swapped by anyone else anyway.

// checkDefaultDir checks the directory of the default socket path: it must
// be a directory (not a link to one) of uid, with mode 0700, reached
// through directories that only uid or root can change.
func checkDefaultDir(path string, uid int) error {
	return checkDir(path, safepath.Options{UID: uid, Final: safepath.Private, NoFinalLink: true}, true)
}

// checkExplicitDir checks the directory of a socket path given explicitly:
// it must belong to uid or root and be writable by its owner only, so that
// nobody else can remove the socket or put one of theirs in its place, and
// be reached through directories that only uid or root can change (or
// sticky ones). With create, the directories missing are made, mode 0700
// whatever the umask, each once the one it is made in has passed.
func checkExplicitDir(path string, uid int, create bool) error {
	o := safepath.Options{UID: uid, Final: safepath.OwnerOnly}
	if create {
		o.Create, o.ExactMode = 0o700, true
	}
	return checkDir(path, o, false)
}

// checkDir walks to the directory of path with o and closes it; the error
// says what is wrong as ErrUnsafe does, for the default path's directory
// or an explicit one.
func checkDir(path string, o safepath.Options, isDefault bool) error {
	dir, err := safepath.OpenDir(filepath.Dir(path), o)
	if err != nil {
		return dirErr(path, err, isDefault)
	}
	_ = dir.Close() // read only, and only checked
	return nil
}

// dirErr is the error of the walk to the directory of the socket at path.
func dirErr(path string, err error, isDefault bool) error {
	var ue *safepath.UnsafeError
	if !errors.As(err, &ue) {
		var pe *fs.PathError
		if isDefault && errors.Is(err, unix.ENOTDIR) && errors.As(err, &pe) {
			return unsafeErr(path, "%s is not a directory; remove it, or give -socket PATH", pe.Path)
		}
		return fmt.Errorf("overseer: control: %w", err)
	}
	d, uid := ue.Dir, ue.UID
	switch {
	case ue.Problem == safepath.LinkOwner:
		return unsafeErr(path, "symbolic link %s on its way belongs to uid %d, neither you (uid %d) nor root, in a directory others can write to: that user chose where it leads; use a path without it", d, ue.Owner, uid)
	case ue.Problem == safepath.Link:
		return unsafeErr(path, "%s is not a directory (a symbolic link); remove it, or give -socket PATH", d)
	case !ue.Final && ue.Problem == safepath.Owner:
		return unsafeErr(path, "directory %s above it belongs to uid %d, neither you (uid %d) nor root: that user can replace what is below it; use a path of yours or root's", d, ue.Owner, uid)
	case !ue.Final:
		return unsafeErr(path, "directory %s above it has mode %#o: others can write to it, and so replace what is below it; use a path whose directories only their owners can write to (or sticky ones, as /tmp)", d, ue.Mode)
	case isDefault && ue.Problem == safepath.Owner:
		return unsafeErr(path, "its directory %s belongs to uid %d, not to you (uid %d): that user may have made it to receive your requests; "+
			"remove it (as root: rm -r %s) and try again, or give -socket PATH in a directory of yours", d, ue.Owner, uid, d)
	case isDefault:
		return unsafeErr(path, "its directory %s has mode %#o, not 0700: others can reach it (chmod 700 %s)", d, ue.Mode, d)
	case ue.Problem == safepath.Owner:
		return unsafeErr(path, "its directory %s belongs to uid %d, neither you (uid %d) nor root: that user can replace the socket; use a directory of yours", d, ue.Owner, uid)
	}
	return unsafeErr(path, "its directory %s has mode %#o: others can write to it, and so replace the socket; use a directory only its owner can write to", d, ue.Mode)
}
