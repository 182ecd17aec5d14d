//go:build unix

package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/overseer-go/overseer"
)

// Timeouts of a connection.
const (
	requestTimeout      = 10 * time.Second // to send the request line
	writeTimeout        = time.Minute      // for each answer line to be taken
	defaultMaxConn      = 64
	defaultMaxFollowers = 64
)

// Server is a control socket serving the processes of an Overseer.
// Configure it through its fields, then call Listen and Serve.
type Server struct {
	// Path is the socket's path. "" means DefaultPath, whose directory is
	// made with mode 0700 if missing, and refused unless it is a directory
	// of the effective uid with mode 0700. A path given explicitly must fit
	// in a unix socket address (107 bytes); the directories of it that are
	// missing are made, with mode 0700, and its directory must be writable
	// by its owner only, that owner being the effective uid or root. Either
	// way the directories above must be safe too, as ErrUnsafe says (the
	// error of a refused path), a stale socket (its server gone) is
	// replaced, and a live one is an error.
	Path string
	// MaxConns bounds the requests served at once, from their connection
	// until their answer; more are answered with an error. Those that
	// follow logs ("logs -f") are counted apart, once their request is
	// read, so that they never keep a stop or a status out. Zero means 64.
	MaxConns int
	// MaxFollowers bounds the clients following logs at once; one more is
	// answered with an error. Zero means 64.
	MaxFollowers int
	// File is the file the server runs (an absolute path), told to status
	// requests, so that "overseer start" can tell whether the server runs
	// the file of the directory it is called in. "" tells nothing.
	File string
	// Logger, when set, records the requests that failed, at Warn, with
	// the attributes op, id and err (a refused client, a bad request, an
	// upgrade whose new run did not start, …), and those that changed a
	// process (start, stop, restart, upgrade, signal), at Info, with op,
	// id and what became of the process's pid. Nil means none.
	Logger *slog.Logger

	uid    int    // the uid clients must run as
	uidSet bool   // uid was set (by tests); else the effective uid
	place  *place // where the default path is (set by tests); nil: here()

	ln   *net.UnixListener
	file fileID // the socket file made, removed at the end if still there
}

// Serve listens on the control socket at path ("" for DefaultPath) and
// answers requests about o until ctx is done, as Server.Serve.
func Serve(ctx context.Context, o *overseer.Overseer, path string) error {
	s := &Server{Path: path}
	if err := s.Listen(); err != nil {
		return err
	}
	return s.Serve(ctx, o)
}

// Listen checks the socket's path and directory and listens there, so that
// a host can report a bad path before it starts anything. Path is set to
// the path used.
func (s *Server) Listen() error {
	p := here()
	if s.place != nil {
		p = *s.place
	}
	if !s.uidSet {
		s.uid, s.uidSet = p.uid, true
	}
	path := s.Path
	if path == "" {
		path = p.defaultPath()
		if err := checkLength(path); err != nil {
			return fmt.Errorf("overseer: control: %w; give a shorter one with -socket", err)
		}
		if err := prepareDefaultDir(path, p.uid); err != nil {
			return err
		}
	} else {
		if err := checkLength(path); err != nil {
			return fmt.Errorf("overseer: control: %w", err)
		}
		if err := checkExplicitDir(path, p.uid, true); err != nil {
			return err
		}
	}
	ln, id, err := listenUnix(path, p.uid)
	if err != nil {
		return fmt.Errorf("overseer: control: %w", err)
	}
	s.Path, s.ln, s.file = path, ln, id
	return nil
}

// Serve answers requests about o until ctx is done; then it closes the
// socket and every connection, waits for the connections' goroutines
// (an operation in progress, such as a Stop, is waited for; a start that
// waits for its run to be ready stops waiting), removes the
// socket file if it is still the one Listen made, and returns nil. It
// returns an error if accepting fails otherwise.
func (s *Server) Serve(ctx context.Context, o *overseer.Overseer) error {
	if s.ln == nil {
		return errors.New("overseer: control: Serve before Listen")
	}
	defer removeIfOurs(s.Path, s.file)
	maxConns := s.MaxConns
	if maxConns <= 0 {
		maxConns = defaultMaxConn
	}
	maxFollowers := s.MaxFollowers
	if maxFollowers <= 0 {
		maxFollowers = defaultMaxFollowers
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	conns := newSlots(maxConns, maxFollowers)
	defer wg.Wait()
	defer conns.closeAll()
	defer cancel()
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		_ = s.ln.Close()
	}()
	for {
		conn, err := s.ln.AcceptUnix()
		if err != nil {
			if ctx.Err() != nil { // closed by the goroutine above
				return nil
			}
			if transient(err) { // out of fds, say: wait a little, as net/http does
				select {
				case <-time.After(50 * time.Millisecond):
				case <-ctx.Done():
					return nil
				}
				continue
			}
			return fmt.Errorf("overseer: control: %w", err)
		}
		if !conns.add(conn) {
			err := errors.New("overseer: control: too many connections")
			s.record(Request{}, Response{}, err)
			refuse(conn, err.Error())
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				conns.remove(conn)
				_ = conn.Close()
			}()
			s.handle(ctx, o, conn, conns)
		}()
	}
}

// transient reports an error of accept that goes away by itself.
func transient(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EINTR) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM)
}

// refuse answers conn with an error and closes it.
func refuse(conn *net.UnixConn, msg string) {
	_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
	_ = json.NewEncoder(conn).Encode(Response{Error: msg})
	_ = conn.Close()
}

// handle serves the one request of conn.
func (s *Server) handle(ctx context.Context, o *overseer.Overseer, conn *net.UnixConn, conns *slots) {
	w := &answer{conn: conn, enc: json.NewEncoder(conn)}
	fail := func(req Request, err error) {
		s.record(req, Response{}, err) // before the answer, so that it is logged when the client has it
		w.fail(err)
	}
	uid, err := peerUID(conn)
	if err != nil {
		fail(Request{}, fmt.Errorf("overseer: control: who is calling: %w", err))
		return
	}
	if uid != s.uid {
		fail(Request{}, fmt.Errorf("overseer: control: uid %d may not use this server, which serves uid %d only", uid, s.uid))
		return
	}
	_ = conn.SetReadDeadline(time.Now().Add(requestTimeout))
	sc := bufio.NewScanner(conn)
	sc.Buffer(make([]byte, 0, 4096), maxRequest)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			fail(Request{}, fmt.Errorf("overseer: control: reading the request: %w", err))
		}
		return // the client went without asking: nothing to say
	}
	_ = conn.SetReadDeadline(time.Time{})
	var req Request
	if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
		fail(Request{}, fmt.Errorf("overseer: control: bad request: %w", err))
		return
	}
	if req.Op == OpLogs {
		lr, err := checkLogs(o, req)
		if err != nil {
			fail(req, err)
			return
		}
		if req.Follow && !conns.follow(conn) {
			fail(req, fmt.Errorf("overseer: control: too many clients following logs (%d): end one (\"logs -f\") and try again", conns.maxFollowers))
			return
		}
		logs(ctx, o, conn, w, lr)
		return
	}
	resp, err := operate(ctx, o, req)
	if err != nil {
		fail(req, err)
		return
	}
	if req.Op == OpStatus {
		resp.File = s.File
	}
	s.record(req, resp, nil)
	_ = w.send(resp) // a client gone meanwhile has nothing to be told
}

// record logs the outcome of req to s.Logger, if any: a failure (err) at
// Warn, a change of a process at Info.
func (s *Server) record(req Request, resp Response, err error) {
	if s.Logger == nil {
		return
	}
	if err != nil {
		s.Logger.Warn("overseer: control: request failed", "op", req.Op, "id", req.ID, "err", err)
		return
	}
	attrs := []any{"op", req.Op, "id", req.ID}
	before, after := resp.Before, resp.Process
	switch {
	case before == nil || after == nil:
		return // status: nothing changed
	case req.Op == OpStart:
		attrs = append(attrs, "pid", after.PID, "state", after.State)
	case req.Op == OpStop:
		attrs = append(attrs, "pid", before.PID, "was", before.State, "state", after.State)
	case req.Op == OpRestart:
		attrs = append(attrs, "old_pid", before.PID, "pid", after.PID, "state", after.State)
	case req.Op == OpUpgrade:
		attrs = append(attrs, "old_pid", before.PID, "pid", after.PID, "state", after.State, "cmd", after.Cmd)
	case req.Op == OpSignal && resp.Sent != nil:
		attrs = append(attrs, "signal", resp.Sent.Signal, "group", resp.Sent.Group, "pid", resp.Sent.PID)
	}
	s.Logger.Info("overseer: control: request done", attrs...)
}

// answer writes JSON lines to a connection, each within writeTimeout.
type answer struct {
	conn *net.UnixConn
	enc  *json.Encoder
}

func (a *answer) send(v any) error {
	_ = a.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	return a.enc.Encode(v)
}

// write writes b, whole JSON lines, in one write.
func (a *answer) write(b []byte) error {
	// A deadline on a live connection can only fail once it is closed,
	// which the Write reports.
	_ = a.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := a.conn.Write(b)
	return err
}

func (a *answer) fail(err error) { _ = a.send(Response{Error: err.Error()}) }
