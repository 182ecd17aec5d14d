package dashboard

import (
	"strings"

	"github.com/overseer-go/overseer"
)

// The pages in which a long answer reads the lines of a process.
const (
	pageBytes = 256 << 10 // of text, but at least one line
	pageLines = 1024
)

// pager reads the lines of one process whose Seq is in (after, end], a
// page at a time, so that an answer being sent holds one page of them and
// not every line the process keeps: Cmd.Lines returns the texts of all
// the lines it returns in one string, which any one of them keeps alive.
// Each page has its texts copied out and the rest is let go; the next
// page is read anew after the last Seq taken. Lines the process drops
// meanwhile are left out. Reading a page copies the texts of every line
// after it, so the cost of an answer grows with its size squared over
// pageBytes: a few times its size for the default buffers.
type pager struct {
	lines func(after uint64) []overseer.Line // Cmd.Lines
	after uint64                             // the Seq of the last line taken
	end   uint64                             // the Seq of the last line to give
	page  []overseer.Line
}

// newPager returns a pager of the lines of first, which lines (Cmd.Lines)
// returned, in Seq order, and of those lines reads after them up to the
// last of first. first is let go once its first page is taken.
func newPager(lines func(uint64) []overseer.Line, first []overseer.Line) *pager {
	p := &pager{lines: lines}
	if len(first) == 0 {
		return p
	}
	p.after, p.end = first[0].Seq-1, first[len(first)-1].Seq
	p.fill(first)
	return p
}

// peek returns the next line, reading a page when the last is used up; ok
// is false when there are no more.
func (p *pager) peek() (l overseer.Line, ok bool) {
	if len(p.page) == 0 && p.after < p.end {
		p.fill(p.lines(p.after))
		if len(p.page) == 0 {
			p.after = p.end // none left up to end: they were dropped
		}
	}
	if len(p.page) == 0 {
		return overseer.Line{}, false
	}
	return p.page[0], true
}

// next moves past the line peek returned.
func (p *pager) next() {
	p.after = p.page[0].Seq
	p.page[0] = overseer.Line{}
	p.page = p.page[1:]
}

// fill makes the page of lines, those after p.after: up to end, at most
// pageLines and about pageBytes of text, the texts copied to one string of
// their own.
func (p *pager) fill(lines []overseer.Line) {
	n, size := 0, 0
	for n < len(lines) && n < pageLines && lines[n].Seq <= p.end && (n == 0 || size+len(lines[n].Text) <= pageBytes) {
		size += len(lines[n].Text)
		n++
	}
	var b strings.Builder
	b.Grow(size)
	for _, l := range lines[:n] {
		b.WriteString(l.Text)
	}
	all, off := b.String(), 0
	p.page = make([]overseer.Line, n)
	for i, l := range lines[:n] {
		l.Text, off = all[off:off+len(l.Text)], off+len(l.Text)
		p.page[i] = l
	}
}
