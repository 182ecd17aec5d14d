//go:build unix

package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// The bounds of an outQueue.
const (
	outQueueBytes = 1 << 20          // queued and not yet written, at most (one line may pass it)
	outChunk      = 64 << 10         // taken from the queue at once, at most
	outPiece      = 4 << 10          // written at once, at most: each write is progress
	outStall      = time.Second      // a writer that takes nothing for that long is stuck
	defaultStop   = 10 * time.Second // the library's StopTimeout when a Cmd has none
)

// outQueue is a writer of whole lines that never holds up its callers for
// long: lines are queued in memory and written by a goroutine of its own,
// so that an output that takes nothing (a pipe nobody reads, a terminal
// stopped by Ctrl-S, a frozen ssh session) blocks neither the supervision
// nor the command's end. A Write waits while the queue is full and the
// output makes progress, so that a slow terminal slows the processes down
// (as WithLogBackpressure does) instead of losing lines; when the output
// has taken nothing for outStall (not even outPiece bytes: 4 KiB a second is
// slow, less is taken as stuck), it is stuck, and the lines that find the
// queue full are dropped, counted, and said to be missing, in the output,
// once it moves again ("N lines not shown").
//
// The command's stderr goes through one. Its stdout, the terminal, needs
// none: the processes' rings are its queue (see terminal).
type outQueue struct {
	w      io.Writer
	notice func(dropped uint64) string // the line that tells of dropped lines

	mu       sync.Mutex
	lines    [][]byte
	bytes    int // of lines
	dropped  uint64
	stuck    bool
	writing  bool
	err      error         // the output's first error: nothing more is written
	closed   bool          // close was called: the goroutine returns when all is written
	progress chan struct{} // closed and replaced each time the goroutine takes a batch or ends a write
	wake     chan struct{} // cap 1: there is something to write
	done     chan struct{} // closed when the goroutine has returned
}

// newOutQueue starts the goroutine that writes to w, which close ends.
func newOutQueue(w io.Writer, notice func(dropped uint64) string) *outQueue {
	q := &outQueue{w: w, notice: notice, progress: make(chan struct{}), wake: make(chan struct{}, 1), done: make(chan struct{})}
	go q.run()
	return q
}

// Write queues p, which should hold whole lines, and returns len(p): the
// output's errors are the queue's (see drain).
func (q *outQueue) Write(p []byte) (int, error) {
	q.put(append([]byte(nil), p...))
	return len(p), nil
}

func (q *outQueue) put(line []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.bytes > 0 && q.bytes+len(line) > outQueueBytes && q.err == nil {
		if q.stuck || q.closed {
			q.dropped++
			return
		}
		progress := q.progress
		q.mu.Unlock()
		timer := time.NewTimer(outStall)
		select {
		case <-progress:
		case <-timer.C:
		}
		timer.Stop()
		q.mu.Lock()
		if progress == q.progress { // none made meanwhile
			q.stuck = true
		}
	}
	if q.err != nil {
		return // nothing more can be written
	}
	if q.dropped > 0 && q.notice != nil {
		n := []byte(q.notice(q.dropped))
		q.lines = append(q.lines, n)
		q.bytes += len(n)
		q.dropped = 0
	}
	q.lines = append(q.lines, line)
	q.bytes += len(line)
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// run writes what is queued, a chunk at a time, until close.
func (q *outQueue) run() {
	defer close(q.done)
	var batch []byte
	for {
		q.mu.Lock()
		for len(q.lines) == 0 && !q.closed {
			q.mu.Unlock()
			<-q.wake
			q.mu.Lock()
		}
		if len(q.lines) == 0 {
			q.mu.Unlock()
			return // closed, and everything written
		}
		batch = batch[:0]
		for len(q.lines) > 0 && (len(batch) == 0 || len(batch)+len(q.lines[0]) <= outChunk) {
			batch = append(batch, q.lines[0]...)
			q.bytes -= len(q.lines[0])
			q.lines[0] = nil
			q.lines = q.lines[1:]
		}
		q.writing = true
		q.madeProgress()
		failed := q.err != nil
		q.mu.Unlock()

		// Written a piece at a time, each piece progress: an output that
		// takes outPiece bytes per outStall is slow, not stuck.
		for rest := batch; len(rest) > 0 && !failed; {
			piece := rest[:min(len(rest), outPiece)]
			rest = rest[len(piece):]
			_, err := q.w.Write(piece)

			q.mu.Lock()
			q.stuck = false
			if err != nil && q.err == nil {
				q.err = err
				q.lines, q.bytes = nil, 0
			}
			failed = q.err != nil
			q.madeProgress()
			q.mu.Unlock()
		}
		q.mu.Lock()
		q.writing = false
		q.madeProgress()
		q.mu.Unlock()
	}
}

// madeProgress wakes the callers that wait for room or for the end. q.mu is
// held.
func (q *outQueue) madeProgress() {
	close(q.progress)
	q.progress = make(chan struct{})
}

// drain waits until everything queued has been written (or the output
// failed: its error is returned), or until timeout has passed or abort is
// closed: then it returns errOutputStuck with the number of lines left
// unwritten. Lines dropped at the end are said to be missing, in the output.
func (q *outQueue) drain(timeout time.Duration, abort <-chan struct{}) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		q.mu.Lock()
		if q.err == nil && len(q.lines) == 0 && !q.writing && q.dropped > 0 && q.notice != nil {
			// Lines were dropped after the last one queued: say so last.
			q.lines = append(q.lines, []byte(q.notice(q.dropped)))
			q.dropped = 0
			select {
			case q.wake <- struct{}{}:
			default:
			}
		}
		if q.err != nil || (len(q.lines) == 0 && !q.writing) {
			err := q.err
			q.mu.Unlock()
			return err
		}
		progress := q.progress
		q.mu.Unlock()
		select {
		case <-progress:
		case <-timer.C:
			return q.stuckError(timeout, false)
		case <-abort:
			return q.stuckError(timeout, true)
		}
	}
}

// stuckError is drain's error when it gives up.
func (q *outQueue) stuckError(after time.Duration, aborted bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.dropped + uint64(len(q.lines))
	if q.writing {
		n++ // at least
	}
	return &stuckError{lines: n, after: after, aborted: aborted}
}

// close ends the goroutine once it has written everything, and waits for
// it when it has (drain returned nil); a goroutine stuck in a write is left
// to the end of the command, which no write can delay.
func (q *outQueue) close(wait bool) {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	if wait {
		<-q.done
	}
}

// stuckError says that an output took too long to take what was written
// to it, or that lines were dropped for it.
type stuckError struct {
	lines   uint64
	after   time.Duration
	aborted bool // a second signal ended the wait
}

func (e *stuckError) Error() string {
	if e.aborted {
		return fmt.Sprintf("the output was not written: about %d lines not shown", e.lines)
	}
	return fmt.Sprintf("the output took nothing for %v: gave up on about %d lines", e.after, e.lines)
}
