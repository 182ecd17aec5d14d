//go:build unix

// Package safepath opens a directory by a path that no user other than the
// caller and root could have redirected: it walks the path one name at a
// time from "/", opening each directory with O_NOFOLLOW relative to the
// one before, and checks every directory it passes through, links
// included, on what it opened (fstat).
//
// Every directory on the way must belong to the caller or root and be
// writable by its owner only, unless it is sticky, as /tmp is (OpenSSH's
// rule for the directories above a file it trusts). A symbolic link is
// followed only because the directory holding it passed that check, and,
// when that directory is sticky and others can write to it, only if the
// link belongs to the caller or root (Linux's protected_symlinks rule):
// its target is read (readlinkat) and walked in turn, from "/" when it is
// absolute, with at most MaxLinks links in all. The directory the path
// names is judged by a stricter Rule that the caller chooses.
//
// What is returned is the open directory: a caller opens, renames and
// removes the names in it relative to it (openat, renameat, unlinkat), so
// that a directory renamed or replaced by a link later changes nothing.
package safepath

import (
	"os"
	"path/filepath"
	"strings"
)

// MaxLinks is how many symbolic links a walk follows before it fails with
// ELOOP, as the kernel's own limit.
const MaxLinks = 40

// Options say who is trusted, how the directory named is judged, and
// whether missing directories are made.
type Options struct {
	// UID is the user trusted besides root: the caller's effective uid.
	UID int
	// Final judges the directory the path names. Nil means Ancestor, the
	// rule of the directories above it.
	Final Rule
	// NoFinalLink refuses a path whose last name is a symbolic link (an
	// *UnsafeError with Problem Link), even one that could be followed.
	NoFinalLink bool
	// Create, when not 0, makes the directories that are missing, with
	// mode Create (less the umask), each once the directory it is made in
	// has passed its check; the new directory is then opened and checked
	// as any other.
	Create os.FileMode
	// ExactMode sets the mode of each directory made to Create, whatever
	// the umask (through its descriptor).
	ExactMode bool
}

// OpenDir opens the directory path, checked as the package says, and
// returns it. A relative path is taken from the working directory, which
// is walked from "/" as well. The error is an *UnsafeError for a
// directory or link that fails a check, else an *os.PathError (ENOENT for
// a missing name, ENOTDIR for a name that is not a directory, ELOOP past
// MaxLinks links).
func OpenDir(path string, o Options) (*os.File, error) {
	full := path
	if !filepath.IsAbs(path) {
		wd, err := os.Getwd()
		if err != nil {
			return nil, &os.PathError{Op: "getwd", Path: path, Err: err}
		}
		// Not filepath.Join, which would take a ".." after a link away
		// with the link's name: ".." is the real parent, as the kernel
		// resolves it.
		full = wd + "/" + path
	}
	w := &walker{path: path, opts: o}
	fd, real, err := w.walk(split(full))
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), real), nil
}

// split returns the names of path, without empty ones and ".".
func split(path string) []string {
	var names []string
	for _, n := range strings.Split(path, "/") {
		if n != "" && n != "." {
			names = append(names, n)
		}
	}
	return names
}
