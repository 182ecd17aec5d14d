// Package fanout delivers items to subscribed channels: a publisher never
// blocks, a subscriber that falls behind gets a bounded backlog that a
// goroutine of its subscription feeds to it in order, and only what is
// beyond that backlog is dropped, and counted.
//
// It knows nothing of processes: the overseer package makes one Topic for
// its events (Watch), and chooses the bound. Lines do not go through it:
// they are read from the rings they are kept in (LogReader).
package fanout
