package safepath

import "golang.org/x/sys/unix"

// dirFlags open a directory on the way: never through a link, never
// inherited by a child, and with O_PATH, so that a directory the caller may
// search but not read (mode 0711) can be walked through; fstat, openat,
// readlinkat, mkdirat, renameat and unlinkat all take such a descriptor.
const dirFlags = unix.O_PATH | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
