//go:build unix

package main

import (
	"bytes"
	"io"
	"sync"
	"time"
)

// logStampFormat is the time at the start of each line of a log file with
// log_timestamps: RFC 3339 with milliseconds, in local time with its
// offset ("2026-12-03T14:05:09.042+01:00").
const logStampFormat = "2006-01-02T15:04:05.000Z07:00"

// stampedLog writes both streams of a process to one log file, each line
// beginning with the time it was written (log_timestamps). The bytes come
// as the process wrote them, a read of its pipe at a time: a stamp goes
// at the start of each line, so a line written in several pieces (a
// prompt, then its answer) keeps one stamp and stays whole. When the other
// stream writes while a stream's line is unfinished, that line is ended
// there with a newline, and its rest, when it comes, begins a new stamped
// line: the two streams never mix within a line of the file.
type stampedLog struct {
	mu   sync.Mutex
	w    io.Writer
	now  func() time.Time
	open int    // the stream whose line is unfinished in the file; 0 for none
	buf  []byte // what one Write writes, reused
}

// newStampedLog returns the stamping writer of w.
func newStampedLog(w io.Writer) *stampedLog {
	return &stampedLog{w: w, now: time.Now}
}

// stream returns the writer of stream k (1 stdout, 2 stderr).
func (s *stampedLog) stream(k int) io.Writer { return stampedStream{s, k} }

// stampedStream is one stream's writer of a stampedLog.
type stampedStream struct {
	s *stampedLog
	k int
}

// Write writes p, stamped, in one Write of the file, and returns len(p)
// unless that failed.
func (w stampedStream) Write(p []byte) (int, error) {
	return w.s.write(w.k, p)
}

func (s *stampedLog) write(k int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buf[:0]
	if s.open != 0 && s.open != k {
		b = append(b, '\n') // the other stream's unfinished line ends here
		s.open = 0
	}
	var stamp []byte
	for rest := p; len(rest) > 0; {
		if s.open == 0 {
			if stamp == nil {
				stamp = s.now().AppendFormat(make([]byte, 0, len(logStampFormat)+1), logStampFormat)
				stamp = append(stamp, ' ')
			}
			b = append(b, stamp...)
			s.open = k
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			b = append(b, rest...)
			break
		}
		b = append(b, rest[:i+1]...)
		s.open = 0
		rest = rest[i+1:]
	}
	if cap(b) <= 1<<20 { // keep a buffer of usual size, not that of a burst
		s.buf = b
	}
	if _, err := s.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}
