package overseer

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Between tries, a run's liveness check holds a timer and no goroutine:
// quiet children checked every hour hold one goroutine each, as without
// a check (see TestIdleChildHoldsOneGoroutine).
func TestLivenessIdleHoldsNoGoroutine(t *testing.T) {
	const n = 20
	o := newTestOverseer(t)
	before := goroutinesAfterOneRun(t, o)
	pass := checkFunc(func(context.Context, *ProbeRun) error { return nil })
	var cmds []*Cmd
	for i := range n {
		c, err := o.Add("p"+strconv.Itoa(i), childPath, "sleep")
		require.NoError(t, err)
		c.Liveness = Liveness{Check: pass, Period: time.Hour}
		require.NoError(t, o.Start(c.id))
		cmds = append(cmds, c)
	}
	// The first tries, at once, have passed.
	eventually(t, func() bool {
		for _, c := range cmds {
			if c.Status().Health != HealthHealthy {
				return false
			}
		}
		return true
	}, "not all healthy")
	const slack = 3
	eventually(t, func() bool { return runtime.NumGoroutine()-before <= n+slack },
		"%d quiet children with a liveness check hold more than one goroutine each", n)
}
