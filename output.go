package overseer

import (
	"io"
	"log/slog"
	"os"
	"reflect"
	"sync"
	"syscall"
	"time"
)

// output is what a Cmd keeps of its processes' output: one ring per stream
// and the Seq counter they share. It outlives runs: Seq goes on counting and
// the rings keep the last run's lines until the next run's push them out.
type output struct {
	mu     sync.Mutex
	seq    uint64
	stdout ring
	stderr ring
	// publish, when set, receives every batch of new Lines in Seq order,
	// under mu. It must not block (the Overseer's hub only makes
	// non-blocking sends, as os/signal does).
	publish func([]Line)
}

func (o *output) ring(s Stream) *ring {
	if s == StreamStderr {
		return &o.stderr
	}
	return &o.stdout
}

// add numbers lines, keeps them and publishes them.
func (o *output) add(s Stream, lines []Line) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.ring(s)
	for i := range lines {
		o.seq++
		lines[i].Seq = o.seq
		r.push(lines[i])
	}
	if o.publish != nil {
		o.publish(lines)
	}
}

func (o *output) setLimits(maxLines, maxBytes int) {
	o.mu.Lock()
	o.stdout.setLimits(maxLines, maxBytes)
	o.stderr.setLimits(maxLines, maxBytes)
	o.mu.Unlock()
}

// since returns the Lines held with Seq > seq, of both streams, in Seq order.
func (o *output) since(seq uint64) []Line {
	o.mu.Lock()
	defer o.mu.Unlock()
	i, j := o.stdout.after(seq), o.stderr.after(seq)
	out := make([]Line, 0, o.stdout.n-i+o.stderr.n-j)
	for i < o.stdout.n || j < o.stderr.n {
		if j == o.stderr.n || (i < o.stdout.n && o.stdout.at(i).Seq < o.stderr.at(j).Seq) {
			out = append(out, *o.stdout.at(i))
			i++
		} else {
			out = append(out, *o.stderr.at(j))
			j++
		}
	}
	return out
}

func (o *output) texts() (stdout, stderr []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stdout.texts(), o.stderr.texts()
}

// readSize is how much a pump reads at a time: the default capacity of a
// Linux pipe, so a full pipe is emptied in one read.
const readSize = 64 << 10

// chunk is the scratch space of a pump while it handles one read. Pumps
// borrow one only while their pipe has data, so a thousand quiet processes
// hold no read buffers.
type chunk struct {
	buf   [readSize]byte
	lines []Line
}

// chunks is shared by every pump of the package: it is a cache of scratch
// memory, with no state that one Cmd could see of another's.
var chunks = sync.Pool{New: func() any { return new(chunk) }}

// maxDrainBytes bounds the last read of a pipe whose writer outlived the
// process group (see pump.run), so such a writer cannot keep a run alive.
const maxDrainBytes = 1 << 20

// A pump moves one stream of one run from its pipe into the Cmd's output:
// raw bytes to the optional writer, Lines to the ring and the subscribers.
// It reads until every writer of the pipe has closed it, or until the read
// deadline that the run sets once the process group is gone.
type pump struct {
	id     string
	stream Stream
	pipe   *os.File // the read end; non-blocking, polled by the runtime
	raw    io.Writer
	out    *output
	split  splitter
	logger *slog.Logger
}

func (p *pump) run() {
	conn, err := p.pipe.SyscallConn()
	if err != nil {
		p.logError("pipe", err)
		return
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
			n, rerr = readRetry(int(fd), c.buf[:])
			if rerr == syscall.EAGAIN {
				chunks.Put(c)
				c = nil
				return false // wait until the pipe is readable
			}
			return true
		})
		if err != nil {
			// The deadline passed: the process group is gone, and what is
			// still holding the pipe open is outside it. Take what is
			// already in the pipe and stop.
			p.drain(conn)
			break
		}
		if rerr != nil || n == 0 {
			chunks.Put(c)
			if rerr != nil {
				p.logError("read", rerr)
			}
			break
		}
		p.handle(c, c.buf[:n])
		chunks.Put(c)
	}
	c := chunks.Get().(*chunk)
	p.emit(c, p.split.flush(c.lines[:0]))
	chunks.Put(c)
}

// drain reads what is left in the pipe without waiting for more.
func (p *pump) drain(conn syscall.RawConn) {
	c := chunks.Get().(*chunk)
	defer chunks.Put(c)
	_ = conn.Control(func(fd uintptr) {
		for total := 0; total < maxDrainBytes; {
			n, err := readRetry(int(fd), c.buf[:])
			if err != nil || n == 0 {
				return
			}
			total += n
			p.handle(c, c.buf[:n])
		}
	})
}

// handle passes one read's bytes on.
func (p *pump) handle(c *chunk, data []byte) {
	if p.raw != nil {
		if _, err := p.raw.Write(data); err != nil {
			p.logError("write", err)
			p.raw = nil // keep reading: the child must never block on us
		}
	}
	p.emit(c, p.split.split(data, c.lines[:0]))
}

func (p *pump) emit(c *chunk, lines []Line) {
	c.lines = lines[:0]
	if len(lines) == 0 {
		return
	}
	now := time.Now()
	for i := range lines {
		lines[i].ID, lines[i].Stream, lines[i].Time = p.id, p.stream, now
	}
	p.out.add(p.stream, lines)
	clear(lines) // let the Texts go with the chunk back to the pool
}

func (p *pump) logError(op string, err error) {
	if p.logger != nil {
		p.logger.Warn("overseer: output "+op+" failed", "id", p.id, "stream", p.stream.String(), "err", err)
	}
}

// sameWriter reports whether a and b are the same writer, as os/exec checks
// for Stdout and Stderr, without panicking on a type that cannot be compared.
func sameWriter(a, b io.Writer) bool {
	if a == nil || b == nil {
		return false
	}
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

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
