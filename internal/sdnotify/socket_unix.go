//go:build unix && !linux

package sdnotify

import (
	"errors"
	"fmt"
)

// Supported reports whether notification sockets work here: they need
// Linux's SO_PASSCRED, so it returns an error wrapping
// errors.ErrUnsupported.
func Supported() error {
	return fmt.Errorf("notification sockets need Linux (SO_PASSCRED): %w", errors.ErrUnsupported)
}

// Open returns the error of Supported.
func Open() (*Socket, error) { return nil, Supported() }

func (s *Socket) receive(buf, oob []byte) (int, []byte, error) { return 0, nil, Supported() }

func (s *Socket) receiveNow(buf, oob []byte) (int, []byte, error) { return 0, nil, Supported() }

// InGroup reports false: there is no notification socket to ask it for.
func InGroup(pid, pgid int) bool { return false }

const oobSize = 0
