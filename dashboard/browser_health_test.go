//go:build unix

package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/overseer-go/overseer/probe"
)

// gate is a liveness probe that fails until it is opened.
type gate struct{ open atomic.Bool }

var errClosed = errors.New("the gate is closed")

func (g *gate) Check(context.Context, *overseer.ProbeRun) error {
	if g.open.Load() {
		return nil
	}
	return errClosed
}

// healthChildren registers, for the health tests, db, whose probe passes
// once its gate is opened (and never fails it for long enough to be
// unhealthy); api, whose probe always fails, and which then stays
// unhealthy while it is stopped, ignoring SIGTERM (it is ready, and
// checked, once it ignores it); and plain, without a
// probe. All run; db and plain are up.
func healthChildren(t *testing.T, o *overseer.Overseer) *gate {
	t.Helper()
	g := &gate{}
	db := addChild(t, o, "db", "ready", "sleep")
	db.Liveness = overseer.Liveness{Check: g, Period: 10 * time.Millisecond, Timeout: 10 * time.Millisecond, Failures: 1 << 30}
	api := addChild(t, o, "api", "ignore", "ready", "sleep")
	api.Ready = probe.Line(regexp.MustCompile("^ready$")) // SIGTERM ignored by then
	api.Liveness = overseer.Liveness{Check: &gate{}, Period: 10 * time.Millisecond, Timeout: 10 * time.Millisecond, Failures: 1}
	api.StopTimeout = time.Hour // killed by the test at its end
	t.Cleanup(func() {
		// Done with it; an error is that it has ended already.
		_ = o.Signal("api", syscall.SIGKILL)
	})
	addChild(t, o, "plain", "ready", "sleep")
	for _, id := range []string{"db", "api", "plain"} {
		if err := o.Start(id); err != nil {
			t.Fatal(err)
		}
		waitOutput(t, o, id, "ready")
	}
	return g
}

// health is the health field of the JSON of a process: "" when left out.
type health struct {
	Health *string `json:"health"`
}

// TestAPIHealth: the JSON of a process with a liveness probe has its
// health; that of one without has none.
func TestAPIHealth(t *testing.T) {
	o := newOverseer(t)
	g := healthChildren(t, o)
	h := newHandler(t, o)
	of := func(id string) *string {
		var p health
		r := get(t, h, "/api/processes/"+id)
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatalf("%s: %v", r.body, err)
		}
		return p.Health
	}
	if got := of("db"); got == nil || *got != "unknown" {
		t.Errorf("db's health %v, want unknown before its probe passes", got)
	}
	g.open.Store(true)
	testbuild.Eventually(t, func() bool { got := of("db"); return got != nil && *got == "healthy" }, "db healthy in the API")
	testbuild.Eventually(t, func() bool { got := of("api"); return got != nil && *got == "unhealthy" }, "api unhealthy in the API")
	if got := of("plain"); got != nil {
		t.Errorf("plain's health %q, want none: it has no probe", *got)
	}
}

// badges is an expression: the health badge of every row, by id: its
// text and class, or null while hidden.
const badges = `Object.fromEntries([...document.querySelectorAll('#rows tr')].map(tr => {
	const b = tr.querySelector('td.state .health-badge');
	return [tr.dataset.id, b && !b.hidden ? {text: b.textContent, cls: b.className} : null];
}))`

// TestBrowserHealth: the health badge, grey while unknown, green once the
// probe passes (a change of health alone, the state the same, updates the
// row), red while unhealthy; no badge without a probe.
func TestBrowserHealth(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	o := newOverseer(t)
	g := healthChildren(t, o)
	h := newHandler(t, o, WithLoopbackOnly())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	b.wait("db unknown", `document.querySelector('`+row("db")+` .health-badge.h-unknown:not([hidden])')?.textContent === 'unknown'`)
	b.wait("api unhealthy", `document.querySelector('`+row("api")+` .health-badge.h-unhealthy:not([hidden])')?.textContent === 'unhealthy'`)

	g.open.Store(true) // db's run goes on, running: only its health changes
	b.wait("db healthy", `document.querySelector('`+row("db")+` .health-badge.h-healthy:not([hidden])')?.textContent === 'healthy'`)

	var got map[string]*struct{ Text, Cls string }
	b.eval(badges, &got)
	if got["plain"] != nil {
		t.Errorf("plain has a health badge %+v, without a probe", got["plain"])
	}
	var colours map[string]string
	b.eval(`Object.fromEntries(['db', 'api'].map(id => [id, getComputedStyle(document.querySelector('#rows tr[data-id="' + id + '"] .health-badge')).backgroundColor]))`, &colours)
	if colours["db"] != "rgb(63, 185, 80)" || colours["api"] != "rgb(248, 81, 73)" {
		t.Errorf("badge colours %v, want db green, api red", colours)
	}
}
