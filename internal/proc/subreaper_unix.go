//go:build unix && !linux

package proc

import (
	"errors"
	"fmt"
)

// BecomeSubreaper fails: child subreapers are a Linux facility.
func BecomeSubreaper() error {
	return fmt.Errorf("overseer: WithSubreaper: %w", errors.ErrUnsupported)
}

// newRunToken returns "": the mark is read through /proc, on Linux.
func newRunToken() string { return "" }

// EndDescendants does nothing: there is no subreaper here.
func EndDescendants(string, int) {}
