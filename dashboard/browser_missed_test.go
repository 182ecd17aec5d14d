//go:build unix

package dashboard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/overseer-go/overseer"
)

// TestBrowserMissed: a page whose stream comes back after the process's
// rings let go of lines it did not get says how many, where they were,
// and its button finds that the process no longer keeps them.
func TestBrowserMissed(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	o := newOverseer(t)
	c := addChild(t, o, "p", "out:first", "exit:0")
	c.BufferLines = 10
	if err := o.Start("p"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "p", overseer.StateFinished)

	// The event stream's requests wait at a gate while it is shut.
	h := newHandler(t, o, WithLoopbackOnly())
	var shut atomic.Bool
	gate := make(chan struct{})
	arrived := make(chan string, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/events" && shut.Load() {
			arrived <- r.Header.Get("Last-Event-ID")
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	b.wait("the first line", `document.getElementById('log').textContent.includes('first') &&
		document.getElementById('conn').textContent === 'live'`)
	// A line given on the stream, for the page to have a place in p.
	c.Args = []string{childPath, "out:second", "exit:0"}
	if err := o.Start("p"); err != nil {
		t.Fatal(err)
	}
	b.wait("the second line", `document.getElementById('log').textContent.includes('second')`)
	waitState(t, o, "p", overseer.StateFinished)
	b.wait("the finished state", `document.querySelector('`+row("p")+`').dataset.state === 'finished'`)

	// The connection breaks; the page comes back with the id of the last
	// event it had, and waits at the gate while p prints 50 lines.
	shut.Store(true)
	srv.CloseClientConnections()
	var lastID string
	select {
	case lastID = <-arrived:
	case <-time.After(waitTimeout):
		t.Fatal("the page did not come back")
	}
	if !strings.HasSuffix(lastID, ";p=2") {
		t.Fatalf("Last-Event-ID %q, want the place p=2", lastID)
	}
	c.Args = []string{childPath, "lines:50", "exit:0"} // Seq 3 to 52, the last 10 kept
	if err := o.Start("p"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "p", overseer.StateFinished)
	shut.Store(false)
	close(gate)

	notice := `[...document.querySelectorAll('#log .mark.missed')]`
	b.wait("the notice", notice+`.length === 1 && document.getElementById('log').textContent.includes('line-0000050')`)
	var order []string
	b.eval(`[...document.querySelectorAll('#log > div')].map(e => e.textContent.replace(/^\S+\s*\| /, ''))`, &order)
	i := -1
	for k, s := range order {
		if strings.HasPrefix(s, "— 40 lines not shown") {
			i = k
		}
	}
	if i < 0 || i+1 >= len(order) || order[i+1] != "line-0000041" || !strings.Contains(strings.Join(order[:i], "\n"), "second") {
		t.Errorf("the pane: %q; want the notice of 40 lines right before line-0000041", order)
	}
	b.do("clicking show", chromedp.Click(chromedp.CSS(`#log .mark.missed button.fetch`)))
	b.wait("the notice says they are gone", notice+`[0].textContent.replace(/^\S+\s*\| /, '') === '— 40 lines no longer kept —'`)
}
