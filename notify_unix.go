//go:build unix && !linux

package overseer

import (
	"errors"
	"fmt"
)

func notifySupported() error {
	return fmt.Errorf("notification sockets need Linux (SO_PASSCRED): %w", errors.ErrUnsupported)
}

func openNotifySocket() (*notifySocket, error) { return nil, notifySupported() }

func (n *notifySocket) receive(buf, oob []byte) (int, []byte, error) {
	return 0, nil, notifySupported()
}

func (n *notifySocket) receiveNow(buf, oob []byte) (int, []byte, error) {
	return 0, nil, notifySupported()
}

func inGroup(pid, pgid int) bool { return false }

var oobSize = 0
