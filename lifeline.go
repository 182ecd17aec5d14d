//go:build unix

package overseer

import (
	"fmt"
	"os"
)

// lifelineFile returns the read end of the lifeline: a pipe whose write end
// the host holds until it dies, so that a child can learn of the host's end
// by waiting for end of file on it. Every child shares it; nothing is ever
// written to it.
func (h *host) lifelineFile() (*os.File, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lifeline == nil {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, fmt.Errorf("overseer: lifeline: %w", err)
		}
		h.lifeline, h.keep = r, w
	}
	return h.lifeline, nil
}
