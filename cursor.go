package overseer

import (
	"slices"

	"sync/atomic"
	"time"

	"github.com/overseer-go/overseer/internal/linebuf"
)

// cursor is a LogReader's place in one process's output: the Seq of the
// last line it read. The output's pumps wake its reader when they have new
// lines, and, when the reader is paced, wait for it before they evict a
// line it has not read.
type cursor struct {
	r     *LogReader
	out   *output
	paced bool          // the pumps wait for it
	stall time.Duration // how long without a read makes it stuck

	queued atomic.Bool // in its reader's queue, or about to be

	// Under out.mu:
	seq uint64 // the last line read
	// progress is made by a pump that waits for the reader, and closed
	// when the reader next reads.
	progress chan struct{}
	// stuck is set when the reader read nothing while a pump waited a
	// stall for it: the pumps wait for it no more until it reads again.
	stuck bool
}

// attach adds cur, at the last tail lines held (TailAll: all of them), and
// reports whether cur has lines to read already.
func (o *output) attach(cur *cursor, tail int) (behind bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	cur.seq = o.seq
	switch {
	case tail == TailAll:
		cur.seq = o.oldestLocked() - 1
	case tail > 0:
		cur.seq = max(o.oldestLocked(), o.seq-min(o.seq, uint64(tail))+1) - 1
	}
	o.cursors = append(slices.Clip(o.cursors), cur)
	if cur.paced {
		o.paced++
	}
	return cur.seq < o.seq
}

// oldestLocked returns the Seq of the oldest line held, or the next Seq when
// none is. out.mu is held.
func (o *output) oldestLocked() uint64 {
	oldest := o.seq + 1
	for _, r := range [2]uint64{o.stdout.Oldest(), o.stderr.Oldest()} {
		if r != 0 {
			oldest = min(oldest, r)
		}
	}
	return oldest
}

// detach removes cur, lets go a pump that waits for it, and returns how
// many lines it missed and had not found out yet: those after its place
// that the rings let go.
func (o *output) detach(cur *cursor) (missed uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := len(o.cursors)
	o.cursors = slices.DeleteFunc(slices.Clone(o.cursors), func(x *cursor) bool { return x == cur })
	if len(o.cursors) < n && cur.paced {
		o.paced--
	}
	cur.madeProgress()
	held := uint64(0)
	for _, r := range [2]*linebuf.Ring{&o.stdout, &o.stderr} {
		held += uint64(r.Len() - r.After(cur.seq))
	}
	return o.seq - cur.seq - held
}

// read appends to dst what cur has not read, within the bounds, moves cur
// past it, and returns how many lines cur missed before it (those the
// rings let go) and whether more is left.
func (o *output) read(cur *cursor, dst []Line, b readBounds) ([]Line, uint64, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	start := len(dst)
	dst = o.appendAfterLocked(dst, cur.seq, b)
	got := uint64(len(dst) - start)
	last := o.seq
	if got > 0 {
		last = dst[len(dst)-1].Seq
	}
	missed := last - cur.seq - got
	cur.seq = last
	cur.stuck = false
	cur.madeProgress()
	return dst, missed, last < o.seq
}

// madeProgress lets go the pump that waits for cur. out.mu is held.
func (cur *cursor) madeProgress() {
	if cur.progress != nil {
		close(cur.progress)
		cur.progress = nil
	}
}

// wakeCursors wakes the readers of the cursors: the output has new lines.
// It is called without out.mu, with the cursors as they were under it.
func wakeCursors(cursors []*cursor) {
	for _, cur := range cursors {
		cur.r.enqueue(cur)
	}
}

// makeRoom returns once a line of n bytes can be pushed to ring s without
// evicting a line that a paced cursor has not read: it waits for each such
// cursor's reader to read, as long as it keeps reading (a reader that reads
// nothing for a stall is stuck, and waited for no more until it reads).
// out.mu is held, and let go while it waits.
func (o *output) makeRoom(s Stream, n int) {
	for o.paced > 0 {
		evicts := o.ring(s).Evicts(n)
		if evicts == 0 {
			return
		}
		var behind *cursor
		for _, cur := range o.cursors {
			if cur.paced && !cur.stuck && cur.seq < evicts {
				behind = cur
				break
			}
		}
		if behind == nil {
			return
		}
		o.waitFor(behind)
	}
}

// waitFor waits until the reader of cur reads from this output, for as
// long as it reads something, of any process, every stall; one that reads
// nothing for a stall is stuck. out.mu is held, and let go while it waits.
func (o *output) waitFor(cur *cursor) {
	if cur.progress == nil {
		cur.progress = make(chan struct{})
	}
	progress := cur.progress
	o.mu.Unlock()
	cur.r.enqueue(cur) // it may not know yet of the lines it has to read
	timer := time.NewTimer(cur.stall)
	stalled := false
	for waiting := true; waiting; {
		select {
		case <-progress:
			waiting = false
		case <-cur.r.progress():
			timer.Reset(cur.stall) // busy with other processes: not stuck
		case <-timer.C:
			stalled, waiting = true, false
		}
	}
	timer.Stop()
	o.mu.Lock()
	if stalled && cur.progress == progress {
		cur.stuck = true
		cur.madeProgress()
	}
}
