package linebuf

import "bytes"

// Splitter cuts a byte stream into lines: "\n" ends a line, a "\r" right
// before it is dropped, and a line longer than Max bytes is cut into pieces
// of Max bytes, each marked partial but the last.
//
// It hands every line to Emit as a slice of its own memory or of the input,
// valid only until Emit returns: a line costs no allocation, and the one who
// keeps it copies it once, where it is kept.
//
// Max and Emit are set before the first call and not changed afterwards. A
// Splitter is used by one goroutine at a time.
type Splitter struct {
	// Max is the longest text of one line; at least 1.
	Max int
	// Emit receives every line, or piece of a line, in order.
	Emit func(text []byte, partial bool)

	pending []byte // the unfinished line; never more than Max+1 bytes between calls
	ended   uint64 // lines ended so far: a new value means pending is a new line
	// open is set when the last piece emitted was partial and nothing of
	// the line is pending (FlushPartial): Flush then ends it.
	open bool
}

// Retained returns the memory the Splitter keeps between calls for an
// unfinished line: the capacity of its buffer, in bytes.
func (s *Splitter) Retained() int { return cap(s.pending) }

// Ended returns how many lines have ended so far (pieces marked partial do
// not count): a new value means that the unfinished line is a new one.
func (s *Splitter) Ended() uint64 { return s.ended }

// Split emits the lines that p completes, and keeps the rest of p as the
// unfinished line. It keeps no reference to p.
func (s *Splitter) Split(p []byte) {
	i := bytes.IndexByte(p, '\n')
	if i < 0 {
		s.goOn(p)
		return
	}
	s.end(p[:i])
	p = p[i+1:]
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		s.cut(trimCR(p[:i]), false)
		p = p[i+1:]
	}
	s.goOn(p)
}

// end emits the unfinished line followed by p, the rest of it up to its
// "\n". Only a piece that straddles the two is copied, into pending; the
// rest of p is emitted where it is.
func (s *Splitter) end(p []byte) {
	if len(s.pending) == 0 {
		s.cut(trimCR(p), false)
		return
	}
	if len(p) == 0 {
		s.cut(trimCR(s.pending), false)
		s.pending = s.pending[:0]
		return
	}
	p = trimCR(p)
	if len(p) > 0 {
		if len(s.pending) > s.Max { // Max bytes and a "\r" that stays
			s.Emit(s.pending[:s.Max], true)
			s.pending = s.pending[:copy(s.pending, s.pending[s.Max:])]
		}
		k := min(len(p), s.Max-len(s.pending))
		s.pending = append(s.pending, p[:k]...)
		p = p[k:]
	}
	s.cut(s.pending, len(p) > 0)
	s.pending = s.pending[:0]
	if len(p) > 0 {
		s.cut(p, false)
	}
}

// goOn adds p, which holds no "\n", to the unfinished line, and emits the
// Max-byte pieces it completes. A piece that straddles pending and p is
// made in pending; the pieces within p are emitted where they are, so that
// pending never holds more than Max+1 bytes and a long line is not copied
// on its way to the ring.
func (s *Splitter) goOn(p []byte) {
	for len(s.pending) > 0 && len(p) > 0 {
		if len(s.pending) < s.Max {
			k := min(len(p), s.Max-len(s.pending))
			s.pending = append(s.pending, p[:k]...)
			p = p[k:]
			continue
		}
		// pending holds a piece, unless all that follows is a "\r" that
		// a "\n" may still drop.
		if len(s.pending) == s.Max && len(p) == 1 && p[0] == '\r' {
			s.pending = append(s.pending, '\r')
			return
		}
		s.Emit(s.pending[:s.Max], true)
		s.pending = s.pending[:copy(s.pending, s.pending[s.Max:])]
	}
	for len(p) > s.Max+1 || (len(p) == s.Max+1 && p[s.Max] != '\r') {
		s.Emit(p[:s.Max], true)
		p = p[s.Max:]
	}
	s.pending = append(s.pending, p...)
}

// Flush emits the unfinished line, if any, as the last line of the stream
// (no "\r" is dropped: no "\n" follows it).
// A line whose last piece went out partial (FlushPartial) and that never
// went on is ended by an empty piece, so that every partial piece is
// followed by the rest of its line, as Emit's callers are promised.
func (s *Splitter) Flush() {
	switch {
	case len(s.pending) > 0:
		s.cut(s.pending, false)
		s.pending = s.pending[:0]
	case s.open:
		s.cut(nil, false)
	}
}

// FlushPartial emits the unfinished line, if any, as a partial line: the
// line goes on in the next line of the stream. A final "\r" stays
// unfinished, since a "\n" may follow it and drop it.
func (s *Splitter) FlushPartial() {
	text := s.pending
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
	}
	if len(text) == 0 {
		return
	}
	s.cut(text, true)
	s.pending = s.pending[:copy(s.pending, s.pending[len(text):])]
	s.open = len(s.pending) == 0
}

// Waiting reports whether an unfinished line waits for more input, that
// FlushPartial would emit.
func (s *Splitter) Waiting() bool {
	n := len(s.pending)
	return n > 1 || (n == 1 && s.pending[0] != '\r')
}

// cut emits text in Max-byte pieces, each partial but the last, which is
// partial when the line goes on after text.
func (s *Splitter) cut(text []byte, goesOn bool) {
	for len(text) > s.Max {
		s.Emit(text[:s.Max], true)
		text = text[s.Max:]
	}
	s.Emit(text, goesOn)
	s.open = false
	if !goesOn {
		s.ended++
	}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
