package notify_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/notify"
)

// The Overseer takes a message only from a process of the run, known by
// the pid the kernel attaches to it (SO_PASSCRED): a datagram sent by
// notify must carry this process's pid.
func TestSendCredentials(t *testing.T) {
	s := listen(t, filepath.Join(t.TempDir(), "notify.sock"))
	raw, err := s.conn.SyscallConn()
	require.NoError(t, err)
	require.NoError(t, raw.Control(func(fd uintptr) {
		err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1)
	}))
	require.NoError(t, err)

	require.NoError(t, notify.Ready())
	require.NoError(t, s.conn.SetReadDeadline(time.Now().Add(timeout)))
	buf, oob := make([]byte, 64), make([]byte, syscall.CmsgSpace(syscall.SizeofUcred))
	n, oobn, _, _, err := s.conn.ReadMsgUnix(buf, oob)
	require.NoError(t, err)
	assert.Equal(t, "READY=1", string(buf[:n]))
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	cred, err := syscall.ParseUnixCredentials(&msgs[0])
	require.NoError(t, err)
	assert.Equal(t, int32(os.Getpid()), cred.Pid)
}
