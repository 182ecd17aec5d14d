//go:build unix

package logfile

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/overseer-go/overseer/cmd/overseer/internal/safepath"
)

// openDir makes the directory name if needed and opens it through
// safepath, which checks it with logrotate's rule and every directory on
// the way with OpenSSH's.
func openDir(name string) (*os.File, error) {
	dir, err := safepath.OpenDir(name, safepath.Options{UID: os.Geteuid(), Final: safepath.LogDir, Create: 0o755})
	var ue *safepath.UnsafeError
	if errors.As(err, &ue) {
		return nil, fmt.Errorf("%s: %w", insecure(ue), ErrInsecureDir)
	}
	return dir, err
}

// insecure says which directory or link of ue failed, and why: "directory
// D is owned by uid N", as logrotate says it.
func insecure(ue *safepath.UnsafeError) string {
	what := "directory " + ue.Dir
	if !ue.Final {
		what += " (on the way to " + ue.Path + ")"
	}
	switch ue.Problem {
	case safepath.Owner:
		return fmt.Sprintf("%s is owned by uid %d", what, ue.Owner)
	case safepath.Writable:
		if ue.Mode&unix.S_IWOTH != 0 {
			return fmt.Sprintf("%s is writable by others (mode %#o)", what, ue.Mode)
		}
		return fmt.Sprintf("%s is writable by group %d (mode %#o)", what, ue.Group, ue.Mode)
	case safepath.LinkOwner:
		return fmt.Sprintf("symbolic link %s (on the way to %s) is owned by uid %d, in a directory others can write to", ue.Dir, ue.Path, ue.Owner)
	}
	return ue.Error()
}

// openAppend opens name in dir for appending, creating it, without
// following a link, and checks that it is a regular file. path names it in
// errors.
func openAppend(dir int, name, path string) (*os.File, *unix.Stat_t, error) {
	// O_NONBLOCK: a FIFO without a reader is refused below rather than
	// waited for.
	fd, err := unix.Openat(dir, name, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, uint32(DefaultMode))
	switch {
	case errors.Is(err, unix.ELOOP):
		return nil, nil, fmt.Errorf("%s: %w: a symbolic link", path, ErrNotRegular)
	case errors.Is(err, unix.ENXIO) || errors.Is(err, unix.EISDIR):
		return nil, nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	case err != nil:
		return nil, nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return regular(fd, path)
}

// regular makes fd a file, if it is a regular one.
func regular(fd int, path string) (*os.File, *unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		closeFD(fd)
		return nil, nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if uint32(st.Mode)&unix.S_IFMT != unix.S_IFREG {
		closeFD(fd)
		return nil, nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		closeFD(fd)
		return nil, nil, &os.PathError{Op: "fcntl", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), &st, nil
}
