//go:build unix

// Package logfile writes a process's output to a file that it rotates
// itself, without ever following a symbolic link: the overseer command may
// run as root, and a log file in a directory that another user can change
// must not become a way to append to, truncate or chown a file of root's.
//
// Open refuses a directory that another user could write to, with the rule
// of logrotate for insecure parent directories: the directory must be owned
// by the caller (the effective user) or by root, and not be writable by
// others, nor by its group unless that group is root's. A sticky directory
// such as /tmp is refused too. The directory is reached name by name from
// "/" (package safepath), never through a link that another user could have
// made: every directory on the way, those links lead through included, must
// belong to the caller or root and be writable by its owner only, unless it
// is sticky (OpenSSH's rule), and a link in a sticky directory is followed
// only if it is the caller's or root's. The directory is then held open,
// and every name in it is opened, renamed and removed relative to it
// (openat, renameat, unlinkat): a directory renamed or replaced by a link
// after Open changes nothing. The log file is opened with O_NOFOLLOW, and
// must be a regular file.
//
// Rotation: when a write would take the file past Options.MaxBytes, the
// file is renamed NAME.1 and a new one is created; NAME.1 becomes NAME.2,
// and so on, up to Options.Backups files, the oldest removed. With
// Options.Compress, NAME.1 is then compressed into NAME.1.gz in the
// background (through NAME.1.gz.tmp). A new file is created with mode 0640
// (less the umask); a file created by a rotation gets the mode, and, when
// the caller is root, the owner of the file it replaces, set through its
// descriptor.
package logfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// DefaultMode is the mode of a log file that Open creates, before the
// umask: the owner writes, the group (adm, say) may read.
const DefaultMode os.FileMode = 0o640

// ErrInsecureDir is the error (errors.Is) of Open for a directory, or a
// directory above it, that another user can write to, or for a link on
// the way that another user made.
var ErrInsecureDir = errors.New("logfile: a log directory must be writable by its owner only, the caller or root")

// ErrNotRegular is the error (errors.Is) of Open for a log file that is a
// symbolic link, a FIFO, a device or a directory.
var ErrNotRegular = errors.New("logfile: not a regular file")

// Options say when a File rotates and what it keeps. The zero Options
// never rotate.
type Options struct {
	// MaxBytes is the size a write may not take the file past: the file is
	// rotated first (unless it is empty). 0 means no limit.
	MaxBytes int64
	// Backups is how many rotated files are kept, NAME.1 (the newest) to
	// NAME.Backups. 0 keeps none: a rotation empties the file.
	Backups int
	// Compress compresses each rotated file with gzip, as NAME.N.gz.
	Compress bool
}

// File is a log file open for appending. Its methods may be called from
// several goroutines.
type File struct {
	path string // as given to Open, for errors
	base string // its name in dir
	dir  int    // the directory, held open: dirFile's descriptor
	opts Options

	dirFile *os.File

	mu       sync.Mutex
	f        *os.File // nil once closed
	size     int64
	compress *compression // running, or nil
	errs     []error      // of compressions that failed, told by Close
}

// Open makes the directory of path and those above it if needed (0755,
// less the umask), each once the one it is made in has passed its check,
// checks that no other user can write to it or to one on the way, and opens path in it for appending, creating it
// with DefaultMode. A leftover NAME.1 that a compression did not finish is
// compressed (Options.Compress).
func Open(path string, opts Options) (*File, error) {
	dirName, base := filepath.Dir(path), filepath.Base(path)
	if base == "." || base == ".." || base == string(filepath.Separator) {
		return nil, fmt.Errorf("%s: not a file name", path)
	}
	dir, err := openDir(dirName)
	if err != nil {
		return nil, err
	}
	f, st, err := openAppend(int(dir.Fd()), base, path)
	if err != nil {
		_ = dir.Close() // read only; the error that led here is the one told
		return nil, err
	}
	lf := &File{path: path, base: base, dir: int(dir.Fd()), dirFile: dir, opts: opts, f: f, size: st.Size}
	if opts.Compress && opts.Backups > 0 {
		lf.recover()
	}
	return lf, nil
}

// Write appends p, after rotating the file if p would take it past
// MaxBytes.
func (lf *File) Write(p []byte) (int, error) {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.f == nil {
		return 0, fmt.Errorf("%s: %w", lf.path, os.ErrClosed)
	}
	if max := lf.opts.MaxBytes; max > 0 && lf.size > 0 && lf.size+int64(len(p)) > max {
		if err := lf.rotate(); err != nil {
			return 0, fmt.Errorf("%s: rotating: %w", lf.path, err)
		}
	}
	n, err := lf.f.Write(p)
	lf.size += int64(n)
	return n, err
}

// Close waits for a compression under way, then closes the file. Its
// error joins those of the compressions that failed.
func (lf *File) Close() error {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.f == nil {
		return nil
	}
	lf.waitCompression()
	errs := append(lf.errs, lf.f.Close())
	lf.f, lf.errs = nil, nil
	if err := lf.dirFile.Close(); err != nil {
		errs = append(errs, fmt.Errorf("%s: closing its directory: %w", lf.path, err))
	}
	return errors.Join(errs...)
}

// closeFD closes a descriptor on a path of failure, whose error is the one
// reported.
func closeFD(fd int) {
	_ = unix.Close(fd) // the error that led here is the one told
}
