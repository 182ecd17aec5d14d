// Package sockets holds the listening sockets a supervisor opens for a
// process and hands to each of its runs, as systemd's socket activation
// does: the addresses (tcp://host:port, unix:///path), opening them
// (replacing a stale unix socket, one nothing listens on), closing them
// (removing the socket files made for them), and the [Layout] of the fds a
// child inherits with the environment that describes them.
//
// It imports only the standard library, so that package notify, the
// child's side, may use [Layout] too. Listening sockets are handed over as
// inherited fds, which only Unix systems have: elsewhere [Open] reports
// errors.ErrUnsupported.
package sockets
