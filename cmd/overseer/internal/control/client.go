//go:build unix

package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"path/filepath"
)

// Client is a connection to a control socket, for one request.
type Client struct {
	conn net.Conn
	path string
}

// Dial connects to the control socket at path ("" for DefaultPath), once
// it has checked, before sending anything, that the socket is safe (its
// directories, then the server's peer credentials): else the error wraps
// ErrUnsafe, and the server was told nothing.
func Dial(path string) (*Client, error) {
	return dial(path, here())
}

// dial is Dial at p.
func dial(path string, p place) (*Client, error) {
	var err error
	if path == "" {
		path = p.defaultPath()
		err = checkDefaultDir(path, p.uid)
	} else {
		err = checkExplicitDir(path, p.uid, false)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("overseer: no server at %s: directory %s does not exist (is \"overseer serve\" running?)", path, filepath.Dir(path))
	}
	if err != nil {
		return nil, err
	}
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("overseer: no server at %s (is \"overseer serve\" running?): %w", path, err)
	}
	if err := checkServer(conn, path, p.uid); err != nil {
		_ = conn.Close() // refused: nothing was sent
		return nil, err
	}
	return &Client{conn: conn, path: path}, nil
}

// checkServer checks that the server at the other end of conn runs as uid
// or root, as the server checks its clients.
func checkServer(conn *net.UnixConn, path string, uid int) error {
	owner, err := peerUID(conn)
	if err != nil {
		return unsafeErr(path, "cannot tell which user runs the server there (%v): nothing was sent to it", err)
	}
	if owner != uid && owner != 0 {
		return unsafeErr(path, "the server there runs as uid %d, neither you (uid %d) nor root: it is not yours, and nothing was sent to it", owner, uid)
	}
	return nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

func (c *Client) send(req Request) error {
	if err := json.NewEncoder(c.conn).Encode(req); err != nil {
		return fmt.Errorf("overseer: sending to %s: %w", c.path, err)
	}
	return nil
}

// Do sends req (any operation but logs) and returns the answer. An error
// answer is returned as a *RemoteError.
func (c *Client) Do(req Request) (Response, error) {
	// A server that refuses the client answers before reading the
	// request: its answer is worth more than the error of sending.
	sendErr := c.send(req)
	var resp Response
	if err := json.NewDecoder(bufio.NewReader(c.conn)).Decode(&resp); err != nil {
		if sendErr != nil {
			return Response{}, sendErr
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Response{}, fmt.Errorf("overseer: reading the answer of %s: %w", c.path, err)
	}
	if !resp.OK {
		return resp, &RemoteError{Msg: resp.Error}
	}
	return resp, nil
}

// Logs sends req, a logs request, and calls fn with each batch of lines
// received (its Lines are fn's until it returns), until the end of the
// lines (nil: without Follow, the server said it had sent them all), fn
// returns an error (returned), ctx is done (ctx.Err(); the connection is
// closed, which tells a server that follows to stop), or the connection
// fails. An error answer is returned as a *RemoteError; a server that
// closes the connection first, as one that stops does with its followers,
// as an error that wraps ErrServerGone.
func (c *Client) Logs(ctx context.Context, req Request, fn func(LogBatch) error) error {
	stop := context.AfterFunc(ctx, func() { _ = c.conn.Close() })
	defer stop()
	err := c.logs(req, fn)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (c *Client) logs(req Request, fn func(LogBatch) error) error {
	req.Op = OpLogs
	sendErr := c.send(req)
	dec := json.NewDecoder(bufio.NewReaderSize(c.conn, 64<<10))
	for {
		// A batch, or an answer: the end ({"ok":true}) or an error.
		var m struct {
			OK    *bool  `json:"ok"`
			Error string `json:"error"`
			LogBatch
		}
		if err := dec.Decode(&m); err != nil {
			if sendErr != nil {
				return sendErr
			}
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w (%s): it stopped, or went away", ErrServerGone, c.path)
			}
			return fmt.Errorf("overseer: reading the lines of %s: %w", c.path, err)
		}
		switch {
		case m.OK == nil:
			if err := fn(m.LogBatch); err != nil {
				return err
			}
		case *m.OK:
			return nil
		default:
			return &RemoteError{Msg: m.Error}
		}
	}
}

// Do dials path, sends req and returns the answer, as Client.Do.
func Do(path string, req Request) (Response, error) {
	c, err := Dial(path)
	if err != nil {
		return Response{}, err
	}
	defer c.Close()
	return c.Do(req)
}
