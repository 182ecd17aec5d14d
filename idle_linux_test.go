package overseer

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A quiet supervised child holds one goroutine of the host: its run's,
// which waits for the exit and watches both pipes, once they have been
// quiet for parkAfter. (Four before: the supervision's loop, the waiter
// and a reader per pipe.)
func TestIdleChildHoldsOneGoroutine(t *testing.T) {
	const n = 20
	o := newTestOverseer(t)
	before := goroutinesAfterOneRun(t, o)
	for i := range n {
		id := "p" + strconv.Itoa(i)
		ops := []string{"sleep"}
		if i%2 == 0 {
			ops = []string{"out:hello", "err:oops", "sleep"} // pumps that ran, then park
		}
		_, err := o.Add(id, append([]string{childPath}, ops...)...)
		require.NoError(t, err)
		require.NoError(t, o.Start(id))
	}
	// The goroutines of the starts end by themselves, soon.
	const slack = 3
	eventually(t, func() bool { return runtime.NumGoroutine()-before <= n+slack },
		"%d quiet children hold more than one goroutine each", n)
}

// Output that comes in bursts, with the pipes parked in between, loses no
// line and keeps its order, on both streams; an unfinished line is still
// delivered live, and what a process writes just before it exits is read.
func TestQuietPipesLoseNoLines(t *testing.T) {
	var ops, wantOut, wantErr []string
	const bursts = 3
	for i := range bursts {
		for j := range 5 {
			ops = append(ops, fmt.Sprintf("out:o%d.%d", i, j), fmt.Sprintf("err:e%d.%d", i, j), "sleepms:2")
			wantOut = append(wantOut, fmt.Sprintf("o%d.%d", i, j))
			wantErr = append(wantErr, fmt.Sprintf("e%d.%d", i, j))
		}
		ops = append(ops, fmt.Sprintf("sleepms:%d", (parkAfter+parkAfter/4).Milliseconds())) // parked
	}
	ops = append(ops, "raw:prompt ", "sleepms:300", "out:answer", "sleepms:5", "raw:last")
	c, _ := newChild(t, ops...)
	c.Restart = RestartNever
	require.NoError(t, c.Start())
	st := wait(t, c)
	require.Equal(t, StateFinished, st.State, "%+v", st)

	// Each stream in its order (the two are read apart, so their Lines
	// may interleave either way).
	var out, errs []string
	var partial int
	for _, l := range c.Lines(0) {
		if l.Partial {
			partial++
		}
		if l.Stream == StreamStderr {
			errs = append(errs, l.Text)
		} else {
			out = append(out, l.Text)
		}
	}
	assert.Equal(t, wantErr, errs)
	// The prompt was delivered as a Partial Line while the child slept
	// (the Line it began ends as "answer").
	assert.Equal(t, 1, partial, "%q", out)
	assert.Equal(t, append(wantOut, "prompt ", "answer", "last"), out)
}

// goroutinesAfterOneRun makes one run of a child and returns the host's
// goroutines once it has ended: the first run of the test binary may
// start the guardian's goroutine, which must not be counted as a run's.
func goroutinesAfterOneRun(t *testing.T, o *Overseer) int {
	t.Helper()
	warm, err := o.Add("warm", childPath, "sleep")
	require.NoError(t, err)
	require.NoError(t, o.Start("warm"))
	require.NoError(t, o.Stop("warm"))
	wait(t, warm)
	return runtime.NumGoroutine()
}
