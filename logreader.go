package overseer

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// ErrClosed is returned by LogReader.Next once the reader is closed.
var ErrClosed = errors.New("overseer: log reader closed")

// TailAll, as LogReaderConfig.Tail, starts a LogReader at the oldest line
// each process still keeps.
const TailAll = -1

// The default bounds of one LogBatch.
const (
	defaultBatchLines = 4096
	defaultBatchBytes = 1 << 20
)

// LogReaderConfig chooses what a LogReader reads. The zero value reads
// every line that any process prints from now on.
type LogReaderConfig struct {
	// IDs are the processes to read. None means every process, those
	// added later included.
	IDs []string
	// Tail is how many of the lines each process already keeps the reader
	// begins with: 0 is none (only new lines), TailAll all of them. A
	// process added later is read from the first line it prints after it
	// was added.
	Tail int
	// MaxLines bounds the Lines of one batch; zero means 4096. A batch also
	// ends once its Texts reach 1 MiB (it holds at least one line).
	MaxLines int
	// Lossy makes the reader one that the processes never wait for, even
	// under WithLogBackpressure: when it falls further behind than a
	// process's rings reach, it misses lines and LogBatch.Missed says how
	// many. A dashboard's browser, say, is best lossy.
	Lossy bool
	// ReuseText makes the Texts of a batch point into a buffer of the
	// reader's that the next Next reuses: they are valid until then (keep
	// one with strings.Clone). It saves an allocation per batch, and the
	// garbage collection of every byte read, for a reader that writes or
	// formats the lines right away (a terminal, a network stream).
	ReuseText bool
}

// LogBatch is what one LogReader.Next returns.
type LogBatch struct {
	// Lines are the lines read, in Seq order within each process and, across
	// processes, in the order they were read from the processes (by Time;
	// lines read at the same time keep the order of their processes). The
	// slice is the reader's own: it is valid until the next Next. The
	// Lines' Texts stay valid for good.
	Lines []Line
	// Missed counts, for each process with lines in this batch, those that
	// its rings let go before the reader got to them: the gaps in Seq
	// before and between its lines in Lines, one entry per process. Where
	// each gap is shows in Seq: stdout and stderr have rings of their own,
	// so a gap may fall between lines that are still kept.
	Missed []MissedLines
}

// MissedLines counts the lines of one process that a LogReader missed.
type MissedLines struct {
	// ID is the process.
	ID string
	// Count is how many lines were missed: the sum of the gaps in Seq.
	Count uint64
}

// LogReader reads the output lines of an Overseer's processes in batches,
// straight from the rings where each Cmd keeps them (Cmd.BufferLines,
// BufferBytes): nothing is copied for it until it reads, and it costs no
// memory while it waits. It keeps one place (a Seq) in each process's
// output; a process's pumps wake it once per read of the pipe, not once
// per line.
//
// A reader that falls behind loses nothing while the rings still hold
// what it has not read. Further behind, it misses the oldest lines, and
// the next batch says how many of which process (LogBatch.Missed); the
// rings are the bound on what it can fall behind, so a process that prints
// in bursts wants a BufferLines to match. With WithLogBackpressure, the
// processes wait instead (unless the reader is Lossy), for as long as the
// reader keeps reading.
//
// Next is for one goroutine at a time; Close may be called from any.
type LogReader struct {
	o        *Overseer
	ids      []string // sorted; nil for every process
	maxLines int
	paced    bool // the pumps wait for it (WithLogBackpressure, not Lossy)
	lossy    bool // its misses are its own: Dropped does not count them
	reuse    bool // ReuseText

	mu      sync.Mutex
	cursors []*cursor // one for each process read
	queue   []*cursor // the cursors with new lines, in the order they had them
	closed  bool
	wake    chan struct{} // cap 1: the queue has cursors
	done    chan struct{} // closed by Close
	// read is made by a pump that waits for one of the reader's cursors,
	// and closed when the reader next reads anything: a reader busy with
	// other processes is reading, not stuck.
	readAny chan struct{}

	// Next's own, reused from one batch to the next.
	taken    []*cursor
	segments []segment
	read     []Line
	arena    []byte // the Texts, with ReuseText
	batch    LogBatch
}

// segment is the lines of one cursor in LogReader.read.
type segment struct{ start, end int }

// NewLogReader returns a reader of the lines of the processes cfg names.
// Close it when done: until then, it is kept in each process's output.
func (o *Overseer) NewLogReader(cfg LogReaderConfig) *LogReader {
	r := &LogReader{
		o:        o,
		maxLines: cfg.MaxLines,
		paced:    o.hub.backpressure && !cfg.Lossy,
		lossy:    cfg.Lossy,
		reuse:    cfg.ReuseText,
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	if r.maxLines <= 0 {
		r.maxLines = defaultBatchLines
	}
	if cfg.IDs != nil {
		r.ids = slices.Clone(cfg.IDs)
		slices.Sort(r.ids)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.hub.readers = append(o.hub.readers, r)
	for id, c := range o.procs {
		if r.reads(id) {
			r.attach(&c.out, cfg.Tail)
		}
	}
	return r
}

// reads reports whether the reader reads process id.
func (r *LogReader) reads(id string) bool {
	if r.ids == nil {
		return true
	}
	_, ok := slices.BinarySearch(r.ids, id)
	return ok
}

// Close ends the reader: a Next waiting returns ErrClosed, and the
// processes no longer keep a place for it. It may be called more than
// once.
func (r *LogReader) Close() {
	r.o.mu.Lock()
	r.o.hub.readers = slices.DeleteFunc(r.o.hub.readers, func(x *LogReader) bool { return x == r })
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		r.o.mu.Unlock()
		return
	}
	r.closed = true
	cursors := r.cursors
	r.cursors, r.queue = nil, nil
	close(r.done)
	r.mu.Unlock()
	for _, cur := range cursors {
		r.countMissed(cur.out.detach(cur))
	}
	r.o.mu.Unlock()
}

// Next returns the next batch of lines: at once when lines wait to be
// read, else as soon as one is printed. When ctx is done it waits no
// more: it returns what is left to read, every line kept that the reader
// has not read yet, and ctx.Err() once there is none (so that a done ctx
// drains the reader). After Close it returns ErrClosed.
func (r *LogReader) Next(ctx context.Context) (LogBatch, error) {
	for {
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			return LogBatch{}, ErrClosed
		}
		r.taken = append(r.taken[:0], r.queue...)
		clear(r.queue)
		r.queue = r.queue[:0]
		r.mu.Unlock()
		if len(r.taken) == 0 && ctx.Err() != nil {
			// Nothing has woken the reader: look at every process, for a
			// line whose wake-up is still on its way.
			r.mu.Lock()
			r.taken = append(r.taken, r.cursors...)
			r.mu.Unlock()
		}
		if r.readTaken() {
			return r.batch, nil
		}
		if err := ctx.Err(); err != nil {
			return LogBatch{}, err
		}
		select {
		case <-r.wake:
		case <-r.done:
		case <-ctx.Done():
		}
	}
}

// readTaken reads the taken cursors into the batch, and reports whether it
// holds anything.
func (r *LogReader) readTaken() bool {
	r.read, r.segments = r.read[:0], r.segments[:0]
	r.batch.Missed = r.batch.Missed[:0]
	var bounds readBounds
	if r.reuse {
		r.arena = r.arena[:0]
		bounds.arena = &r.arena
	}
	room, byteRoom := r.maxLines, defaultBatchBytes
	for i, cur := range r.taken {
		if room <= 0 || byteRoom <= 0 {
			// Out of room: the rest go first in the next batch.
			r.putBack(r.taken[i:])
			break
		}
		cur.queued.Store(false) // from now on, a new line queues it again
		start := len(r.read)
		var missed uint64
		var more bool
		bounds.lines, bounds.bytes = room, byteRoom
		r.read, missed, more = cur.out.read(cur, r.read, bounds)
		for _, l := range r.read[start:] {
			byteRoom -= len(l.Text)
		}
		if more {
			r.requeue([]*cursor{cur})
		}
		if len(r.read) == start {
			continue
		}
		if missed > 0 {
			r.batch.Missed = append(r.batch.Missed, MissedLines{ID: r.read[start].ID, Count: missed})
			r.countMissed(missed)
		}
		r.segments = append(r.segments, segment{start, len(r.read)})
		room -= len(r.read) - start
	}
	clear(r.taken)
	r.taken = r.taken[:0]
	if len(r.segments) == 0 {
		return false
	}
	r.madeProgress()
	if len(r.segments) == 1 {
		// Nothing to merge: hand out read itself, and keep the batch's
		// slice for the next read.
		r.batch.Lines, r.read = r.read, r.batch.Lines
		return true
	}
	r.batch.Lines = mergeByTime(r.batch.Lines[:0], r.read, r.segments)
	return true
}

// countMissed counts lines the reader missed in Dropped, unless it is
// Lossy: a reader made to miss lines rather than hold anything up (a
// browser) would make Dropped say nothing of those that must not.
func (r *LogReader) countMissed(n uint64) {
	if !r.lossy {
		r.o.hub.linesMissed.Add(n)
	}
}

// putBack puts cursors taken but not read back at the front of the queue:
// they were first in line.
func (r *LogReader) putBack(cursors []*cursor) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var front []*cursor
	for _, cur := range cursors {
		if cur.queued.Load() { // still queued: taken from the queue, not found by a scan
			front = append(front, cur)
		}
	}
	r.queue = append(front, r.queue...)
	if len(r.queue) > 0 {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// madeProgress lets go the pumps that wait for the reader to read.
func (r *LogReader) madeProgress() {
	r.mu.Lock()
	if r.readAny != nil {
		close(r.readAny)
		r.readAny = nil
	}
	r.mu.Unlock()
}

// progress returns a channel that is closed when the reader next reads.
func (r *LogReader) progress() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.readAny == nil {
		r.readAny = make(chan struct{})
	}
	return r.readAny
}

// requeue puts cursors that have more to read back in the queue, behind
// those that wait already: each process gets its turn.
func (r *LogReader) requeue(cursors []*cursor) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cur := range cursors {
		if cur.queued.CompareAndSwap(false, true) {
			r.queue = append(r.queue, cur)
		}
	}
	if len(r.queue) > 0 {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// enqueue is how a pump wakes the reader of cur: once per read of the
// pipe, and only when the cursor is not queued already.
func (r *LogReader) enqueue(cur *cursor) {
	if !cur.queued.CompareAndSwap(false, true) {
		return
	}
	r.mu.Lock()
	if !r.closed {
		r.queue = append(r.queue, cur)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// attach gives the reader a cursor in out, at the last tail lines it keeps
// (see LogReaderConfig.Tail). o.mu is held (the Overseer's).
func (r *LogReader) attach(out *output, tail int) {
	cur := &cursor{r: r, out: out, paced: r.paced, stall: r.o.hub.stall}
	behind := out.attach(cur, tail)
	r.mu.Lock()
	r.cursors = append(r.cursors, cur)
	r.mu.Unlock()
	if behind {
		r.enqueue(cur) // the lines kept that it begins with
	}
}

// detach drops the reader's cursor in out, if it has one. o.mu is held.
func (r *LogReader) detach(out *output) {
	r.mu.Lock()
	var cur *cursor
	r.cursors = slices.DeleteFunc(r.cursors, func(x *cursor) bool {
		if x.out == out {
			cur = x
			return true
		}
		return false
	})
	r.mu.Unlock()
	if cur != nil {
		r.countMissed(out.detach(cur))
	}
}
