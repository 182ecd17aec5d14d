//go:build unix && !linux

package proc

import "os"

// executable is the file the guardian runs: the host's executable, by the
// path it was started from.
func executable() (string, error) { return os.Executable() }
