package overseer

import (
	"bytes"
	"strings"
)

// splitter cuts a byte stream into Lines: "\n" ends a line, a "\r" right
// before it is dropped, and a line longer than max bytes is cut into pieces
// of max bytes, each marked Partial but the last.
//
// Lines that end inside one chunk of input share a single string allocation
// (their Texts are substrings of it), so splitting costs at most one
// allocation per chunk plus one per line that spans chunks.
type splitter struct {
	max     int    // the longest Text of one Line; at least 1
	pending []byte // the unfinished line; never more than max+1 bytes between calls
}

// split appends to lines the Lines that p completes, and keeps the rest of p
// as the unfinished line. Only Text and Partial are set.
func (s *splitter) split(p []byte, lines []Line) []Line {
	if len(s.pending) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.pending = append(s.pending, p...)
			return s.cutPending(lines)
		}
		s.pending = append(s.pending, p[:i]...)
		lines = s.cut(trimCR(string(s.pending)), lines)
		s.pending = s.pending[:0]
		p = p[i+1:]
	}
	if last := bytes.LastIndexByte(p, '\n'); last >= 0 {
		chunk := string(p[:last+1])
		for len(chunk) > 0 {
			i := strings.IndexByte(chunk, '\n')
			lines = s.cut(trimCR(chunk[:i]), lines)
			chunk = chunk[i+1:]
		}
		p = p[last+1:]
	}
	if len(p) > 0 {
		s.pending = append(s.pending, p...)
		lines = s.cutPending(lines)
	}
	return lines
}

// flush appends the unfinished line, if any, as the last Line of the stream
// (no "\r" is dropped: no "\n" follows it).
func (s *splitter) flush(lines []Line) []Line {
	if len(s.pending) == 0 {
		return lines
	}
	lines = s.cut(string(s.pending), lines)
	s.pending = s.pending[:0]
	return lines
}

// flushPartial appends the unfinished line, if any, as a Partial Line: the
// line goes on in the next Line of the stream.
func (s *splitter) flushPartial(lines []Line) []Line {
	if len(s.pending) == 0 {
		return lines
	}
	lines = s.cut(string(s.pending), lines)
	lines[len(lines)-1].Partial = true
	s.pending = s.pending[:0]
	return lines
}

// cutPending emits max-byte Partial pieces of the unfinished line for as long
// as its content is known to exceed max bytes. A final "\r" may still be
// dropped by a "\n" that follows, so it does not count until then.
func (s *splitter) cutPending(lines []Line) []Line {
	n := len(s.pending)
	if n <= s.max || (n == s.max+1 && s.pending[s.max] == '\r') {
		return lines
	}
	text := string(s.pending)
	for len(text) > s.max+1 || (len(text) == s.max+1 && text[s.max] != '\r') {
		lines = append(lines, Line{Text: text[:s.max], Partial: true})
		text = text[s.max:]
	}
	s.pending = append(s.pending[:0], text...)
	return lines
}

// cut appends one complete line, in max-byte pieces.
func (s *splitter) cut(text string, lines []Line) []Line {
	for len(text) > s.max {
		lines = append(lines, Line{Text: text[:s.max], Partial: true})
		text = text[s.max:]
	}
	return append(lines, Line{Text: text})
}

func trimCR(s string) string {
	if n := len(s); n > 0 && s[n-1] == '\r' {
		return s[:n-1]
	}
	return s
}
