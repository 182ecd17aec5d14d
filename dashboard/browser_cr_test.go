//go:build unix

package dashboard

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/overseer-go/overseer"
)

// TestBrowserCarriageReturn: a progress bar redrawn with \r, in Partial
// pieces, stays one line of its last state; a CRLF line shows its text; a
// line of 30,000 characters, in Partial pieces, is one element cut at
// 10,000 characters and an ellipsis.
func TestBrowserCarriageReturn(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	o := newOverseer(t)
	var bar strings.Builder
	for i := range 300 {
		fmt.Fprintf(&bar, `\rprogress %3d%%`, i)
	}
	addChild(t, o, "bar", "raw:"+bar.String(), `out:\rdone`, "exit:0").MaxLineBytes = 64
	addChild(t, o, "crlf", `out:windows line\r`, "exit:0")
	addChild(t, o, "long", "long:30000", "exit:0").MaxLineBytes = 1000
	for _, id := range []string{"bar", "crlf", "long"} {
		if err := o.Start(id); err != nil {
			t.Fatal(err)
		}
		waitState(t, o, id, overseer.StateFinished)
	}
	if n := len(o.ToJSONAll()); n != 3 {
		t.Fatalf("%d processes", n)
	}
	c, _ := o.Cmd("bar")
	if n := len(c.Lines(0)); n < 10 {
		t.Fatalf("bar wrote %d pieces, want many Partial ones", n)
	}

	h := newHandler(t, o, WithLoopbackOnly())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	const shown = `(id => [...document.querySelectorAll('#log .line')].
		filter(el => el.querySelector('.src')?.dataset.id === id).
		map(el => el.textContent.replace(/^.*? \| /, '')))`
	b.wait("the lines", shown+`('long').length === 1 && `+shown+`('bar').length === 1 && `+shown+`('crlf').length === 1`)
	for id, want := range map[string]string{"bar": "done", "crlf": "windows line", "long": strings.Repeat("x", 10000) + "…"} {
		var got []string
		b.eval(shown+`('`+id+`')`, &got)
		if len(got) != 1 || got[0] != want {
			if len(got) == 1 && len(got[0]) > 100 {
				got[0] = fmt.Sprintf("%d characters: %.40q…", len([]rune(got[0])), got[0])
			}
			t.Errorf("%s shows %q, want %.40q (%d characters)", id, got, want, len([]rune(want)))
		}
	}
}
