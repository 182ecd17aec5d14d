package sdnotify

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// Supported reports whether notification sockets work here: nil on Linux.
func Supported() error { return nil }

// Open makes a run's notification socket: a unix datagram socket in the
// abstract namespace (no file to clean up, nothing left behind by a
// crash), with SO_PASSCRED on so that every message carries its sender's
// pid, checked by the kernel.
func Open() (*Socket, error) {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	name := "@overseer-notify-" + hex.EncodeToString(b[:])
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("notification socket: %w", err)
	}
	raw, err := conn.SyscallConn()
	if err == nil {
		cerr := raw.Control(func(fd uintptr) {
			err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PASSCRED, 1)
		})
		if cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		_ = conn.Close() // the error that matters is err
		return nil, fmt.Errorf("notification socket: %w", err)
	}
	return &Socket{conn: conn, name: name, done: make(chan struct{})}, nil
}

// receive reads one message and returns the pid of its sender; pid is 0
// for a message without credentials or cut short. File descriptors sent
// with it (FDSTORE=1) are closed: the supervisor keeps none.
func (s *Socket) receive(buf, oob []byte) (pid int, msg []byte, err error) {
	k, oobn, flags, _, err := s.conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return 0, nil, err
	}
	pid, msg = parseControl(buf[:k], oob[:oobn], flags)
	return pid, msg, nil
}

// receiveNow is receive without waiting: it returns EAGAIN when no message
// is left.
func (s *Socket) receiveNow(buf, oob []byte) (pid int, msg []byte, err error) {
	raw, err := s.conn.SyscallConn()
	if err != nil {
		return 0, nil, err
	}
	var k, oobn, flags int
	var rerr error
	err = raw.Read(func(fd uintptr) bool {
		k, oobn, flags, _, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_DONTWAIT)
		return true // never wait
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return 0, nil, err
	}
	pid, msg = parseControl(buf[:k], oob[:oobn], flags)
	return pid, msg, nil
}

// parseControl finds the sender's pid in a message's control data
// (SCM_CREDENTIALS) and closes the fds that came with it (SCM_RIGHTS). A
// message cut short (MSG_TRUNC, MSG_CTRUNC) or with control data that does
// not parse has pid 0 and is dropped.
func parseControl(msg, oob []byte, flags int) (pid int, _ []byte) {
	cmsgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0, nil
	}
	for _, m := range cmsgs {
		if fds, err := unix.ParseUnixRights(&m); err == nil {
			for _, fd := range fds {
				_ = unix.Close(fd) // a fd of ours alone: nothing to report
			}
			continue
		}
		if cred, err := unix.ParseUnixCredentials(&m); err == nil {
			pid = int(cred.Pid)
		}
	}
	if flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 {
		return 0, nil
	}
	return pid, msg
}

// InGroup reports whether process pid is a member of process group pgid.
func InGroup(pid, pgid int) bool {
	g, err := unix.Getpgid(pid)
	return err == nil && g == pgid
}

// oobSize holds one message's credentials and a few fds.
var oobSize = unix.CmsgSpace(unix.SizeofUcred) + unix.CmsgSpace(4*16)
