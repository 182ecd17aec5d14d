//go:build unix

package sockets

import "syscall"

// supported reports whether sockets can be handed to a child: nil on Unix.
func supported() error { return nil }

// fileID returns the device and inode of the file at path, by which Close
// tells the socket file it made from one put in its place since.
func fileID(path string) (dev, ino uint64, err error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, 0, err
	}
	return uint64(st.Dev), uint64(st.Ino), nil
}

// dupCloexec duplicates fd, with close-on-exec set on the copy. The read
// lock of syscall.ForkLock keeps a fork from coming between the two, as
// the syscall package asks of whoever makes fds.
func dupCloexec(fd uintptr) (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	nfd, err := syscall.Dup(int(fd))
	if err != nil {
		return -1, err
	}
	syscall.CloseOnExec(nfd)
	return nfd, nil
}
