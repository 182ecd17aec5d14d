package sdnotify

import (
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// open opens a socket and a connection to it, closed at the end of the
// test unless Finish has closed the socket.
func open(t *testing.T) (*Socket, *net.UnixConn) {
	t.Helper()
	s, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Name(), "@") || s.Env() != "NOTIFY_SOCKET="+s.Name() {
		t.Fatalf("Name %q, Env %q: want an abstract name", s.Name(), s.Env())
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: s.Name(), Net: "unixgram"})
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); s.Close() })
	return s, conn
}

// serve starts Serve, sending what it gets to a channel, and returns that
// channel and one Serve's expired function sends to.
func serve(s *Socket) (msgs chan Message, expired chan struct{}) {
	msgs, expired = make(chan Message, 16), make(chan struct{}, 16)
	go s.Serve(func(m Message) { msgs <- m }, func() {
		select { // until the deadline moves Serve calls it again at once
		case expired <- struct{}{}:
		default:
		}
	})
	return msgs, expired
}

func receive(t *testing.T, msgs <-chan Message) Message {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-time.After(testbuild.WaitTimeout):
		t.Fatal("no message")
		return Message{}
	}
}

// A message comes with its sender's pid, from the kernel.
func TestServeSender(t *testing.T) {
	s, conn := open(t)
	msgs, _ := serve(s)
	if _, err := conn.Write([]byte("READY=1\nSTATUS=up")); err != nil {
		t.Fatal(err)
	}
	want := Message{Sender: os.Getpid(), Ready: true, HasStatus: true, Status: "up"}
	if m := receive(t, msgs); m != want {
		t.Errorf("got %+v, want %+v", m, want)
	}
	if err := s.Finish(); err != nil {
		t.Errorf("Finish: %v", err)
	}
}

// Finish ends Serve only once every message sent before it is handled.
func TestFinishDrains(t *testing.T) {
	s, conn := open(t)
	msgs := make(chan Message, 16)
	started := make(chan struct{})
	// The first message holds Serve up until all are sent and Finish
	// has begun, so the rest are read by the drain.
	release := make(chan struct{})
	go s.Serve(func(m Message) {
		msgs <- m
		if m.Status == "0" {
			close(started)
			<-release
		}
	}, func() {})
	for _, status := range []string{"0", "1", "2", "3"} {
		if _, err := conn.Write([]byte("STATUS=" + status)); err != nil {
			t.Fatal(err)
		}
	}
	<-started
	finished := make(chan error)
	go func() { finished <- s.Finish() }()
	testbuild.Eventually(t, s.finishing, "Finish has not begun")
	close(release)
	if err := <-finished; err != nil {
		t.Errorf("Finish: %v", err)
	}
	close(msgs)
	var got []string
	for m := range msgs {
		got = append(got, m.Status)
	}
	if strings.Join(got, ",") != "0,1,2,3" {
		t.Errorf("handled %v, want 0,1,2,3", got)
	}
	if err := s.SetReadDeadline(time.Now()); err != nil {
		t.Errorf("SetReadDeadline after Finish: %v, want nil", err)
	}
}

// The read deadline makes Serve call expired, and a message still comes
// after it.
func TestServeDeadline(t *testing.T) {
	s, conn := open(t)
	msgs, expired := serve(s)
	if err := s.SetReadDeadline(time.Now()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-expired:
	case <-time.After(testbuild.WaitTimeout):
		t.Fatal("expired was not called")
	}
	if err := s.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("WATCHDOG=1")); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, msgs); !m.Ping {
		t.Errorf("got %+v, want a ping", m)
	}
	if err := s.Finish(); err != nil {
		t.Errorf("Finish: %v", err)
	}
}

// A message too long for the buffer is dropped (Sender 0), and fds sent
// with a message are closed.
func TestServeTruncatedAndFds(t *testing.T) {
	s, conn := open(t)
	msgs, _ := serve(s)
	long := "STATUS=" + strings.Repeat("x", MaxMessage)
	if _, err := conn.Write([]byte(long)); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, msgs); m != (Message{}) {
		t.Errorf("a message cut short: got %+v, want Sender 0 and nothing", m)
	}

	before := openFds(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	raw, err := conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	err = raw.Write(func(fd uintptr) bool {
		serr = syscall.Sendmsg(int(fd), []byte("FDSTORE=1"), syscall.UnixRights(int(r.Fd())), nil, 0)
		return true
	})
	if err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	if m := receive(t, msgs); m.Sender != os.Getpid() {
		t.Errorf("got %+v, want a message of this process", m)
	}
	if after := openFds(t); after != before+2 { // the pipe's two ends
		t.Errorf("%d fds open before, %d after: the fd received is kept", before, after)
	}
	if err := s.Finish(); err != nil {
		t.Errorf("Finish: %v", err)
	}
}

// openFds counts the fds of this process.
func openFds(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestInGroup(t *testing.T) {
	if !InGroup(os.Getpid(), syscall.Getpgrp()) {
		t.Error("this process is not in its own process group")
	}
	if InGroup(os.Getpid(), syscall.Getpgrp()+1) {
		t.Error("this process is in another process group")
	}
	if err := Supported(); err != nil {
		t.Errorf("Supported: %v", err)
	}
	if (*Socket)(nil).Close() != nil {
		t.Error("Close of nil")
	}
}
