// Package control is the control socket of the overseer command: a unix
// socket on which "overseer serve" answers the requests of "overseer
// status", "stop", "restart", "upgrade" and "logs".
//
// The protocol is one JSON request per connection, on one line:
//
//	{"op":"status"}
//	{"op":"stop","id":"web"}
//	{"op":"restart","id":"web"}
//	{"op":"upgrade","id":"web","args":["/new/bin","-x"]}
//	{"op":"logs","id":"web","follow":true,"since":0}
//
// answered with JSON lines: {"ok":true,"processes":[…]} for status,
// {"ok":true} or {"ok":false,"error":"…"} for the others, and for logs one
// overseer.Line per line (an {"ok":false,…} line for an error) until the
// process's kept lines are sent, or, with follow, until the client goes.
//
// Only clients running as the server's effective uid are served: the peer's
// credentials are checked on every connection (SO_PEERCRED).
package control

import (
	"github.com/overseer-go/overseer"
)

// The operations of a Request.
const (
	OpStatus  = "status"
	OpStop    = "stop"
	OpRestart = "restart"
	OpUpgrade = "upgrade"
	OpLogs    = "logs"
)

// Request is what a client asks, one per connection.
type Request struct {
	Op     string   `json:"op"`               // one of the Op constants
	ID     string   `json:"id,omitempty"`     // the process, for all but status
	Args   []string `json:"args,omitempty"`   // upgrade: the new command line
	Follow bool     `json:"follow,omitempty"` // logs: go on with new lines
	Since  uint64   `json:"since,omitempty"`  // logs: only lines whose Seq is greater
}

// Response is the answer to every operation but logs, and the line that
// reports an error of logs.
type Response struct {
	OK        bool                   `json:"ok"`
	Error     string                 `json:"error,omitempty"`
	Processes []overseer.JSONProcess `json:"processes,omitempty"` // status
}

// RemoteError is an error answered by the server ({"ok":false}).
type RemoteError struct {
	Msg string
}

func (e *RemoteError) Error() string { return e.Msg }

// maxRequest bounds the request line.
const maxRequest = 64 << 10
