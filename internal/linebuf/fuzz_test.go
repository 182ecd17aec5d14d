package linebuf

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Fuzz targets for the line splitter, against refSplit, and the ring,
// against ringModel. Their seeds are in testdata/fuzz/<FuzzName>.
//
//	go test -run '^$' -fuzz '^FuzzSplit$' -fuzztime 10s ./internal/linebuf

// fuzzChunk is one chunk fed to a splitter, and whether flushPartial is
// called after it.
type fuzzChunk struct {
	data         []byte
	flushPartial bool
}

// fuzzChunks cuts data into chunks: each byte of cuts gives the size of the
// next chunk in its low 7 bits (0, an empty chunk, to 127 bytes) and, in its
// high bit, a call of flushPartial after it. What the cuts do not cover is
// the last chunk.
func fuzzChunks(data, cuts []byte) []fuzzChunk {
	var chunks []fuzzChunk
	for _, c := range cuts {
		n := min(int(c&0x7f), len(data))
		chunks = append(chunks, fuzzChunk{data: data[:n], flushPartial: c&0x80 != 0})
		data = data[n:]
	}
	if len(data) > 0 {
		chunks = append(chunks, fuzzChunk{data: data})
	}
	return chunks
}

// fuzzMax maps a fuzzed number to a max line length of 1 to 300.
func fuzzMax(m uint16) int { return 1 + int(m%300) }

// splitChunk feeds one chunk to s from a buffer of its own that it then
// scribbles over, as a pump reuses its read buffer: a splitter that kept a
// reference to its input would give different lines.
func splitChunk(s *testSplitter, chunk []byte) {
	buf := bytes.Clone(chunk)
	s.Split(buf)
	for i := range buf {
		buf[i] = '#'
	}
}

// firstDiff describes the first difference between two lists of lines.
func firstDiff(got, want []piece) string {
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			return fmt.Sprintf("line %d missing, want %s (got %d lines, want %d)", i, showLines(want[i]), len(got), len(want))
		case i >= len(want):
			return fmt.Sprintf("extra line %d %s (got %d lines, want %d)", i, showLines(got[i]), len(got), len(want))
		case got[i] != want[i]:
			return fmt.Sprintf("line %d: got %s, want %s", i, showLines(got[i]), showLines(want[i]))
		}
	}
	return ""
}

// showLines shows the Text and Partial mark of lines.
func showLines(lines ...piece) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%q", l.Text)
		if l.Partial {
			b.WriteString("(partial)")
		}
	}
	return b.String()
}

// joinPieces joins each run of Partial pieces with the non-Partial piece
// that follows it, giving whole lines; Partial pieces at the very end (the
// stream ended inside a line) make a last line of their own.
func joinPieces(pieces []piece) []string {
	var lines []string
	var cur strings.Builder
	open := false
	for _, p := range pieces {
		cur.WriteString(p.Text)
		open = true
		if !p.Partial {
			lines = append(lines, cur.String())
			cur.Reset()
			open = false
		}
	}
	if open {
		lines = append(lines, cur.String())
	}
	return lines
}

// inputLines is the lines of data, as joinPieces must give them back from
// the pieces of a splitter: each without its "\n" and the "\r" before it,
// and the unterminated rest, if any, as it is.
func inputLines(data []byte) []string {
	var lines []string
	start := 0
	for i, b := range data {
		if b == '\n' {
			lines = append(lines, string(bytes.TrimSuffix(data[start:i], []byte("\r"))))
			start = i + 1
		}
	}
	if start < len(data) {
		lines = append(lines, string(data[start:]))
	}
	return lines
}

func FuzzSplit(f *testing.F) {
	// More seeds in testdata/fuzz/FuzzSplit.
	f.Add([]byte("one\ntwo\r\nthree"), []byte{}, uint16(7))
	f.Fuzz(func(t *testing.T, data, cuts []byte, m uint16) {
		// Longer inputs find nothing more (lines of up to 3 max), and only
		// slow the fuzzer's minimization of every new input.
		data, cuts = data[:min(len(data), 1024)], cuts[:min(len(cuts), 256)]
		max := fuzzMax(m)
		chunks := fuzzChunks(data, cuts)
		want := textPartial(refSplit(data, max))

		// 1. Chunks, then flush: exactly the reference, whatever the
		// chunking.
		s := newTestSplitter(max)
		for i, c := range chunks {
			splitChunk(s, c.data)
			if len(s.pending) > max+1 {
				t.Fatalf("after chunk %d: %d bytes pending, more than max+1 = %d", i, len(s.pending), max+1)
			}
		}
		beforeFlush := textPartial(s.take())
		s.Flush()
		if len(s.pending) != 0 {
			t.Fatalf("after flush: %d bytes pending", len(s.pending))
		}
		got := append(beforeFlush, textPartial(s.take())...)
		if d := firstDiff(got, want); d != "" {
			t.Fatalf("max %d, input %q, chunks %d: %s", max, data, len(chunks), d)
		}

		// What split emits before the flush does not depend on the
		// chunking either: the whole input at once gives the same.
		whole := newTestSplitter(max)
		splitChunk(whole, data)
		if d := firstDiff(beforeFlush, textPartial(whole.take())); d != "" {
			t.Fatalf("max %d, input %q: before flush, chunked vs whole: %s", max, data, d)
		}

		// The reference's pieces, joined, are the lines of the input (a
		// check of inputLines, the model of part 2).
		if got, want := joinPieces(want), inputLines(data); !slices.Equal(got, want) {
			t.Fatalf("input %q: refSplit joins to %q, the model says %q", data, got, want)
		}

		// 2. The same chunks with flushPartial where the cuts say, as a
		// pump calls it when a line has waited long enough: the pieces
		// still join to the lines of the input. flushPartial emits what
		// of the unfinished line is known, and keeps a final "\r", which
		// a "\n" may yet drop.
		p := newTestSplitter(max)
		var flushAt []int
		off := 0
		for i, c := range chunks {
			splitChunk(p, c.data)
			off += len(c.data)
			if c.flushPartial {
				waiting := p.Waiting()
				before := len(p.lines)
				p.FlushPartial()
				flushAt = append(flushAt, off)
				if emitted := len(p.lines) > before; emitted != waiting {
					t.Fatalf("input %q: flushPartial at %d emitted pieces %s, but waiting() said %v",
						data, off, showLines(p.lines[before:]...), waiting)
				}
				if len(p.pending) > 1 || (len(p.pending) == 1 && p.pending[0] != '\r') || p.Waiting() {
					t.Fatalf("input %q: after flushPartial at %d, %q is pending (waiting %v)", data, off, p.pending, p.Waiting())
				}
			}
			if len(p.pending) > max+1 {
				t.Fatalf("after chunk %d (flushPartial): %d bytes pending, more than max+1 = %d", i, len(p.pending), max+1)
			}
			if ended := countEnded(p.lines); p.ended != ended {
				t.Fatalf("input %q: after chunk %d, ended is %d, but %d lines were ended", data, i, p.ended, ended)
			}
		}
		p.Flush()
		pieces := textPartial(p.take())
		for i, l := range pieces {
			if len(l.Text) > max {
				t.Fatalf("input %q: piece %d %q is longer than max %d", data, i, l.Text, max)
			}
			if l.Partial && l.Text == "" {
				t.Fatalf("input %q: piece %d is an empty Partial piece", data, i)
			}
		}
		if len(flushAt) == 0 {
			if d := firstDiff(pieces, want); d != "" {
				t.Fatalf("no flushPartial, yet: %s", d)
			}
		}
		gotLines, wantLines := joinPieces(pieces), inputLines(data)
		if !slices.Equal(gotLines, wantLines) {
			t.Fatalf("max %d, input %q, flushPartial at %v:\npieces %s\njoin to %q\nwant    %q",
				max, data, flushAt, showLines(pieces...), gotLines, wantLines)
		}
	})
}

// countEnded counts the lines that end in pieces: the pieces not Partial.
func countEnded(pieces []piece) uint64 {
	n := uint64(0)
	for _, l := range pieces {
		if !l.Partial {
			n++
		}
	}
	return n
}

// FuzzRing pushes lines into a ring, with new limits now and then, and
// compares it with ringModel after every step. Each byte of ops is one push:
// its low 6 bits give the length of the text (modulo maxLine+1), bit 6 the
// Partial mark and bit 7 a gap of one in Seq (the other stream's line). The
// byte 0xff followed by three more sets new limits from them instead.
func FuzzRing(f *testing.F) {
	// More seeds in testdata/fuzz/FuzzRing.
	f.Add([]byte{3, 3, 3, 0x43, 0xff, 2, 1, 20, 5, 0}, uint8(4), uint16(16), uint8(8))
	f.Fuzz(func(t *testing.T, ops []byte, lines uint8, byteBound uint16, line uint8) {
		maxLines, maxBytes, maxLine := 1+int(lines%40), int(byteBound%2048), 1+int(line%200)
		r := &Ring{}
		r.SetLimits(maxLines, maxBytes, maxLine)
		model := ringModel{maxLines: maxLines, maxByte: maxBytes}
		if len(ops) > 256 {
			ops = ops[:256] // enough to wrap any ring many times; longer inputs only slow the fuzzer
		}
		partial := make(map[uint64]bool)
		seq := uint64(0)
		var scratch []byte
		for i := 0; i < len(ops); i++ {
			op := ops[i]
			full := i%32 == 0 || i == len(ops)-1 // compare everything; else the newest line
			if op == 0xff && i+3 < len(ops) {
				maxLines, maxBytes, maxLine = 1+int(ops[i+1]%40), int(ops[i+2])*8, 1+int(ops[i+3]%200)
				i += 3
				r.SetLimits(maxLines, maxBytes, maxLine)
				m := ringModel{maxLines: maxLines, maxByte: maxBytes}
				for k, text := range model.texts {
					m.push(model.seqs[k], text)
				}
				model = m
				full = true
			} else {
				seq += 1 + uint64(op>>7)
				text := make([]byte, int(op&0x3f)%(maxLine+1))
				for k := range text {
					text[k] = byte(seq*31) + byte(k)
				}
				r.Push(seq, int64(seq)*1000, 0, uint8(seq%4), text, op&0x40 != 0)
				model.push(seq, string(text))
				partial[seq] = op&0x40 != 0
			}
			if r.n != len(model.seqs) {
				t.Fatalf("op %d: ring holds %d lines, the model %d", i, r.n, len(model.seqs))
			}
			if r.n > 0 {
				m := r.At(r.n - 1)
				scratch = r.copyText(scratch[:0], m.off, int(m.Len))
				if want := model.texts[len(model.texts)-1]; m.Seq != seq || string(scratch) != want {
					t.Fatalf("op %d: newest line is Seq %d %q, want Seq %d %q", i, m.Seq, scratch, seq, want)
				}
			}
			if !full {
				continue
			}
			checkRing(t, r)
			if got := ringSeqs(r); !slices.Equal(got, model.seqs) {
				t.Fatalf("op %d: ring holds Seqs %v, the model %v", i, got, model.seqs)
			}
			if got := r.Texts(); !slices.Equal(got, model.texts) {
				t.Fatalf("op %d: ring holds %q, the model %q", i, got, model.texts)
			}
			for k := 0; k < r.n; k++ {
				m := r.At(k)
				if m.Partial != partial[m.Seq] || m.Time != int64(m.Seq)*1000 || m.Mark != uint8(m.Seq%4) {
					t.Fatalf("op %d: line Seq %d has partial %v, time %d, mark %d; pushed with %v, %d, %d",
						i, m.Seq, m.Partial, m.Time, m.Mark, partial[m.Seq], int64(m.Seq)*1000, m.Seq%4)
				}
			}
		}
		// after finds every line held by the Seq before it.
		for k, s := range model.seqs {
			if got := r.After(s - 1); got != k {
				t.Fatalf("after(%d) = %d, want %d (Seqs %v)", s-1, got, k, model.seqs)
			}
		}
		if got := r.After(seq); got != r.n {
			t.Fatalf("after(%d), the newest Seq, = %d, want %d", seq, got, r.n)
		}
	})
}
