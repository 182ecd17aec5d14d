//go:build unix

package main

import (
	"io"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The dashboard's share of the open files.
const (
	// minConns and maxConns bound the dashboard's connections, a quarter
	// of the open files the command may have: the rest is left to the
	// processes it supervises (pipes, pidfds, lifelines, sockets), which a
	// flood of clients must never starve.
	minConns = 16
	maxConns = 1024
	// maxRefusing bounds the connections being refused at once; past it a
	// connection is closed without an answer.
	maxRefusing = 16
	// refuseTimeout bounds the time a refused connection is kept: to send
	// the 503, and to read what the client sent, so that closing does not
	// reset the connection before it has read the answer.
	refuseTimeout = time.Second
)

// refusalBody is the body of the answer to a connection past the limit.
const refusalBody = "overseer: dashboard: too many connections, try again later\n"

// connLimit returns how many connections the dashboard may hold: a quarter
// of the soft limit of open files, within [minConns, maxConns]. The Go
// runtime has raised the soft limit to the hard one at start (Linux, the
// BSDs, macOS; children get the original back).
func connLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return minConns
	}
	return int(min(max(rl.Cur/4, minConns), maxConns))
}

// limitListener accepts at most cap(open) connections at once. Past that,
// a connection is answered 503 and closed, in a goroutine of the listener
// that ends within refuseTimeout; Close waits for them.
type limitListener struct {
	net.Listener
	open     chan struct{} // a token per connection accepted and not closed
	refusing chan struct{} // a token per connection being refused

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup // the refusing goroutines
}

// limitListen returns ln accepting at most most connections at once.
func limitListen(ln net.Listener, most int) *limitListener {
	return &limitListener{Listener: ln, open: make(chan struct{}, most), refusing: make(chan struct{}, maxRefusing)}
}

// Accept returns the next connection within the limit, refusing those
// past it.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.open <- struct{}{}:
			return &limitConn{Conn: c, release: func() { <-l.open }}, nil
		default:
			l.refuse(c)
		}
	}
}

// refuse answers c 503 and closes it, in a goroutine.
func (l *limitListener) refuse(c net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case l.refusing <- struct{}{}:
	default:
		_ = c.Close() // too many at once: no answer, nothing to report
		return
	}
	if l.closed {
		<-l.refusing
		_ = c.Close() // the listener is closed: nothing to report
		return
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer func() { <-l.refusing }()
		refuse(c)
	}()
}

// refuse sends the refusal to c, reads what the client sends until it
// closes (or refuseTimeout), and closes c. Errors end it early: the client
// is gone.
func refuse(c net.Conn) {
	defer c.Close() //nolint:errcheck // the answer is sent or not: nothing to report
	if c.SetDeadline(time.Now().Add(refuseTimeout)) != nil {
		return
	}
	answer := "HTTP/1.1 503 Service Unavailable\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Length: " + strconv.Itoa(len(refusalBody)) + "\r\n" +
		"Retry-After: 10\r\n" +
		"Connection: close\r\n\r\n" + refusalBody
	if _, err := io.WriteString(c, answer); err != nil {
		return
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok && cw.CloseWrite() != nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(c, 64<<10)) // until EOF, the deadline or enough
}

// Close closes the listener and waits for the connections being refused.
func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.wg.Wait()
	return err
}

// limitConn gives its token back when closed.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
