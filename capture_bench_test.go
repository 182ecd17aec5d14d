package overseer

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkLongLine measures what one line longer than MaxLineBytes costs on
// the capture path: it goes through a pump in reads of readSize, as from a
// pipe, into the ring, and to a reader when there is one, which reads
// after each read of the pipe.
//
// warm: the same stream takes line after line; B/op is the memory allocated
// per line, pending-B what the stream's splitter keeps afterwards, for as
// long as the stream lives. fresh: every line is the first of a new stream
// (a ring of 64 KiB) with an empty scratch chunk; B/op is all the memory
// that the line makes the stream and its scratch take.
func BenchmarkLongLine(b *testing.B) {
	for _, size := range []int{100 << 10, 1 << 20} {
		for _, fresh := range []bool{false, true} {
			for _, subscriber := range []bool{false, true} {
				name := fmt.Sprintf("%dKiB/fresh=%v/subscriber=%v", size>>10, fresh, subscriber)
				b.Run(name, func(b *testing.B) { benchLongLine(b, size, fresh, subscriber) })
			}
		}
	}
}

func benchLongLine(b *testing.B, size int, fresh, subscriber bool) {
	line := append(bytes.Repeat([]byte("x"), size), '\n')
	newPumpForLine := func() *pump {
		o := new(output)
		o.setLimits(defaultBufferLines, defaultMaxLineBytes, defaultMaxLineBytes)
		return newPump("p", 1, StreamStdout, nil, nil, o, defaultMaxLineBytes, nil)
	}
	p := newPumpForLine()
	var cur *cursor
	if subscriber {
		cur = testCursor(p.out, 0)
	}
	c := new(chunk)
	var read []Line
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if fresh {
			p = newPumpForLine()
			if subscriber {
				cur = testCursor(p.out, 0)
			}
		}
		for data := line; len(data) > 0; {
			n := copy(c.buf[:], data)
			p.capture(c.buf[:n], captureRead)
			data = data[n:]
			if cur != nil {
				read, _, _ = p.out.read(cur, read[:0], readBounds{lines: -1, bytes: -1})
			}
		}
	}
	b.ReportMetric(float64(p.split.Retained()), "pending-B")
}
