//go:build unix

package overseer

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// fileID returns the device and inode of the file at path, by which close
// tells the socket file it made from one put in its place since.
func fileID(path string) (dev, ino uint64, err error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, 0, err
	}
	return uint64(st.Dev), uint64(st.Ino), nil
}

// dupCloexec duplicates fd, with close-on-exec set on the copy.
func dupCloexec(fd uintptr) (int, error) {
	return unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
}
