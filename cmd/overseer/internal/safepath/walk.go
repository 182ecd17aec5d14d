//go:build unix

package safepath

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// walker is one walk of OpenDir.
type walker struct {
	path  string // as asked, for errors
	opts  Options
	links int      // followed so far
	real  []string // the names from "/" to the directory held: its real path
}

// realPath is the real path of the directory held, with name after it
// when name is not "".
func (w *walker) realPath(name string) string {
	names := w.real
	if name != "" {
		names = append(names[:len(names):len(names)], name)
	}
	return "/" + strings.Join(names, "/")
}

// walk walks names from "/" and returns the last directory, open, with
// its real path.
func (w *walker) walk(names []string) (int, string, error) {
	cur, err := w.openRoot(len(names) == 0)
	if err != nil {
		return -1, "", err
	}
	made := false // names[0] was just made: not made again
	for len(names) > 0 {
		name, rest := names[0], names[1:]
		if name == ".." {
			next, err := w.openAt(cur, "..", len(rest) == 0)
			if err != nil {
				return -1, "", err
			}
			cur, names = next, rest
			if len(w.real) > 0 {
				w.real = w.real[:len(w.real)-1]
			}
			continue
		}
		fd, err := unix.Openat(cur, name, dirFlags, 0)
		switch {
		case err == nil:
			closeFD(cur)
			w.real = append(w.real, name)
			if err := w.check(fd, len(rest) == 0); err != nil {
				closeFD(fd)
				return -1, "", err
			}
			cur, names, made = fd, rest, false
		case errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.EMLINK):
			// EMLINK: what FreeBSD says of a link with O_NOFOLLOW.
			target, err := w.readLink(cur, name, len(rest) == 0)
			if err != nil {
				closeFD(cur)
				return -1, "", err
			}
			names = append(split(target), rest...)
			if strings.HasPrefix(target, "/") {
				closeFD(cur)
				w.real = nil
				if cur, err = w.openRoot(len(names) == 0); err != nil {
					return -1, "", err
				}
			} else if len(names) == 0 {
				// A link to "." in a directory: that directory is the
				// last, and is judged as such.
				if err := w.check(cur, true); err != nil {
					closeFD(cur)
					return -1, "", err
				}
			}
			made = false
		case errors.Is(err, unix.ENOENT) && w.opts.Create != 0 && !made:
			if err := w.mkdir(cur, name); err != nil {
				closeFD(cur)
				return -1, "", err
			}
			made = true // opened and checked on the next turn
		default:
			closeFD(cur)
			return -1, "", &os.PathError{Op: "open", Path: w.realPath(name), Err: err}
		}
	}
	return cur, w.realPath(""), nil
}

// openRoot opens "/" and checks it.
func (w *walker) openRoot(last bool) (int, error) {
	fd, err := unix.Open("/", dirFlags, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: "/", Err: err}
	}
	if err := w.check(fd, last); err != nil {
		closeFD(fd)
		return -1, err
	}
	return fd, nil
}

// openAt opens name in dir, closes dir and checks what it opened.
func (w *walker) openAt(dir int, name string, last bool) (int, error) {
	fd, err := unix.Openat(dir, name, dirFlags, 0)
	closeFD(dir)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: w.realPath(name), Err: err}
	}
	if err := w.check(fd, last); err != nil {
		closeFD(fd)
		return -1, err
	}
	return fd, nil
}

// check judges the directory fd, the last of the walk or one on the way.
func (w *walker) check(fd int, last bool) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &os.PathError{Op: "stat", Path: w.realPath(""), Err: err}
	}
	rule := Ancestor
	if last && w.opts.Final != nil {
		rule = w.opts.Final
	}
	if p := rule(&st, w.opts.UID); p != None {
		return w.unsafe(w.realPath(""), last, p, &st)
	}
	return nil
}

// readLink returns the target of the link name in dir (which has passed
// its check), or why it is not followed: not a link, one link too many, a
// last name that must not be one, or a link of another user in a sticky
// directory others can write to.
func (w *walker) readLink(dir int, name string, last bool) (string, error) {
	path := w.realPath(name)
	var st unix.Stat_t
	if err := unix.Fstatat(dir, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return "", &os.PathError{Op: "lstat", Path: path, Err: err}
	}
	if uint32(st.Mode)&unix.S_IFMT != unix.S_IFLNK {
		return "", &os.PathError{Op: "open", Path: path, Err: unix.ENOTDIR}
	}
	if last && w.opts.NoFinalLink {
		return "", w.unsafe(path, true, Link, &st)
	}
	var dst unix.Stat_t
	if err := unix.Fstat(dir, &dst); err != nil {
		return "", &os.PathError{Op: "stat", Path: w.realPath(""), Err: err}
	}
	if bits(&dst)&0o022 != 0 && !trusted(&st, w.opts.UID) {
		return "", w.unsafe(path, last, LinkOwner, &st)
	}
	if w.links++; w.links > MaxLinks {
		return "", &os.PathError{Op: "open", Path: w.path, Err: unix.ELOOP}
	}
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dir, name, buf)
	if err != nil {
		return "", &os.PathError{Op: "readlink", Path: path, Err: err}
	}
	if n == 0 || n == len(buf) {
		return "", &os.PathError{Op: "readlink", Path: path, Err: unix.ENAMETOOLONG}
	}
	return string(buf[:n]), nil
}

// mkdir makes name in dir (which has passed its check) with the mode of
// Options.Create. A name made meanwhile by someone else is no error: it is
// opened and checked as any other.
func (w *walker) mkdir(dir int, name string) error {
	mode := uint32(w.opts.Create.Perm())
	err := unix.Mkdirat(dir, name, mode)
	if errors.Is(err, unix.EEXIST) {
		return nil
	}
	if err != nil {
		return &os.PathError{Op: "mkdir", Path: w.realPath(name), Err: err}
	}
	if !w.opts.ExactMode {
		return nil
	}
	// Read only, not dirFlags: fchmod takes no O_PATH descriptor.
	fd, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: w.realPath(name), Err: err}
	}
	defer closeFD(fd)
	if err := unix.Fchmod(fd, mode); err != nil { // the umask may have taken some away
		return &os.PathError{Op: "chmod", Path: w.realPath(name), Err: err}
	}
	return nil
}

// unsafe returns the UnsafeError of dir for p.
func (w *walker) unsafe(dir string, last bool, p Problem, st *unix.Stat_t) error {
	return &UnsafeError{
		Path: w.path, Dir: dir, Final: last, Problem: p, UID: w.opts.UID,
		Owner: int(st.Uid), Group: int(st.Gid), Mode: bits(st),
	}
}

// closeFD closes a descriptor no longer needed; it was only read.
func closeFD(fd int) {
	_ = unix.Close(fd) // a directory opened read-only: nothing to lose
}
