//go:build unix

package logfile

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// backup is the name of the n-th rotated file (1 is the newest).
func (lf *File) backup(n int) string {
	return fmt.Sprintf("%s.%d", lf.base, n)
}

// rotate moves the file to NAME.1, the older backups one further, and
// opens a new file. lf.mu is held.
func (lf *File) rotate() error {
	lf.waitCompression() // NAME.1 is NAME.1.gz, or left as it is on a failure
	var old unix.Stat_t
	if err := unix.Fstat(int(lf.f.Fd()), &old); err != nil {
		return err
	}
	if err := lf.shift(); err != nil {
		return err
	}
	var err error
	if lf.opts.Backups > 0 {
		err = unix.Renameat(lf.dir, lf.base, lf.dir, lf.backup(1))
	} else {
		err = unix.Unlinkat(lf.dir, lf.base, 0)
	}
	if err != nil {
		return err
	}
	f, err := lf.create(lf.base, &old)
	if err != nil {
		return err
	}
	if err := lf.f.Close(); err != nil {
		lf.errs = append(lf.errs, fmt.Errorf("%s: closing the rotated file: %w", lf.path, err))
	}
	lf.f, lf.size = f, 0
	if lf.opts.Compress && lf.opts.Backups > 0 {
		lf.startCompression(lf.backup(1))
	}
	return nil
}

// shift removes the oldest backup and renames each other one, compressed
// or not, a number further. Renaming or removing a name never follows a
// link that stands there: the link itself moves or goes.
func (lf *File) shift() error {
	for n := lf.opts.Backups; n >= 1; n-- {
		for _, ext := range []string{"", ".gz"} {
			from := lf.backup(n) + ext
			var err error
			if n == lf.opts.Backups {
				err = unix.Unlinkat(lf.dir, from, 0)
			} else {
				err = unix.Renameat(lf.dir, from, lf.dir, lf.backup(n+1)+ext)
			}
			if err != nil && !errors.Is(err, unix.ENOENT) {
				return fmt.Errorf("%s: %w", from, err)
			}
		}
	}
	return nil
}

// create creates name in the directory, which must not exist (O_EXCL: not
// even as a link), with the mode and, for root, the owner of like.
func (lf *File) create(name string, like *unix.Stat_t) (*os.File, error) {
	mode := uint32(like.Mode) & 0o777
	fd, err := unix.Openat(lf.dir, name, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
	if err != nil {
		return nil, &os.PathError{Op: "create", Path: name, Err: err}
	}
	// Through the descriptor: the umask may have taken bits away, and a
	// file of another user (rotated by root) stays theirs.
	if err := unix.Fchmod(fd, mode); err != nil {
		closeFD(fd)
		return nil, &os.PathError{Op: "chmod", Path: name, Err: err}
	}
	if os.Geteuid() == 0 {
		if err := unix.Fchown(fd, int(like.Uid), int(like.Gid)); err != nil {
			closeFD(fd)
			return nil, &os.PathError{Op: "chown", Path: name, Err: err}
		}
	}
	return os.NewFile(uintptr(fd), name), nil
}
