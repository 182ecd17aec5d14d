package overseer

import "bytes"

// splitter cuts a byte stream into lines: "\n" ends a line, a "\r" right
// before it is dropped, and a line longer than max bytes is cut into pieces
// of max bytes, each marked partial but the last.
//
// It hands every line to emit as a slice of its own memory or of the input,
// valid only until emit returns: a line costs no allocation, and the one who
// keeps it copies it once, where it is kept.
type splitter struct {
	max     int    // the longest text of one line; at least 1
	pending []byte // the unfinished line; never more than max+1 bytes between calls
	emit    func(text []byte, partial bool)
	ended   uint64 // lines ended so far: a new value means pending is a new line
}

// split emits the lines that p completes, and keeps the rest of p as the
// unfinished line.
func (s *splitter) split(p []byte) {
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
func (s *splitter) end(p []byte) {
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
		if len(s.pending) > s.max { // max bytes and a "\r" that stays
			s.emit(s.pending[:s.max], true)
			s.pending = s.pending[:copy(s.pending, s.pending[s.max:])]
		}
		k := min(len(p), s.max-len(s.pending))
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
// max-byte pieces it completes. A piece that straddles pending and p is
// made in pending; the pieces within p are emitted where they are, so that
// pending never holds more than max+1 bytes and a long line is not copied
// on its way to the ring.
func (s *splitter) goOn(p []byte) {
	for len(s.pending) > 0 && len(p) > 0 {
		if len(s.pending) < s.max {
			k := min(len(p), s.max-len(s.pending))
			s.pending = append(s.pending, p[:k]...)
			p = p[k:]
			continue
		}
		// pending holds a piece, unless all that follows is a "\r" that
		// a "\n" may still drop.
		if len(s.pending) == s.max && len(p) == 1 && p[0] == '\r' {
			s.pending = append(s.pending, '\r')
			return
		}
		s.emit(s.pending[:s.max], true)
		s.pending = s.pending[:copy(s.pending, s.pending[s.max:])]
	}
	for len(p) > s.max+1 || (len(p) == s.max+1 && p[s.max] != '\r') {
		s.emit(p[:s.max], true)
		p = p[s.max:]
	}
	s.pending = append(s.pending, p...)
}

// flush emits the unfinished line, if any, as the last line of the stream
// (no "\r" is dropped: no "\n" follows it).
func (s *splitter) flush() {
	if len(s.pending) > 0 {
		s.cut(s.pending, false)
		s.pending = s.pending[:0]
	}
}

// flushPartial emits the unfinished line, if any, as a partial line: the
// line goes on in the next line of the stream. A final "\r" stays
// unfinished, since a "\n" may follow it and drop it.
func (s *splitter) flushPartial() {
	text := s.pending
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
	}
	if len(text) == 0 {
		return
	}
	s.cut(text, true)
	s.pending = s.pending[:copy(s.pending, s.pending[len(text):])]
}

// waiting reports whether an unfinished line waits for more input, that
// flushPartial would emit.
func (s *splitter) waiting() bool {
	n := len(s.pending)
	return n > 1 || (n == 1 && s.pending[0] != '\r')
}

// cut emits text in max-byte pieces, each partial but the last, which is
// partial when the line goes on after text.
func (s *splitter) cut(text []byte, goesOn bool) {
	for len(text) > s.max {
		s.emit(text[:s.max], true)
		text = text[s.max:]
	}
	s.emit(text, goesOn)
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
