//go:build unix

// Package control is the control socket of the overseer command: a unix
// socket on which "overseer serve" answers the requests of "overseer
// status", "start", "stop", "restart", "upgrade", "signal" and "logs".
//
// The protocol is one JSON request per connection, on one line:
//
//	{"op":"status"}
//	{"op":"start","id":"web"}
//	{"op":"stop","id":"web"}
//	{"op":"restart","id":"web"}
//	{"op":"upgrade","id":"web","args":["/new/bin","-x"]}
//	{"op":"signal","id":"web","signal":"HUP"}
//	{"op":"logs","ids":["web","worker"],"follow":true,"tail":10,
//	 "since":"2026-12-03T14:05:00+01:00","grep":"(?i)error"}
//
// answered with JSON lines: {"ok":false,"error":"…"} for an error, else
//
//	status                        {"ok":true,"processes":[…],"file":"/srv/app/Procfile"}
//	start, stop, restart, upgrade {"ok":true,"before":{…},"process":{…}}
//	signal                        {"ok":true,"before":{…},"process":{…},
//	                               "sent":{"signal":"SIGHUP","group":false,"pid":123}}
//
// where before and process are the process (an overseer.JSONProcess) as it
// was before the operation and as it is once it is done, and sent says
// where the signal went.
//
// logs reads the processes of id and ids (none: every process, those
// added later too), each from its last tail lines kept (no tail: all of
// them), and answers with batches, one JSON line each, written at once:
//
//	{"missed":[{"id":"web","count":12}],"lines":[{…},{…}]}
//
// where lines are overseer.Lines (a line that is not UTF-8 has its exact
// bytes in "bytes": see overseer.Line.MarshalJSON), in Seq order per
// process, merged by time across them, and missed (rarely there) counts
// the lines of a process that its buffer let go before the server read
// them, said before that process's lines. Only the lines read at or after
// since and matching grep (package regexp) are sent; with them, tail
// counts the lines that pass. The pieces of a long line come as one line,
// with the Seq and time of its first piece; a line left unfinished is sent
// as it is (partial), at the end of the kept lines, or, with follow, once
// nothing followed it for half a second. Without follow, {"ok":true} ends
// the answer once the lines the processes had when the request came are
// sent; with follow it goes on until the client closes the connection, or
// the server stops (it then closes it). An error is {"ok":false,…}, before
// any batch: a process not found, a bad grep, too many followers.
//
// An operation is answered once it is done: start, restart and upgrade once
// the new run is ready (running: see overseer.Cmd.Ready) or has failed (an
// error that says how), stop once the process group is gone.
//
// Only clients running as the server's effective uid are served: the peer's
// credentials are checked on every connection (SO_PEERCRED). A client, in
// turn, sends nothing before it has checked the socket's directories and
// that the server runs as its uid or root (see ErrUnsafe). Up to 64
// requests are served at once, and apart from them up to 64 clients
// following logs, so that followers never keep a stop out.
package control

import (
	"errors"
	"time"

	"github.com/overseer-go/overseer"
)

// The operations of a Request.
const (
	OpStatus  = "status"
	OpStart   = "start"
	OpStop    = "stop"
	OpRestart = "restart"
	OpUpgrade = "upgrade"
	OpSignal  = "signal"
	OpLogs    = "logs"
)

// Request is what a client asks, one per connection.
type Request struct {
	Op     string   `json:"op"`               // one of the Op constants
	ID     string   `json:"id,omitempty"`     // the process, for all but status
	Args   []string `json:"args,omitempty"`   // upgrade: the new command line
	Signal string   `json:"signal,omitempty"` // signal: its name, as overseer.ParseSignal reads it
	Follow bool     `json:"follow,omitempty"` // logs: go on with new lines

	// IDs are more processes for logs, read together; with ID empty and
	// none here, every process (those added later too).
	IDs []string `json:"ids,omitempty"`
	// Tail is, for logs, how many of the lines each process keeps are
	// sent, the last ones; nil for all of them. With Since or Grep, the
	// last Tail lines that pass.
	Tail *int `json:"tail,omitempty"`
	// Since leaves out, for logs, the lines read before it.
	Since time.Time `json:"since,omitzero"`
	// Grep, for logs, is a regular expression (package regexp) that a
	// line must match to be sent; "" matches all.
	Grep string `json:"grep,omitempty"`
}

// LogBatch is one line of the answer to logs: lines, and before them the
// lines some processes let go before they could be read.
type LogBatch struct {
	Missed []MissedLines   `json:"missed,omitempty"`
	Lines  []overseer.Line `json:"lines,omitempty"`
}

// MissedLines counts the lines of one process that a follower of logs
// did not get: the process's rings let them go before the server read
// them (see overseer.LogBatch).
type MissedLines struct {
	ID    string `json:"id"`
	Count uint64 `json:"count"`
}

// ErrServerGone is the error of Client.Logs when the server closes the
// connection before the end of the lines: it stopped, or went away.
var ErrServerGone = errors.New("overseer: the server closed the connection")

// Response is the answer to every operation but logs, and the line that
// reports an error of logs.
type Response struct {
	OK        bool                   `json:"ok"`
	Error     string                 `json:"error,omitempty"`
	Processes []overseer.JSONProcess `json:"processes,omitempty"` // status
	// File is the file the server runs, an absolute path: status.
	File string `json:"file,omitempty"`
	// Before is the process before the operation: start, stop, restart,
	// upgrade and signal.
	Before *overseer.JSONProcess `json:"before,omitempty"`
	// Process is the process once the operation is done: start, stop,
	// restart, upgrade and signal.
	Process *overseer.JSONProcess `json:"process,omitempty"`
	// Sent says where a signal went: signal.
	Sent *Delivery `json:"sent,omitempty"`
}

// Delivery says where the signal of a signal request went, as
// overseer.Forward sends it.
type Delivery struct {
	Signal string `json:"signal"` // its name, such as "SIGHUP"
	Group  bool   `json:"group"`  // to the whole process group; else to the main process alone
	PID    int    `json:"pid"`    // the main process, or the group's leader (the group's id)
}

// RemoteError is an error answered by the server ({"ok":false}).
type RemoteError struct {
	Msg string
}

// Error returns the server's message.
func (e *RemoteError) Error() string { return e.Msg }

// maxRequest bounds the request line.
const maxRequest = 64 << 10
