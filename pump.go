package overseer

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"reflect"
	"sync"
	"syscall"
	"time"

	"github.com/overseer-go/overseer/internal/linebuf"
	"github.com/overseer-go/overseer/internal/proc"
)

// readSize is how much a pump reads at a time: the default capacity of a
// Linux pipe, so a full pipe is emptied in one read.
const readSize = 64 << 10

// chunk is the scratch space of a pump while it handles one read. Pumps
// borrow one only while their pipe has data, so a thousand quiet processes
// hold no read buffers.
type chunk struct {
	buf [readSize]byte
}

// chunks is shared by every pump of the package: it is a cache of scratch
// memory, with no state that one Cmd could see of another's.
var chunks = sync.Pool{New: func() any { return new(chunk) }}

// maxDrainBytes bounds the last read of a pipe whose writer outlived the
// process group (see pump.run), so such a writer cannot keep a run alive.
const maxDrainBytes = 1 << 20

// A pump moves one stream of one run from its pipe into the Cmd's output:
// raw bytes to the optional writer, lines to the ring and the subscribers.
// It reads until every writer of the pipe has closed it, or until the read
// deadline that the run sets once the process group is gone.
type pump struct {
	id     string
	pid    int  // of the run, or of the hook
	hook   Hook // the hook whose output it is; HookNone for the program's
	stream Stream
	pipe   *os.File // the read end; non-blocking, polled by the runtime
	raw    io.Writer
	out    *output
	split  linebuf.Splitter // its Emit is p.line
	logger *slog.Logger

	// park, when set, hands the quiet pipe to the run's watch (see
	// run.begin) and reports true if the watch took it: the pump's
	// goroutine then returns, and the watch starts one again once the
	// pipe has something. An idle run so parks no goroutine per stream.
	park func() bool

	// When the read being captured was read, in Unix nanoseconds, for
	// p.line; set under out.mu.
	now int64

	// toWake are the cursors of the LogReaders that have new lines and
	// have not been woken yet: while the pipe is full, they are woken once
	// every wakeEvery reads, not after each (see capture). fullReads counts
	// the reads since.
	toWake    []*cursor
	fullReads int
	paced     bool // a reader is paced: wake it at every read (see capture)

	// The pipe's read deadline serves two ends: the run's, once the
	// process group is gone (endAt), and the unfinished line's, which is
	// delivered as a Partial Line once it has waited partialAfter
	// (partialAt). Both are set under deadlineMu.
	deadlineMu sync.Mutex
	endAt      time.Time
	partialAt  time.Time
	partialOf  uint64    // the split.Ended() of the line partialAt is for
	parkAt     time.Time // when a quiet pipe is parked (see park), if it stays quiet
}

// partialAfter is how long an unfinished line waits for its end before it
// is delivered as a Partial Line: a prompt or a progress bar shows up live.
const partialAfter = 100 * time.Millisecond

// What capture takes from the splitter.
const (
	captureRead    = iota // the lines the read completes
	capturePartial        // the unfinished line, as a Partial Line
	captureEnd            // the unfinished line, as the last Line of the stream
)

func newPump(id string, pid int, stream Stream, pipe *os.File, raw io.Writer, out *output, maxLine int, logger *slog.Logger) *pump {
	p := &pump{id: id, pid: pid, stream: stream, pipe: pipe, raw: raw, out: out, logger: logger}
	p.split = linebuf.Splitter{Max: maxLine, Emit: p.line}
	return p
}

// run reads the pipe to its end, and returns false; or until it is quiet
// and parked (see park), and returns true: it is then run again to go on.
func (p *pump) run() (parked bool) {
	conn, err := p.pipe.SyscallConn()
	if err != nil {
		p.logError("pipe", err)
		return false
	}
	for {
		var (
			c    *chunk
			n    int
			rerr error
		)
		err := conn.Read(func(fd uintptr) bool {
			if c == nil {
				c = chunks.Get().(*chunk)
			}
			n, rerr = proc.ReadRetry(int(fd), c.buf[:])
			if rerr == syscall.EAGAIN {
				chunks.Put(c)
				c = nil
				p.wakeReaders() // the pipe is drained: the readers get what it had
				if p.park != nil {
					p.armPark()
				}
				return false // wait until the pipe is readable
			}
			return true
		})
		if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && p.parkDue() {
			// Quiet for parkAfter: the watch waits for the pipe
			// instead of this goroutine.
			if p.park() {
				return true // the watch has the pipe, and the pump's state with it
			}
			p.park = nil // the run is ending: read to the end here
			continue
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) && p.partialDue() {
				// The deadline passes before a read is tried: the line may
				// have gone on while this pump waited for a CPU. Only a
				// pipe with nothing in it has an idle line.
				c = chunks.Get().(*chunk)
				_ = conn.Control(func(fd uintptr) { n, rerr = proc.ReadRetry(int(fd), c.buf[:]) })
				if rerr == syscall.EAGAIN {
					p.capture(nil, capturePartial)
					chunks.Put(c)
					continue
				}
			} else {
				// The run's deadline passed: the process group is gone, and
				// what is still holding the pipe open is outside it. Take
				// what is already in the pipe and stop.
				p.drain(conn)
				break
			}
		}
		if rerr == syscall.EIO {
			// A terminal's master reads EIO once every holder of the
			// slave has closed it: its end of file.
			rerr = nil
		}
		if rerr != nil || n == 0 {
			chunks.Put(c)
			if rerr != nil {
				p.logError("read", rerr)
			}
			break
		}
		p.handle(c.buf[:n])
		chunks.Put(c)
		p.armPartial()
	}
	p.capture(nil, captureEnd)
	return false
}

// parkAfter is how long a pipe stays quiet before its pump parks it (see
// park): a busy stream does not pay for a park and a new goroutine at
// each empty read, and a quiet one costs no goroutine for long.
const parkAfter = time.Second

// armPark starts the wait after which the quiet pipe is parked, unless a
// deadline is set already: the run's end, an unfinished line's, or its
// own. It runs in the read's callback, before the pump waits.
func (p *pump) armPark() {
	p.deadlineMu.Lock()
	defer p.deadlineMu.Unlock()
	if p.endAt.IsZero() && p.partialAt.IsZero() && p.parkAt.IsZero() {
		p.parkAt = time.Now().Add(parkAfter)
		_ = p.pipe.SetReadDeadline(p.parkAt)
	}
}

// parkDue reports whether the deadline that passed was the park's, and
// clears it.
func (p *pump) parkDue() bool {
	p.deadlineMu.Lock()
	defer p.deadlineMu.Unlock()
	if !p.endAt.IsZero() || p.parkAt.IsZero() {
		return false
	}
	p.parkAt = time.Time{}
	_ = p.pipe.SetReadDeadline(time.Time{})
	return true
}

// endBy makes the pump stop waiting for its pipe at t: the run's end.
func (p *pump) endBy(t time.Time) {
	p.deadlineMu.Lock()
	defer p.deadlineMu.Unlock()
	p.endAt = t
	_ = p.pipe.SetReadDeadline(t)
}

// armPartial sets the deadline of an unfinished line that has begun to
// wait, and clears it once no line waits. The wait is the line's, not the
// pipe's: a busy stream never has its lines cut, while a line that keeps
// growing without an end, a progress bar, is delivered every partialAfter.
func (p *pump) armPartial() {
	p.deadlineMu.Lock()
	defer p.deadlineMu.Unlock()
	if !p.endAt.IsZero() {
		return
	}
	if !p.parkAt.IsZero() {
		// Not quiet after all: the wait to park starts again at the
		// next empty read.
		p.parkAt = time.Time{}
		if p.partialAt.IsZero() {
			_ = p.pipe.SetReadDeadline(time.Time{})
		}
	}
	switch waiting := p.split.Waiting(); {
	case waiting && (p.partialAt.IsZero() || p.partialOf != p.split.Ended()):
		// A new unfinished line: its wait starts now.
		p.partialAt, p.partialOf = time.Now().Add(partialAfter), p.split.Ended()
		_ = p.pipe.SetReadDeadline(p.partialAt)
	case !waiting && !p.partialAt.IsZero():
		p.partialAt = time.Time{}
		_ = p.pipe.SetReadDeadline(time.Time{})
	}
}

// partialDue reports whether the deadline that passed was the unfinished
// line's, not the run's, and clears it.
func (p *pump) partialDue() bool {
	p.deadlineMu.Lock()
	defer p.deadlineMu.Unlock()
	if !p.endAt.IsZero() {
		return false
	}
	p.partialAt = time.Time{}
	_ = p.pipe.SetReadDeadline(time.Time{})
	return true
}

// drain reads what is left in the pipe without waiting for more.
func (p *pump) drain(conn syscall.RawConn) {
	c := chunks.Get().(*chunk)
	defer chunks.Put(c)
	_ = conn.Control(func(fd uintptr) {
		for total := 0; total < maxDrainBytes; {
			n, err := proc.ReadRetry(int(fd), c.buf[:])
			if err != nil || n == 0 {
				return
			}
			total += n
			p.handle(c.buf[:n])
		}
	})
}

// handle passes one read's bytes on.
func (p *pump) handle(data []byte) {
	if p.raw != nil {
		if _, err := p.raw.Write(data); err != nil {
			p.logError("write", err)
			p.raw = nil // keep reading: the child must never block on us
		}
	}
	p.capture(data, captureRead)
}

// capture keeps what of the splitter's input what says, and wakes the
// LogReaders when there are new lines: once per read, not once per line.
func (p *pump) capture(data []byte, what int) {
	o := p.out
	o.mu.Lock()
	before := o.seq
	p.now = time.Now().Round(0).UnixNano() // as the ring keeps it: no monotonic reading
	switch what {
	case captureRead:
		p.split.Split(data)
	case capturePartial:
		p.split.FlushPartial()
	case captureEnd:
		p.split.Flush()
	}
	if o.seq != before {
		p.toWake = o.cursors
	}
	p.paced = o.paced > 0
	o.mu.Unlock()
	// A full read leaves more in the pipe, most likely: the readers are
	// woken after a few such reads, or as soon as the pipe is drained (see
	// run), which saves a reader most of its sleeps and wake-ups while the
	// output streams, and delays no line once it pauses.
	if what == captureRead && len(data) == readSize && p.fullReads < wakeEvery-1 && !p.paced {
		p.fullReads++
		return
	}
	p.wakeReaders()
}

// wakeEvery is how many full reads of the pipe a pump makes, at most,
// before it wakes the readers.
const wakeEvery = 4

// wakeReaders wakes the readers that have new lines.
func (p *pump) wakeReaders() {
	p.fullReads = 0
	if p.toWake != nil {
		wakeCursors(p.toWake)
		p.toWake = nil
	}
}

// line is the splitter's Emit: it numbers one line and keeps it. out.mu is
// held (and let go while it waits for a paced reader: see makeRoom).
func (p *pump) line(text []byte, partial bool) {
	o := p.out
	o.makeRoom(p.stream, len(text))
	o.seq++
	if p.stream == StreamStderr {
		o.stderrN++
	} else {
		o.stdoutN++
	}
	o.ring(p.stream).Push(o.seq, p.now, int32(p.pid), uint8(p.hook), text, partial)
	if len(o.watches) > 0 {
		o.offer(Line{ID: o.id, Stream: p.stream, Seq: o.seq, PID: p.pid, Time: time.Unix(0, p.now), Text: string(text), Partial: partial, Hook: p.hook})
	}
}

func (p *pump) logError(op string, err error) {
	if p.logger != nil {
		p.logger.Warn("overseer: output "+op+" failed", "id", p.id, "stream", p.stream.String(), "err", err)
	}
}

// sameWriter reports whether a and b are the same writer, as os/exec checks
// for Stdout and Stderr, without panicking on a type that cannot be compared.
func sameWriter(a, b io.Writer) (same bool) {
	if a == nil || b == nil {
		return false
	}
	// A comparable type can still hold an interface field whose dynamic
	// value cannot be compared; == then panics, and they are not the same.
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	ta := reflect.TypeOf(a)
	return ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}

// lockedWriter serializes the writes of both pumps to one writer that was
// given as both Stdout and Stderr, so it sees one Write at a time, as with
// os/exec.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// lockedOrNil returns w serialized by a lockedWriter of its own, nil for
// nil.
func lockedOrNil(w io.Writer) io.Writer {
	if w == nil {
		return nil
	}
	return &lockedWriter{w: w}
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
