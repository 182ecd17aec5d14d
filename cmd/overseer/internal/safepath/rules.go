//go:build unix

package safepath

import "golang.org/x/sys/unix"

// Problem is what makes a directory or a link unsafe; None is none.
type Problem int

// The problems a Rule or a walk finds.
const (
	// None: the directory is safe.
	None Problem = iota
	// Owner: the directory belongs to a user the rule does not trust.
	Owner
	// Writable: users other than its owner can write to the directory
	// (its group or others, as the rule says).
	Writable
	// Mode: the directory's mode is not the one the rule requires.
	Mode
	// Link: the last name of the path is a symbolic link, and
	// Options.NoFinalLink refuses it.
	Link
	// LinkOwner: a symbolic link in a sticky directory that others can
	// write to belongs to a user other than the caller and root.
	LinkOwner
)

// Rule judges a directory by its status, for the caller uid.
type Rule func(st *unix.Stat_t, uid int) Problem

// bits returns the permission bits of st with setuid, setgid and sticky.
func bits(st *unix.Stat_t) uint32 { return uint32(st.Mode) & 0o7777 }

// trusted reports whether st belongs to uid or root.
func trusted(st *unix.Stat_t, uid int) bool {
	return int(st.Uid) == uid || st.Uid == 0
}

// Ancestor is the rule of every directory on the way (OpenSSH's): it
// belongs to uid or root, and neither its group nor others can write to it
// unless it is sticky, where nobody can rename or remove what is not
// theirs.
func Ancestor(st *unix.Stat_t, uid int) Problem {
	switch {
	case !trusted(st, uid):
		return Owner
	case bits(st)&0o022 != 0 && bits(st)&unix.S_ISVTX == 0:
		return Writable
	}
	return None
}

// LogDir is logrotate's rule for the directory of a log file: it belongs
// to uid or root, others cannot write to it, and its group can only if
// that group is root's (gid 0). The sticky bit is not enough.
func LogDir(st *unix.Stat_t, uid int) Problem {
	switch {
	case !trusted(st, uid):
		return Owner
	case bits(st)&0o002 != 0, bits(st)&0o020 != 0 && st.Gid != 0:
		return Writable
	}
	return None
}

// OwnerOnly is the rule of a directory given for a socket: it belongs to
// uid or root, and only its owner can write to it.
func OwnerOnly(st *unix.Stat_t, uid int) Problem {
	switch {
	case !trusted(st, uid):
		return Owner
	case bits(st)&0o022 != 0:
		return Writable
	}
	return None
}

// Private is the rule of a directory made for the caller alone: it belongs
// to uid (not root, unless uid is root) and its mode is exactly 0700.
func Private(st *unix.Stat_t, uid int) Problem {
	switch {
	case int(st.Uid) != uid:
		return Owner
	case bits(st) != 0o700:
		return Mode
	}
	return None
}
