//go:build unix && !linux

package proc

import "os"

// Executable is the file the guardian runs: the host's executable, by the
// path it was started from.
func Executable() (string, error) { return os.Executable() }
