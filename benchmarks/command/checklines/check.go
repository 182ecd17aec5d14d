package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/overseer-go/overseer/benchmarks/command/internal/numline"
)

// prefixRE takes the prefix of a printed line apart, in the formats of
// overseer and hivemind ("name | text"), goreman ("15:04:05 name | text")
// and foreman ("15:04:05 name.1 | text"); the name is padded with spaces.
// overseer's other separators ("name * state", "name ! stderr") do not
// match, and such lines count as other.
var prefixRE = regexp.MustCompile(`^(?:\d\d:\d\d:\d\d(?:\.\d+)? +)?([^\s|]+) *\| ?(.*)$`)

// ansiRE is an escape sequence that a supervisor may put around its prefix:
// CSI (colours) or OSC (hivemind sets the terminal's title).
var ansiRE = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)")

// foremanSuffixRE is foreman's instance number after a process's name.
var foremanSuffixRE = regexp.MustCompile(`\.\d+$`)

// procCount is what one process printed.
type procCount struct {
	ok         int    // whole lines, each new number once
	dup        int    // whole lines whose number was printed before
	outOfOrder int    // whole lines printed after a higher number of the same tag
	broken     int    // pieces of lines, lines of another process, lines cut or joined
	noise      int    // the supervisor's own lines under this name
	seen       []bool // numbers printed
	max        int    // highest number printed, -1 before the first
}

// Report is what checklines found in one output.
type Report struct {
	Procs       int // processes expected
	Lines       int // lines expected of each
	Seen        int // processes that printed at least one whole line
	OK          int // whole lines, in order, each once
	Lost        int // expected lines never printed whole
	Broken      int // printed lines that are a piece, a mix or a cut of numbered lines
	OutOfOrder  int // whole lines printed after a higher number of the same process
	Dup         int // whole lines printed twice
	Foreign     int // whole lines of a tag that was not expected
	Other       int // lines without a "name |" prefix, or the supervisor's own under a name
	OtherPieces int // of Other: lines without a prefix that look like pieces of numbered lines (counted in Broken too)
	Worst       []string
	Samples     []string // the first broken and foreign lines, as printed
}

// maxSamples is how many broken or foreign lines a Report keeps.
const maxSamples = 10

// Clean reports whether every expected line was printed whole, once, in
// order, and nothing broken or foreign was printed.
func (r Report) Clean() bool {
	return r.Lost == 0 && r.Broken == 0 && r.OutOfOrder == 0 && r.Dup == 0 && r.Foreign == 0
}

// String is the report as one line of key=value pairs, which run.sh reads.
func (r Report) String() string {
	return fmt.Sprintf("procs=%d lines=%d seen=%d ok=%d lost=%d broken=%d outoforder=%d dup=%d foreign=%d other=%d",
		r.Procs, r.Lines, r.Seen, r.OK, r.Lost, r.Broken, r.OutOfOrder, r.Dup, r.Foreign, r.Other)
}

// Check reads printed output from r: procs processes tagged p0, p1, …,
// each expected to print lines numbered lines of size bytes.
func Check(r io.Reader, procs, lines, size int) (Report, error) {
	counts := make(map[string]*procCount, procs)
	for i := 0; i < procs; i++ {
		counts[fmt.Sprintf("p%d", i)] = &procCount{seen: make([]bool, lines), max: -1}
	}
	rep := Report{Procs: procs, Lines: lines}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		raw := sc.Text()
		text := strings.TrimRight(raw, "\r")
		if strings.IndexByte(text, 0x1b) >= 0 {
			text = ansiRE.ReplaceAllString(text, "")
		}
		m := prefixRE.FindStringSubmatch(text)
		if m == nil {
			rep.Other++
			if numline.LooksLikePiece(text) {
				rep.OtherPieces++
				rep.Broken++
				rep.sample(raw)
			}
			continue
		}
		name := foremanSuffixRE.ReplaceAllString(m[1], "")
		content := m[2]
		tag, seq, ok := numline.Parse(content, size)
		pc := counts[name]
		switch {
		case ok && tag != name:
			// A whole line under the wrong name: the supervisor mixed
			// two processes' output.
			rep.Broken++
			rep.sample(raw)
			if pc != nil {
				pc.broken++
			}
		case ok && (pc == nil || seq >= lines):
			rep.Foreign++
			rep.sample(raw)
		case ok:
			switch {
			case pc.seen[seq]:
				pc.dup++
			case seq < pc.max:
				pc.seen[seq] = true
				pc.outOfOrder++
			default:
				pc.seen[seq] = true
				pc.ok++
				pc.max = seq
			}
		case numline.LooksLikePiece(content):
			rep.Broken++
			rep.sample(raw)
			if pc != nil {
				pc.broken++
			}
		default:
			rep.Other++
			if pc != nil {
				pc.noise++
			}
		}
	}
	if err := sc.Err(); err != nil {
		return rep, fmt.Errorf("read: %w", err)
	}
	type bad struct {
		name string
		lost int
		pc   *procCount
	}
	var bads []bad
	for name, pc := range counts {
		lost := 0
		for _, s := range pc.seen {
			if !s {
				lost++
			}
		}
		if pc.max >= 0 {
			rep.Seen++
		}
		rep.OK += pc.ok
		rep.Lost += lost
		rep.OutOfOrder += pc.outOfOrder
		rep.Dup += pc.dup
		if lost > 0 || pc.outOfOrder > 0 || pc.dup > 0 || pc.broken > 0 {
			bads = append(bads, bad{name, lost, pc})
		}
	}
	sort.Slice(bads, func(i, j int) bool {
		if bads[i].lost != bads[j].lost {
			return bads[i].lost > bads[j].lost
		}
		return bads[i].name < bads[j].name
	})
	for i, b := range bads {
		if i == 5 {
			rep.Worst = append(rep.Worst, fmt.Sprintf("… and %d more processes", len(bads)-5))
			break
		}
		rep.Worst = append(rep.Worst, fmt.Sprintf("%s: lost=%d broken=%d outoforder=%d dup=%d",
			b.name, b.lost, b.pc.broken, b.pc.outOfOrder, b.pc.dup))
	}
	return rep, nil
}

// sample keeps line among the Samples, if there is room.
func (r *Report) sample(line string) {
	if len(r.Samples) < maxSamples {
		r.Samples = append(r.Samples, line)
	}
}
