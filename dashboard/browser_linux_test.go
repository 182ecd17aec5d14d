//go:build linux

package dashboard

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// TestBrowserWarningAndStatus: the warning of a process that went to the
// background shows by its name and in its output, also after a reload of
// the page; STATUS= text shows in the table as text. (Linux: both the
// warning and STATUS= need it.)
func TestBrowserWarningAndStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	o := newOverseer(t)
	notes := addChild(t, o, "notes", `notify:STATUS=<img src=x onerror=\"document.title='pwned'\"> <b>busy</b>`, "ready", "sleep")
	notes.Notify = true
	addChild(t, o, "daemon", "out:forking", "spawn:1", "exit:0")
	if err := o.Start("notes"); err != nil {
		t.Fatal(err)
	}
	testbuild.Eventually(t, func() bool { st, _ := o.Status("notes"); return st.StatusText != "" }, "the STATUS= of notes")

	h := newHandler(t, o, WithLoopbackOnly())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	b.wait("the table", statesAre(map[string]overseer.State{"notes": overseer.StateRunning, "daemon": overseer.StateInitial}))
	var status string
	b.eval(`document.querySelector('`+row("notes")+` td.status').textContent`, &status)
	if !strings.Contains(status, `<img src=x onerror="document.title='pwned'"> <b>busy</b>`) {
		t.Errorf("the status of notes shows %q, want its STATUS= text", status)
	}

	// The daemon's first run leaves its worker behind: a warning.
	if err := o.Start("daemon"); err != nil {
		t.Fatal(err)
	}
	waitState(t, o, "daemon", overseer.StateFinished)
	worker := workerPID(t, o, "daemon")
	t.Cleanup(func() { _ = syscall.Kill(worker, syscall.SIGKILL) })
	warned := `(() => { const w = document.querySelector('` + row("daemon") + ` .warn-icon');
		return !!w && !w.hidden && w.title.includes('background') &&
			[...document.querySelectorAll('#log .mark.warn')].some(m => m.querySelector('.src')?.textContent.trim() === 'daemon' &&
				m.textContent.includes(' | ⚠ ') && m.textContent.includes('background')); })()`
	b.wait("the warning", warned)
	b.do("reloading the page", chromedp.Navigate("about:blank"), chromedp.Navigate(srv.URL+"/"))
	b.wait("the warning after a reload", warned)

	var elements bool
	b.eval(`!!document.querySelector('#rows img, #rows b, #log img, #log b') || document.title !== 'overseer'`, &elements)
	if elements {
		t.Error("an element or a script was made of STATUS= text")
	}
}

// TestBrowserRollingRestart: a rolling restart, whose new run takes over
// from the old one (running to running, a new pid), shows as one mark for
// the new run, whatever the order of the two runs' lines. (Linux: the
// readiness of the new run is told over a notification socket.)
func TestBrowserRollingRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	o := newOverseer(t)
	c := addChild(t, o, "api", "out:serving", "serve:v1")
	c.Listeners = []string{"tcp://127.0.0.1:0"}
	c.Ready = overseer.Notified()
	if err := o.Start("api"); err != nil {
		t.Fatal(err)
	}
	first := waitState(t, o, "api", overseer.StateRunning).PID

	h := newHandler(t, o, WithLoopbackOnly())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	b.wait("the output", `document.getElementById('log').textContent.includes('serving')`)
	marks := `[...document.querySelectorAll('#log .mark.run')].map(m => m.textContent.replace(/^.* \| /, ''))`
	var got []string
	b.eval(marks, &got)
	if len(got) != 0 {
		t.Errorf("marks %q before any restart, want none", got)
	}
	pids := []int{first}
	for n := 2; n <= 3; n++ {
		var cleared string
		b.eval(`document.getElementById('notice').textContent = ''`, &cleared)
		b.do("restarting api", chromedp.Click(chromedp.CSS(row("api")+` button[data-action="restart"]`)))
		b.wait("the restart done", `document.getElementById('notice').textContent === 'restart api: done'`)
		st, _ := o.Status("api")
		if st.State != overseer.StateRunning || st.PID == pids[len(pids)-1] {
			t.Fatalf("after a restart: %v pid %d, want running with a new pid", st.State, st.PID)
		}
		pids = append(pids, st.PID)
		b.wait("the new run's line", fmt.Sprintf(`[...document.querySelectorAll('#log .line')].filter(l => l.textContent.endsWith(' | serving')).length === %d`, n))
		b.wait("the old run gone", fmt.Sprintf(`document.querySelector('%s').dataset.state === 'running' &&
			document.querySelector('%s td.pid').textContent === '%d'`, row("api"), row("api"), st.PID))
		b.eval(marks, &got)
		var want []string
		for i, pid := range pids[1:] {
			want = append(want, fmt.Sprintf("— run %d started (pid %d) —", i+2, pid))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("marks %q, want %q", got, want)
		}
	}
}
