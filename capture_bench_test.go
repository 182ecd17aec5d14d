package overseer

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkLongLine measures what one line longer than MaxLineBytes costs on
// the capture path: it goes through a pump in reads of readSize, as from a
// pipe, into the ring, and to a subscriber when there is one. B/op is the
// memory allocated per line; pending-B is what the stream's splitter keeps
// afterwards, for as long as the stream lives.
func BenchmarkLongLine(b *testing.B) {
	for _, size := range []int{100 << 10, 1 << 20} {
		for _, subscriber := range []bool{false, true} {
			b.Run(fmt.Sprintf("%dKiB/subscriber=%v", size>>10, subscriber), func(b *testing.B) {
				line := append(bytes.Repeat([]byte("x"), size), '\n')
				var o output
				o.setLimits(defaultBufferLines, defaultBufferBytes, defaultMaxLineBytes)
				if subscriber {
					o.setSink("p", sinkFunc(func([]Line) {}))
				}
				p := newPump("p", 1, StreamStdout, nil, nil, &o, defaultMaxLineBytes, nil)
				c := new(chunk)
				b.ReportAllocs()
				b.SetBytes(int64(len(line)))
				for b.Loop() {
					for data := line; len(data) > 0; {
						n := copy(c.buf[:], data)
						p.capture(c, c.buf[:n], captureRead)
						data = data[n:]
					}
				}
				b.ReportMetric(float64(cap(p.split.pending)), "pending-B")
			})
		}
	}
}
