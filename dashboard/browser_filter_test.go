//go:build unix

package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/overseer-go/overseer"
)

// visibleLines is an expression: the texts of the lines the pane shows
// (without the names of the processes), sorted.
const visibleLines = `[...document.querySelectorAll('#log .line')].filter(e => getComputedStyle(e).display !== 'none')
	.map(e => e.textContent.replace(/^\S+\s*\| /, '')).sort()`

// TestBrowserFilter: the filter box shows the lines with a text, in any
// case, or that match a /regex/, lines that come later included; an
// invalid regex marks the box and breaks nothing. A line cut into Partial
// pieces is one line, matched whole; an unfinished line at the end of a
// run is not joined with the next run's first.
func TestBrowserFilter(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	o := newOverseer(t)
	addChild(t, o, "api", "out:GET /orders 200", "err:GET /users 500", "out:POST /orders 201", "exit:0")
	// Cut into pieces of 8 bytes: "slow que", "ry took ", ...
	addChild(t, o, "db", "out:connected", "out:slow query took 812ms on ORDERS", "exit:0").MaxLineBytes = 8
	// A prompt, flushed Partial after 100 ms idle; its run ends without the
	// rest of the line, which the end of the stream closes with an empty
	// piece.
	addChild(t, o, "prompt", "raw:Password: ", "sleepms:400", "exit:0")
	addChild(t, o, "late", "out:late orders line", "out:late other line", "exit:0")
	for _, id := range []string{"api", "db", "prompt"} {
		if err := o.Start(id); err != nil {
			t.Fatal(err)
		}
		waitState(t, o, id, overseer.StateFinished)
	}
	c, err := o.Cmd("prompt")
	if err != nil {
		t.Fatal(err)
	}
	if l := c.Lines(0); len(l) != 2 || !l[0].Partial || l[1].Partial || l[1].Text != "" {
		t.Fatalf("prompt's lines %+v, want a piece and the empty end of its line", l)
	}
	c.Args = []string{childPath, "out:next run", "exit:0"}
	if err := o.Start("prompt"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "prompt", overseer.StateFinished)

	h := newHandler(t, o, WithLoopbackOnly())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	all := []string{"GET /orders 200", "GET /users 500", "POST /orders 201", "Password: ", "connected",
		"next run", "slow query took 812ms on ORDERS"}
	slices.Sort(all)
	shows := func(what string, want []string) {
		t.Helper()
		js, _ := json.Marshal(want)
		b.wait(what, fmt.Sprintf(`JSON.stringify(%s) === %q`, visibleLines, js))
	}
	setFilter := func(s string) {
		t.Helper()
		js, _ := json.Marshal(s)
		var ok bool
		b.eval(fmt.Sprintf(`(() => { const f = document.getElementById('filter'); f.value = %s;
			f.dispatchEvent(new Event('input')); return true; })()`, js), &ok)
	}
	shows("every line, the pieces of db's long one joined, the runs of prompt apart", all)

	b.do("typing orders", chromedp.SendKeys(`#filter`, "orders"))
	shows("the lines with orders, in any case", []string{"GET /orders 200", "POST /orders 201", "slow query took 812ms on ORDERS"})

	setFilter(`/ 5\d\d$/`)
	shows("a regex", []string{"GET /users 500"})
	setFilter(`/took \d+ms ON orders/`)
	shows("a regex over the pieces of a line, in any case", []string{"slow query took 812ms on ORDERS"})
	setFilter(`/Took/`)
	shows("a regex without flags is in any case", []string{"slow query took 812ms on ORDERS"})
	setFilter(`/Took/s`)
	shows("a regex with flags is as they say", []string{})

	setFilter(`/(orders/`)
	b.wait("an invalid regex marks the box", `document.getElementById('filter').classList.contains('invalid') &&
		document.getElementById('filter').getAttribute('aria-invalid') === 'true' && document.getElementById('filter').title !== ''`)
	shows("every line under an invalid regex", all)

	// Lines that come later are filtered too.
	setFilter("ORDERS")
	if err := o.Start("late"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "late", overseer.StateFinished)
	b.wait("late's lines in the pane", `document.getElementById('log').textContent.includes('late other line')`)
	shows("the new line with orders, not the other", []string{"GET /orders 200", "POST /orders 201", "late orders line", "slow query took 812ms on ORDERS"})
	var invalid bool
	b.eval(`document.getElementById('filter').classList.contains('invalid')`, &invalid)
	if invalid {
		t.Error("the box is still marked invalid")
	}

	setFilter("")
	all = append(all, "late orders line", "late other line")
	slices.Sort(all)
	shows("every line again", all)

	// Each process has a link that saves its output.
	var href string
	b.eval(`document.querySelector('`+row("db")+` a.dl').getAttribute('href')`, &href)
	if href != "api/processes/db/logs.txt" {
		t.Errorf("db's download link %q, want api/processes/db/logs.txt", href)
	}
	var text string
	b.eval(`(fetch('api/processes/db/logs.txt').then(r => r.text()).then(t => { window.dlText = t; }), true)`, new(bool))
	b.wait("the download", `typeof window.dlText === 'string'`)
	b.eval(`window.dlText`, &text)
	if want := "connected\nslow query took 812ms on ORDERS\n"; text != want && !strings.HasPrefix(text, want) {
		t.Errorf("db's logs.txt from the page: %q, want %q", text, want)
	}
}
