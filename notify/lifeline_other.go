//go:build !unix

package notify

import "os"

// openLifeline returns nil: the lifeline is an inherited pipe fd, which only
// Unix systems have.
func openLifeline() *os.File { return nil }
