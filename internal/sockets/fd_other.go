//go:build !unix

package sockets

import "errors"

// supported returns errors.ErrUnsupported: a listening socket is handed to
// a child as an inherited fd, which only Unix systems have.
func supported() error { return errors.ErrUnsupported }

func fileID(string) (dev, ino uint64, err error) { return 0, 0, errors.ErrUnsupported }

func dupCloexec(uintptr) (int, error) { return -1, errors.ErrUnsupported }
