//go:build unix

package control

import (
	"net"
	"sync"
)

// slots counts the connections being served, in two pools bounded apart:
// requests (a connection from its accept until it is answered) and
// followers (logs -f, from the moment its request is read), so that
// followers, which stay, never take the places of stop or status.
type slots struct {
	maxRequests, maxFollowers int

	mu        sync.Mutex
	conns     map[*net.UnixConn]bool // true for a follower
	followers int
}

func newSlots(maxRequests, maxFollowers int) *slots {
	return &slots{maxRequests: maxRequests, maxFollowers: maxFollowers, conns: make(map[*net.UnixConn]bool)}
}

// add takes a request's place for conn, if one is free.
func (s *slots) add(conn *net.UnixConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns)-s.followers >= s.maxRequests {
		return false
	}
	s.conns[conn] = false
	return true
}

// follow moves conn, a request, to the followers' pool, if a place is free
// there; else conn keeps its request's place.
func (s *slots) follow(conn *net.UnixConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.followers >= s.maxFollowers {
		return false
	}
	s.conns[conn] = true
	s.followers++
	return true
}

// remove frees the place of conn.
func (s *slots) remove(conn *net.UnixConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns[conn] {
		s.followers--
	}
	delete(s.conns, conn)
}

// closeAll closes every connection.
func (s *slots) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.Close() // ending: its handler sees the error and returns
	}
}
