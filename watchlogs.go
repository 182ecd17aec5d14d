package overseer

import (
	"context"
	"sync"
)

// WatchLogs makes the Overseer send every output line of every process to
// ch, as it is read. It is a LogReader (see NewLogReader) and a goroutine
// that sends what it reads on ch, line by line: use a LogReader directly
// to take the lines a batch at a time, with no channel operation per line.
//
// The Overseer never blocks on ch: while the goroutine waits for ch, the
// lines wait in the processes' rings, which bound how far the subscriber
// can fall behind (Cmd.BufferLines, BufferBytes). Lines the rings let go
// before they were sent are counted by Dropped, and the subscriber sees
// the loss as a gap in the process's Seq; with WithLogBackpressure, the
// processes wait instead. The lines of each process arrive in Seq order.
// The returned function ends the subscription and the goroutine; once it
// has returned nothing more is sent to ch, so ch may then be closed. A nil
// ch subscribes nothing.
func (o *Overseer) WatchLogs(ch chan<- Line) (stop func()) {
	if ch == nil {
		return func() {}
	}
	// Batches the size of the channel: the rings, not the goroutine, hold
	// what the subscriber has not taken, and a paced reader shows progress
	// as often as the channel empties.
	r := o.NewLogReader(LogReaderConfig{MaxLines: min(max(cap(ch), 64), defaultBatchLines)})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			batch, err := r.Next(ctx)
			if err != nil {
				return // cancelled: stop was called
			}
			for _, l := range batch.Lines {
				select {
				case ch <- l: // the common case, far cheaper than a two-way select
					continue
				default:
				}
				select {
				case ch <- l:
				case <-ctx.Done():
					return
				}
			}
		}
	})
	return sync.OnceFunc(func() {
		cancel()
		wg.Wait()
		r.Close()
	})
}
