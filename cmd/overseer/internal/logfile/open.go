package logfile

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// openDir opens the directory name and checks, on what it opened, that no
// other user can write to it.
func openDir(name string) (int, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: name, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		closeFD(fd)
		return -1, &os.PathError{Op: "stat", Path: name, Err: err}
	}
	if err := secure(&st, os.Geteuid()); err != nil {
		closeFD(fd)
		return -1, fmt.Errorf("directory %s %v: %w", name, err, ErrInsecureDir)
	}
	return fd, nil
}

// secure returns why a directory of st is open to users other than euid
// and root, or nil: logrotate's rule for parent directories.
func secure(st *unix.Stat_t, euid int) error {
	mode := uint32(st.Mode)
	switch {
	case int(st.Uid) != euid && st.Uid != 0:
		return fmt.Errorf("is owned by uid %d", st.Uid)
	case mode&unix.S_IWOTH != 0:
		return fmt.Errorf("is writable by others (mode %#o)", mode&0o7777)
	case mode&unix.S_IWGRP != 0 && st.Gid != 0:
		return fmt.Errorf("is writable by group %d (mode %#o)", st.Gid, mode&0o7777)
	}
	return nil
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
