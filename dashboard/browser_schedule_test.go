//go:build unix

package dashboard

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// every ticks every d.
type every time.Duration

func (d every) Next(t time.Time) time.Time { return t.Add(time.Duration(d)) }

// TestBrowserSchedule: the status of a scheduled process says when it
// runs next, and how many ticks it skipped while a run was going; one
// waiting for its first tick is "scheduled".
func TestBrowserSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	o := newOverseer(t)
	addChild(t, o, "nightly", "exit:0").Schedule = every(time.Hour)
	busy := addChild(t, o, "busy", "sleep") // its one run outlasts every tick
	busy.Schedule, busy.RunOnStart = every(20*time.Millisecond), true
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.SuperviseAll(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})

	h := newHandler(t, o, WithLoopbackOnly())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	status := func(id string) string {
		return `(document.querySelector('` + row(id) + ` td.status')?.textContent || '')`
	}
	b.wait("nightly scheduled, with its next run", status("nightly")+`.startsWith('scheduled · next run ')`)
	b.wait("busy's skipped ticks", status("busy")+`.match(/^up · next run .* · \d+ skipped$/) !== null`)
}
