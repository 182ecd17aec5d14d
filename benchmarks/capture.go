//go:build linux

package benchmarks

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"time"

	"github.com/overseer-go/overseer"
)

// Capture jobs run the producer (Argv, which writes N lines) under a
// contender that reads every line.

// measureCapture times one capture run and checks that every line was seen
// or reported dropped.
func measureCapture(ctx context.Context, job Job, run func(context.Context, Job) (Figures, error)) (Figures, error) {
	cpu, start := HostCPU(), time.Now()
	f, err := run(ctx, job)
	if err != nil {
		return f, err
	}
	f.Wall, f.HostCPU = time.Since(start), HostCPU()-cpu
	f.Contender, f.N = job.Contender, job.N
	// A contender that counts Lines rather than whole lines may count one
	// more for a line cut in two, when the producer was descheduled in the
	// middle of it for longer than overseer's wait for an unfinished line.
	if f.Lines+int(f.Dropped) < job.N {
		return f, fmt.Errorf("benchmarks: %s saw %d lines and dropped %d, want %d", job.Contender, f.Lines, f.Dropped, job.N)
	}
	return f, nil
}

// CaptureOSExec is the floor: os/exec with a bufio.Scanner counting lines.
func CaptureOSExec(ctx context.Context, job Job) (Figures, error) {
	return measureCapture(ctx, job, func(ctx context.Context, job Job) (Figures, error) {
		cmd := exec.CommandContext(ctx, job.Argv[0], job.Argv[1:]...)
		out, err := cmd.StdoutPipe()
		if err != nil {
			return Figures{}, err
		}
		if err := cmd.Start(); err != nil {
			return Figures{}, err
		}
		sc := bufio.NewScanner(out)
		lines := 0
		for sc.Scan() {
			lines++
		}
		if err := cmd.Wait(); err != nil {
			return Figures{}, err
		}
		return Figures{Lines: lines}, nil
	})
}

// CaptureOverseer runs the producer as an overseer.Cmd that keeps its lines
// in the ring, with no subscriber.
func CaptureOverseer(ctx context.Context, job Job) (Figures, error) {
	return measureCapture(ctx, job, func(ctx context.Context, job Job) (Figures, error) {
		c := overseer.NewCmd(job.Argv[0], job.Argv[1:]...)
		if err := c.Start(); err != nil {
			return Figures{}, err
		}
		if st := c.Wait(); st.Error != nil {
			return Figures{}, st.Error
		}
		lines := c.Lines(0)
		if len(lines) == 0 {
			return Figures{}, nil
		}
		return Figures{Lines: int(lines[len(lines)-1].Seq)}, nil
	})
}

// CaptureWatchLogs runs the producer under an Overseer with one WatchLogs
// subscriber, a channel of job.Chan lines, that reads every line; with
// WithLogBackpressure, since the rings are all that holds what the
// subscriber has not taken.
func CaptureWatchLogs(ctx context.Context, job Job) (Figures, error) {
	return measureCapture(ctx, job, func(ctx context.Context, job Job) (Figures, error) {
		o := overseer.NewOverseer(overseer.WithLogBackpressure())
		if _, err := o.Add("p", job.Argv...); err != nil {
			return Figures{}, err
		}
		ch := make(chan overseer.Line, job.Chan)
		stop := o.WatchLogs(ch)
		last, count := make(chan struct{}), make(chan int)
		go func() {
			lines := 0
			for l := range ch {
				if lines++; l.Seq == uint64(job.N) {
					close(last)
				}
			}
			count <- lines
		}()
		err := o.Supervise(ctx, "p")
		// Every line has been published: unless some were dropped, the
		// last one is on its way to the subscriber.
		_, dropped := o.Dropped()
		if err == nil && dropped == 0 {
			select {
			case <-last:
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		stop() // then nothing more is sent, and ch can be closed
		close(ch)
		lines := <-count
		if err != nil {
			return Figures{}, err
		}
		return Figures{Lines: lines, Dropped: dropped}, nil
	})
}

// CaptureLogReader runs the producer under an Overseer with one LogReader
// that reads every line, a batch at a time, as a terminal does (ReuseText);
// with WithLogBackpressure, so that it loses none.
func CaptureLogReader(ctx context.Context, job Job) (Figures, error) {
	return measureCapture(ctx, job, func(ctx context.Context, job Job) (Figures, error) {
		o := overseer.NewOverseer(overseer.WithLogBackpressure())
		if _, err := o.Add("p", job.Argv...); err != nil {
			return Figures{}, err
		}
		r := o.NewLogReader(overseer.LogReaderConfig{ReuseText: true})
		defer r.Close()
		done := make(chan struct{})
		var serr error
		go func() {
			defer close(done)
			serr = o.Supervise(ctx, "p")
		}()
		// Read until the run has ended, then what is left (a done context
		// drains the reader). Whole lines are counted: a line cut in two
		// when its producer was descheduled mid-line is one line.
		readCtx, cancel := context.WithCancel(ctx)
		go func() {
			<-done
			cancel()
		}()
		lines := 0
		var missed uint64
		for {
			b, err := r.Next(readCtx)
			if err != nil {
				break
			}
			for _, l := range b.Lines {
				if !l.Partial {
					lines++
				}
			}
			for _, m := range b.Missed {
				missed += m.Count
			}
		}
		<-done
		if serr != nil {
			return Figures{}, serr
		}
		return Figures{Lines: lines, Dropped: missed}, nil
	})
}
