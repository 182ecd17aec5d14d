package overseer

import (
	"net"
)

// notifySocket is a run's end of the sd_notify protocol (see Cmd.Notify).
type notifySocket struct {
	conn  *net.UnixConn
	name  string        // NOTIFY_SOCKET: "@" for the abstract namespace
	ready chan struct{} // closed at the first READY=1
	done  chan struct{} // closed when the reading goroutine has returned
}
