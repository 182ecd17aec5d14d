//go:build unix

package control

import (
	"strings"

	"github.com/overseer-go/overseer"
)

// maxJoin bounds a line put together from Partial pieces: once it holds
// that much, what it has goes out as a Partial piece of its own.
const maxJoin = 1 << 20

// joiner puts the Partial pieces of a line back together, so that a line
// is sent, filtered and shown whole: a piece waits for the next piece of
// its process and stream, and the whole line goes to emit, with the Seq,
// PID and Time of its first piece.
type joiner struct {
	emit    func(overseer.Line)
	pending []*pendingLine // few: at most one per process and stream
}

// pendingLine is a line whose pieces have come in part.
type pendingLine struct {
	first overseer.Line
	text  strings.Builder
}

// add takes one Line, in Seq order for its process.
func (j *joiner) add(l overseer.Line) {
	i := j.find(l.ID, l.Stream)
	if i >= 0 && j.pending[i].first.PID != l.PID {
		j.flush(i) // a new run: the old one's line ended unfinished
		i = -1
	}
	if i < 0 {
		if !l.Partial {
			j.emit(l)
			return
		}
		p := &pendingLine{first: l}
		p.text.WriteString(l.Text)
		j.pending = append(j.pending, p)
		return
	}
	p := j.pending[i]
	if p.text.Len()+len(l.Text) > maxJoin {
		j.flush(i)
		j.add(l)
		return
	}
	p.text.WriteString(l.Text)
	if l.Partial {
		return
	}
	whole := p.first
	whole.Text, whole.Partial = p.text.String(), false
	j.drop(i)
	j.emit(whole)
}

// waiting reports whether a line waits for its next piece.
func (j *joiner) waiting() bool { return len(j.pending) > 0 }

// flushID sends the unfinished lines of process id as they are, Partial.
func (j *joiner) flushID(id string) {
	for i := 0; i < len(j.pending); {
		if j.pending[i].first.ID == id {
			j.flush(i)
			continue
		}
		i++
	}
}

// flushAll sends every unfinished line as it is, Partial, oldest first.
func (j *joiner) flushAll() {
	for len(j.pending) > 0 {
		oldest := 0
		for i, p := range j.pending {
			if p.first.Time.Before(j.pending[oldest].first.Time) {
				oldest = i
			}
		}
		j.flush(oldest)
	}
}

// flush sends pending line i as it is, Partial.
func (j *joiner) flush(i int) {
	l := j.pending[i].first
	l.Text, l.Partial = j.pending[i].text.String(), true
	j.drop(i)
	j.emit(l)
}

func (j *joiner) drop(i int) {
	j.pending = append(j.pending[:i], j.pending[i+1:]...)
}

func (j *joiner) find(id string, s overseer.Stream) int {
	for i, p := range j.pending {
		if p.first.ID == id && p.first.Stream == s {
			return i
		}
	}
	return -1
}
