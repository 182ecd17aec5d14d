//go:build linux

package benchmarks

import (
	"context"
	"fmt"
	"os"
	"testing"

	gocmd "github.com/go-cmd/cmd"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// producer is testdata/child of the module, built once by TestMain without
// -race: "fill:N" writes N lines of 100 bytes as fast as it can.
var producer string

// runners are the contenders: this package's and go-cmd/cmd's.
func runners() Runners {
	rs := Contenders()
	rs["capture/go-cmd-streaming"] = captureGoCmdStreaming
	rs["capture/go-cmd-buffered"] = captureGoCmdBuffered
	return rs
}

func TestMain(m *testing.M) {
	testbuild.Main(m, testbuild.Mode(serveJob), testbuild.Program("../testdata/child", &producer), testbuild.NoLeakCheck())
}

// serveJob makes the one measurement of a fresh process started by
// RunFresh.
func serveJob() (code int, ok bool) {
	served, err := ServeJob(context.Background(), runners())
	if !served {
		return 0, false
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1, true
	}
	return 0, true
}

// captureGoCmdStreaming reads the producer through go-cmd/cmd's streaming
// channels.
func captureGoCmdStreaming(ctx context.Context, job Job) (Figures, error) {
	return measureCapture(ctx, job, func(ctx context.Context, job Job) (Figures, error) {
		c := gocmd.NewCmdOptions(gocmd.Options{Streaming: true}, job.Argv[0], job.Argv[1:]...)
		status := c.Start()
		lines := 0
		stdout, stderr := c.Stdout, c.Stderr
		for stdout != nil || stderr != nil {
			select {
			case _, ok := <-stdout:
				if !ok {
					stdout = nil
					continue
				}
				lines++
			case _, ok := <-stderr:
				if !ok {
					stderr = nil
				}
			}
		}
		st := <-status
		return Figures{Lines: lines}, st.Error
	})
}

// captureGoCmdBuffered lets go-cmd/cmd keep every line, its default mode.
func captureGoCmdBuffered(ctx context.Context, job Job) (Figures, error) {
	return measureCapture(ctx, job, func(ctx context.Context, job Job) (Figures, error) {
		st := <-gocmd.NewCmd(job.Argv[0], job.Argv[1:]...).Start()
		return Figures{Lines: len(st.Stdout)}, st.Error
	})
}

func TestReadProcStatus(t *testing.T) {
	st, err := readProcStatus()
	if err != nil {
		t.Fatal(err)
	}
	if st.rss <= 0 || st.hwm < st.rss || st.threads < 1 {
		t.Fatalf("implausible /proc/self/status: %+v", st)
	}
}

// TestContendersAgree runs every capture contender on a small output, each
// in a fresh process, so a broken contender or a broken fresh-process run
// fails the tests, not only the benchmarks.
func TestContendersAgree(t *testing.T) {
	const n = 5000
	for name := range runners() {
		job := jobOf(name, n)
		if job.Kind != "capture" {
			continue
		}
		t.Run(job.Contender, func(t *testing.T) {
			f, err := RunFresh(context.Background(), job, "-test.run=^$")
			if err != nil {
				t.Fatal(err)
			}
			if f.Lines+int(f.Dropped) != n || f.Contender != job.Contender || f.PeakRSS <= 0 {
				t.Fatalf("figures of %s: %+v", name, f)
			}
		})
	}
}
