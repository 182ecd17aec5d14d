package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// The probes are Checkers too.
var (
	_ overseer.Checker = (*TCP)(nil)
	_ overseer.Checker = (*HTTP)(nil)
	_ overseer.Checker = (*Command)(nil)
	_ overseer.Checker = Lines{}
	_ overseer.Probe   = Lines{}
)

// TestTCPCheck: one connect, its error after what was tried.
func TestTCPCheck(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	require.NoError(t, (&TCP{Addr: ln.Addr().String()}).Check(context.Background(), nil))

	addr := freeAddr(t)
	err := (&TCP{Addr: addr}).Check(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tcp "+addr+": ")
	assert.Contains(t, err.Error(), "refused")

	err = (&TCP{}).Check(context.Background(), nil)
	assert.ErrorIs(t, err, overseer.ErrInvalid)
}

// TestHTTPCheck: one GET; a status other than 2xx is a failure that says
// which.
func TestHTTPCheck(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	p := &HTTP{URL: srv.URL + "/healthz"}
	require.NoError(t, p.Check(context.Background(), nil))

	status.Store(http.StatusInternalServerError)
	err := p.Check(context.Background(), nil)
	require.Error(t, err)
	assert.Equal(t, "http "+srv.URL+"/healthz: status 500 Internal Server Error", err.Error())

	assert.ErrorIs(t, (&HTTP{URL: "ftp://x"}).Check(context.Background(), nil), overseer.ErrInvalid)
}

// TestHTTPCheckBoundedByContext: a server that never answers fails the
// try when its context is done.
func TestHTTPCheckBoundedByContext(t *testing.T) {
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hold)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := (&HTTP{URL: srv.URL}).Check(ctx, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// TestCommandCheck: Args run once; exit 0 passes.
func TestCommandCheck(t *testing.T) {
	require.NoError(t, (&Command{Args: []string{"true"}}).Check(context.Background(), nil))
	err := (&Command{Args: []string{"sh", "-c", "echo sick; exit 3"}}).Check(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "command sh -c echo sick; exit 3: ")
	assert.Contains(t, err.Error(), "sick")
	assert.ErrorIs(t, (&Command{}).Check(context.Background(), nil), overseer.ErrInvalid)
}

// TestLineCheckThroughTheCore: a run that writes its line once is healthy
// at the first try, and unhealthy once no line came for Failures tries:
// stopped as a failed run, the reason in Status.Error.
func TestLineCheckThroughTheCore(t *testing.T) {
	o := overseer.NewOverseer()
	defer o.StopAll()
	c, err := o.Add("x", "sh", "-c", "echo alive; exec sleep 30")
	require.NoError(t, err)
	c.Restart = overseer.RestartNever
	c.Ready = Line(regexp.MustCompile("alive"))
	c.Liveness = overseer.Liveness{Check: Line(regexp.MustCompile("alive")), Period: 20 * time.Millisecond, Failures: 2}

	events := make(chan overseer.Event, 64)
	stop := o.Watch(events)
	defer stop()
	require.NoError(t, o.Start("x"))
	var healths []overseer.Health
	for e := waitState(t, events, overseer.StateRunning); e.To != overseer.StateStopping; {
		select {
		case e = <-events:
			if e.From == e.To {
				healths = append(healths, e.Health)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("not stopped after 10s")
		}
	}
	assert.Equal(t, []overseer.Health{overseer.HealthHealthy, overseer.HealthUnhealthy}, healths)
	st := c.Wait()
	require.ErrorIs(t, st.Error, overseer.ErrUnhealthy)
	assert.Contains(t, st.Error.Error(), `overseer: x: liveness: line "alive": not written since the last try after 2 tries`)
}
