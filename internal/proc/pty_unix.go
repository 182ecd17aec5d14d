//go:build unix

package proc

import (
	"os"

	"github.com/creack/pty"
)

// OpenPTY makes a pseudo-terminal: its master for the pump, its slave for
// the child.
func OpenPTY() (reads, ends []*os.File, err error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	// Wide, so that tools which fit their output to the terminal cut few
	// lines.
	if err := pty.Setsize(master, &pty.Winsize{Rows: 40, Cols: 160}); err != nil {
		CloseAll(master, slave)
		return nil, nil, err
	}
	return []*os.File{master}, []*os.File{slave}, nil
}
