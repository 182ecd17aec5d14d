//go:build unix

package safepath

import "fmt"

// UnsafeError is the error of a walk that met a directory, or a link, that
// another user could have put in place or could change.
type UnsafeError struct {
	// Path is the path asked for.
	Path string
	// Dir is the directory that failed, by its real path (the names the
	// walk went through, links resolved), or the link for Link and
	// LinkOwner.
	Dir string
	// Final is true when Dir is the directory Path names (judged by
	// Options.Final), false for one above it or on the way to it.
	Final bool
	// Problem is what is wrong.
	Problem Problem
	// UID is the caller's uid (Options.UID).
	UID int
	// Owner, Group and Mode are Dir's (Mode: permission, setuid, setgid
	// and sticky bits).
	Owner, Group int
	Mode         uint32
}

// Error says which directory failed and why, with its owner and mode.
func (e *UnsafeError) Error() string {
	where := "directory " + e.Dir + " above it"
	if e.Final {
		where = "directory " + e.Dir
	}
	var why string
	switch e.Problem {
	case Owner:
		why = fmt.Sprintf("belongs to uid %d, neither you (uid %d) nor root", e.Owner, e.UID)
	case Writable:
		why = fmt.Sprintf("has mode %#o (group %d): users other than its owner can write to it", e.Mode, e.Group)
	case Mode:
		why = fmt.Sprintf("has mode %#o, not 0700", e.Mode)
	case Link:
		return fmt.Sprintf("%s: %s is a symbolic link, not a directory", e.Path, e.Dir)
	case LinkOwner:
		return fmt.Sprintf("%s: symbolic link %s belongs to uid %d, neither you (uid %d) nor root, in a directory others can write to", e.Path, e.Dir, e.Owner, e.UID)
	default:
		why = "is unsafe"
	}
	return e.Path + ": " + where + " " + why
}
