//go:build unix

package control

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/overseer-go/overseer"
)

// partialWait is how long a follower holds an unfinished line (a prompt)
// for its next piece before it sends what it has.
const partialWait = 500 * time.Millisecond

// logsRequest is a logs request, checked.
type logsRequest struct {
	ids    []string // nil: every process
	tail   int      // as overseer.LogReaderConfig.Tail
	filter lineFilter
	follow bool
}

// lineFilter is what a line must pass to be sent.
type lineFilter struct {
	since time.Time
	re    *regexp.Regexp
}

func (f lineFilter) none() bool { return f.since.IsZero() && f.re == nil }

func (f lineFilter) pass(l overseer.Line) bool {
	if !f.since.IsZero() && l.Time.Before(f.since) {
		return false
	}
	return f.re == nil || f.re.MatchString(l.Text)
}

// checkLogs checks req, a logs request, against o: its processes exist,
// its expression compiles, its tail is not negative.
func checkLogs(o *overseer.Overseer, req Request) (logsRequest, error) {
	lr := logsRequest{tail: overseer.TailAll, follow: req.Follow}
	lr.filter.since = req.Since
	ids := req.IDs
	if req.ID != "" {
		ids = append([]string{req.ID}, ids...)
	}
	for _, id := range ids {
		if _, err := o.Cmd(id); err != nil {
			return lr, err
		}
		if !slices.Contains(lr.ids, id) {
			lr.ids = append(lr.ids, id)
		}
	}
	if req.Tail != nil {
		if *req.Tail < 0 {
			return lr, fmt.Errorf("%w: tail %d: want 0 or more lines", overseer.ErrInvalid, *req.Tail)
		}
		lr.tail = *req.Tail
	}
	if req.Grep != "" {
		re, err := regexp.Compile(req.Grep)
		if err != nil {
			return lr, fmt.Errorf("%w: grep: %w", overseer.ErrInvalid, err)
		}
		lr.filter.re = re
	}
	return lr, nil
}

// logSender reads the lines of a logs request and sends them to the
// client, one write per batch.
type logSender struct {
	w      *answer // nil: nothing is sent (lastPassing)
	filter lineFilter
	from   map[string]uint64 // when set, lines before from[id] are not sent (the lines before the tail)
	until  map[string]uint64 // without follow: the last Seq of each process when the request came
	seen   map[string]uint64 // the last Seq read of each process
	join   joiner
	batch  LogBatch
	buf    []byte
}

// logs answers a logs request: the lines kept, then, with follow, every
// new line until the client goes or ctx is done. One LogReader (lossy:
// a slow client costs the processes nothing, and is told what it missed)
// reads both.
func logs(ctx context.Context, o *overseer.Overseer, conn *net.UnixConn, w *answer, lr logsRequest) {
	s := &logSender{w: w, filter: lr.filter, seen: make(map[string]uint64)}
	s.join.emit = s.emit
	tail := lr.tail
	if tail > 0 && !lr.filter.none() {
		tail = overseer.TailAll // the last lines that pass: found by a first read
	}
	r := o.NewLogReader(overseer.LogReaderConfig{IDs: lr.ids, Tail: tail, Lossy: true})
	defer r.Close()
	if !lr.follow {
		// The lines up to now, and exactly the last tail of them: the
		// reader began its tail when it was made, before now.
		s.until = lastSeqs(o, lr.ids)
	}
	switch {
	case tail != lr.tail:
		s.from = lastPassing(o, lr, s.until)
	case !lr.follow && tail > 0:
		s.from = make(map[string]uint64, len(s.until))
		for id, last := range s.until {
			s.from[id] = last - min(last, uint64(tail)) + 1
		}
	}
	if !lr.follow {
		if lr.tail != 0 {
			if err := s.drain(r); err != nil {
				return
			}
			s.join.flushAll() // the end of a line left unfinished
			if err := s.flush(); err != nil {
				return
			}
		}
		_ = w.send(Response{OK: true}) // the end; a client gone has nothing to be told
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	gone := make(chan struct{})
	go func() { // the client sends nothing more: EOF (or any error) means it went
		_, _ = io.Copy(io.Discard, conn)
		cancel()
		close(gone)
	}()
	defer func() { _ = conn.Close(); <-gone }()
	// The kept lines first: a Next that waits is woken by new lines only.
	if err := s.drain(r); err != nil {
		return
	}
	for {
		next, stop := ctx, context.CancelFunc(nil)
		if s.join.waiting() {
			next, stop = context.WithTimeout(ctx, partialWait)
		}
		b, err := r.Next(next)
		if stop != nil {
			stop()
		}
		if ctx.Err() != nil {
			return // the client went, or the server is stopping
		}
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				return
			}
			s.join.flushAll() // nothing came after the unfinished line: it goes as it is
		} else if err := s.take(b); err != nil {
			return
		}
		if err := s.flush(); err != nil {
			return
		}
	}
}

// drain sends the lines r has to read without waiting: up to s.until, those
// the processes had when the request came, when it is set.
func (s *logSender) drain(r *overseer.LogReader) error {
	done, cancel := context.WithCancel(context.Background())
	cancel() // a Next with a done context waits for nothing: it drains
	for s.until == nil || !s.reached() {
		b, err := r.Next(done)
		if err != nil {
			break // nothing left
		}
		if err := s.take(b); err != nil {
			return err
		}
		if err := s.flush(); err != nil {
			return err
		}
	}
	return nil
}

// reached reports whether every process has been read up to s.until.
func (s *logSender) reached() bool {
	for id, last := range s.until {
		if s.seen[id] < last {
			return false
		}
	}
	return true
}

// take passes the lines of b to the joiner, and on to the batch to send.
func (s *logSender) take(b overseer.LogBatch) error {
	for _, m := range b.Missed {
		if s.join.find(m.ID, overseer.StreamStdout) >= 0 || s.join.find(m.ID, overseer.StreamStderr) >= 0 {
			// The unfinished line goes before what was missed after it.
			s.join.flushID(m.ID)
			if err := s.flush(); err != nil {
				return err
			}
		}
		s.batch.Missed = append(s.batch.Missed, MissedLines{ID: m.ID, Count: m.Count})
	}
	for _, l := range b.Lines {
		// Counted even when left out: a process whose last lines were
		// let go before they were read is done once a later one is.
		s.seen[l.ID] = max(s.seen[l.ID], l.Seq)
		if s.until != nil && l.Seq > s.until[l.ID] {
			continue // came after the request (or of a process added since)
		}
		s.join.add(l)
	}
	return nil
}

// emit is where the joiner sends whole lines: those that pass go into the
// batch.
func (s *logSender) emit(l overseer.Line) {
	if s.from != nil && l.Seq < s.from[l.ID] {
		return
	}
	if s.filter.pass(l) {
		s.batch.Lines = append(s.batch.Lines, l)
	}
}

// flush writes the batch, if it holds anything, as one JSON line in one
// write: {"missed":[…],"lines":[…]}, each line by its own MarshalJSON.
func (s *logSender) flush() error {
	if s.w == nil || (len(s.batch.Lines) == 0 && len(s.batch.Missed) == 0) {
		s.batch.Lines, s.batch.Missed = s.batch.Lines[:0], s.batch.Missed[:0] // nothing to send them to (lastPassing)
		return nil
	}
	b := append(s.buf[:0], '{')
	if len(s.batch.Missed) > 0 {
		b = append(b, `"missed":[`...)
		for i, m := range s.batch.Missed {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = strconv.AppendQuote(b, m.ID) // a process id is printable ASCII
			b = append(b, `,"count":`...)
			b = strconv.AppendUint(b, m.Count, 10)
			b = append(b, '}')
		}
		b = append(b, "],"...)
	}
	b = append(b, `"lines":[`...)
	for i, l := range s.batch.Lines {
		if i > 0 {
			b = append(b, ',')
		}
		j, err := l.MarshalJSON()
		if err != nil {
			return err
		}
		b = append(b, j...)
	}
	b = append(b, "]}\n"...)
	clear(s.batch.Lines) // let the texts go
	s.batch.Lines, s.batch.Missed = s.batch.Lines[:0], s.batch.Missed[:0]
	if cap(b) <= 256<<10 { // kept for the next batch, unless a burst made it large
		s.buf = b
	}
	return s.w.write(b)
}

// lastSeqs returns the Seq of the last line of each process of ids (nil:
// every process): where a request without follow ends.
func lastSeqs(o *overseer.Overseer, ids []string) map[string]uint64 {
	if ids == nil {
		ids = o.ListAll()
	}
	last := make(map[string]uint64, len(ids))
	for _, id := range ids {
		if p, err := o.ToJSON(id); err == nil { // else removed meanwhile: nothing to wait for
			last[id] = p.StdoutLines + p.StderrLines
		}
	}
	return last
}

// lastPassing reads every line kept of the processes of lr, up to until
// (nil: those they have now), and returns, for each, the Seq of the first
// of its last lr.tail lines that pass the filter (1 when fewer pass).
func lastPassing(o *overseer.Overseer, lr logsRequest, until map[string]uint64) map[string]uint64 {
	r := o.NewLogReader(overseer.LogReaderConfig{IDs: lr.ids, Tail: overseer.TailAll, Lossy: true})
	defer r.Close()
	if until == nil {
		until = lastSeqs(o, lr.ids)
	}
	passing := make(map[string][]uint64) // a ring of the last lr.tail Seqs passing, per process
	next := make(map[string]int)
	s := &logSender{seen: make(map[string]uint64), until: until}
	s.join.emit = func(l overseer.Line) {
		if !lr.filter.pass(l) {
			return
		}
		ring := passing[l.ID]
		if len(ring) < lr.tail {
			passing[l.ID] = append(ring, l.Seq)
			return
		}
		ring[next[l.ID]] = l.Seq
		next[l.ID] = (next[l.ID] + 1) % lr.tail
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for !s.reached() {
		b, err := r.Next(done)
		if err != nil {
			break
		}
		_ = s.take(b) // s.w is nil: nothing is written, and nothing fails
	}
	s.join.flushAll()
	from := make(map[string]uint64, len(passing))
	for id, ring := range passing {
		from[id] = 1
		if len(ring) == lr.tail {
			from[id] = ring[next[id]]
		}
	}
	return from
}
