//go:build unix && !linux

package safepath

import "golang.org/x/sys/unix"

// dirFlags open a directory on the way: never through a link, never
// inherited by a child. Without O_PATH, a directory the caller may search
// but not read (mode 0711) cannot be walked through.
const dirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
