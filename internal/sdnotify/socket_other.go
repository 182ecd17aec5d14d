//go:build !unix

package sdnotify

import "errors"

// Supported returns errors.ErrUnsupported: notification sockets are a Unix
// (indeed a Linux) facility.
func Supported() error { return errors.ErrUnsupported }

// Open returns errors.ErrUnsupported.
func Open() (*Socket, error) { return nil, errors.ErrUnsupported }

func (s *Socket) receive([]byte, []byte) (int, []byte, error) {
	return 0, nil, errors.ErrUnsupported
}

func (s *Socket) receiveNow([]byte, []byte) (int, []byte, error) {
	return 0, nil, errors.ErrUnsupported
}

// InGroup reports false: there is no notification socket to ask it for.
func InGroup(int, int) bool { return false }

const oobSize = 0
