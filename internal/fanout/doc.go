// Package fanout delivers items to subscribed channels: a publisher never
// blocks, a subscriber that falls behind gets a bounded backlog that a
// goroutine of its subscription feeds to it in order, and only what is
// beyond that backlog is dropped, and counted. Optional backpressure lets a
// publisher wait for subscribers that are behind but still reading.
//
// It knows nothing of processes: the overseer package makes one Topic for
// its events and one for its lines, and chooses the bounds.
package fanout
