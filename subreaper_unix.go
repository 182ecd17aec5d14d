//go:build unix && !linux

package overseer

import (
	"errors"
	"fmt"
)

// Child subreapers are a Linux facility.
func becomeSubreaper() error {
	return fmt.Errorf("overseer: WithSubreaper: %w", errors.ErrUnsupported)
}

func newRunToken() string { return "" }

func endDescendants(string, int) {}
