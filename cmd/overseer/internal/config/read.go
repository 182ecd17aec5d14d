package config

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxFileBytes is the most a file that Load reads (the Procfile or YAML
// file, an env file) may hold: 4 MiB, far more than any real one, and little
// enough that a mistaken or hostile file costs little time and memory.
const MaxFileBytes = 4 << 20

// ErrTooLarge is the error (errors.Is) for a file over MaxFileBytes.
var ErrTooLarge = errors.New("config: file over the size limit")

// readFile reads the file path, if it holds at most MaxFileBytes: it never
// reads more than one byte past that, whatever the file says its size is
// (a FIFO, a file that grows, /dev/zero).
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close() // read only: its Close can lose nothing
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, &Error{File: path, Err: fmt.Errorf("%w of %d MiB", ErrTooLarge, MaxFileBytes>>20)}
	}
	return data, nil
}
