//go:build unix

package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// screenshotEnv names the variable that asks TestBrowser for a screenshot:
// a file name, or "1" for testdata/screenshot.png.
const screenshotEnv = "OVERSEER_SCREENSHOT"

// findChromium returns the path of a Chromium or Chrome, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

// browser drives the page in a headless Chromium.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// newBrowser starts a headless Chromium, ended with the test. Without one
// the test is skipped, unless CI=true: then it fails.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and no chromium in PATH: the browser test must run in CI (apt-get install chromium)")
		}
		t.Skip("no chromium, chromium-browser or google-chrome in PATH: install chromium to run the browser test")
	}
	// chromedp adds --no-sandbox by itself when run as root.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	// Chromium, on a loaded machine, now and then dies before it is up
	// ("chrome failed to start", its launcher script tripping on the
	// machine's mounts): that is the browser's start, not the page, so it
	// is tried again, three times at most.
	var ctx context.Context
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		// The browser lives as long as this context: the whole test, at most.
		life, cancelLife := context.WithTimeout(context.Background(), 90*time.Second)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(life, opts...)
		var cancelCtx context.CancelFunc
		ctx, cancelCtx = chromedp.NewContext(allocCtx)
		stop := func() {
			cancelCtx()
			cancelAlloc() // waits for the browser to end
			cancelLife()
		}
		if err = chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err == nil {
			t.Cleanup(stop)
			break
		}
		stop()
		t.Logf("starting %s, attempt %d: %v", path, attempt, err)
	}
	if err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return &browser{t: t, ctx: ctx}
}

// do runs actions, failing the test on an error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression into v.
func (b *browser) eval(expr string, v any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		b.t.Fatalf("evaluating %s: %s: %v", expr, raw, err)
	}
}

// wait waits until the JavaScript expression cond is true, and says what
// the page showed if it does not become so.
func (b *browser) wait(what, cond string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout+time.Second)
	defer cancel()
	var err error
	for {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(waitTimeout)))
		// A navigation that is still going replaces the page's
		// JavaScript context under the poll (CDP error -32000): poll
		// the new page.
		if err == nil || !strings.Contains(err.Error(), "Cannot find context with specified id") || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		var rows map[string]string
		b.eval(rowStates, &rows)
		var log string
		b.eval(`document.getElementById('log').textContent.slice(-300)`, &log)
		b.t.Fatalf("waiting for %s (%s): %v\nrows: %v\nlog: %q", what, cond, err, rows, log)
	}
}

// rowStates is an expression for the state of every row of the table, by id.
const rowStates = `Object.fromEntries([...document.querySelectorAll('#rows tr')].map(tr => [tr.dataset.id, tr.dataset.state]))`

// statesAre is an expression: the table has exactly the processes of want,
// in those states.
func statesAre(want map[string]overseer.State) string {
	m := make(map[string]string, len(want))
	for id, st := range want {
		m[id] = st.String()
	}
	js, _ := json.Marshal(m)
	return fmt.Sprintf(`(() => { const want = %s, got = %s;
		return Object.keys(got).length === Object.keys(want).length && Object.keys(want).every(id => got[id] === want[id]); })()`, js, rowStates)
}

func row(id string) string { return fmt.Sprintf(`#rows tr[data-id=%q]`, id) }

// TestBrowser drives the page in a headless Chromium: the table, live
// output with colours and escaping, the buttons, 200 processes and one
// printing 10,000 lines a second.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	start := time.Now()
	o := newOverseer(t)
	web := addChild(t, o, "web",
		`out:\x1b[2m12:00:01\x1b[0m \x1b[32mINFO \x1b[0m listening on \x1b[1mhttp://127.0.0.1:8080\x1b[0m`,
		`out:\x1b[2m12:00:02\x1b[0m \x1b[32mINFO \x1b[0m GET /api/orders \x1b[32m200\x1b[0m \x1b[2m3.1ms\x1b[0m`,
		`out:\x1b[2m12:00:02\x1b[0m \x1b[32mINFO \x1b[0m GET /static/app.js \x1b[32m200\x1b[0m \x1b[2m0.4ms\x1b[0m`,
		`out:\x1b[2m12:00:03\x1b[0m \x1b[33mWARN \x1b[0m slow query (812ms): \x1b[36mSELECT * FROM orders WHERE status = 'open'\x1b[0m`,
		`err:\x1b[2m12:00:04\x1b[0m \x1b[1;31mERROR\x1b[0m upstream \x1b[4mpayments:9000\x1b[0m timed out, retrying in 2s`,
		`out:\x1b[2m12:00:06\x1b[0m \x1b[32mINFO \x1b[0m POST /api/orders \x1b[32m201\x1b[0m \x1b[2m12.7ms\x1b[0m`,
		`out:\x1b[2m12:00:07\x1b[0m \x1b[38;5;208mDEBUG\x1b[0m cache hit ratio \x1b[38;2;120;200;255m0.93\x1b[0m\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b[K`,
		"ready", "sleep")
	web.Group = "front"
	addChild(t, o, "worker-1", "out:waiting for jobs", "sleep").Group = "jobs"
	addChild(t, o, "worker-2", "out:waiting for jobs", "sleep").Group = "jobs"
	addChild(t, o, "migrate", "out:applied 12 migrations", "exit:0").Group = "setup"
	flaky := addChild(t, o, "flaky", `err:<img src=x onerror=\"document.title='pwned'\"> & <b>not bold</b>`, `err:\x1b[31mpanic: connection refused\x1b[0m`, "exit:2")
	flaky.Restart, flaky.MaxRestarts = overseer.RestartOnFailure, 0
	addChild(t, o, "cron", "out:live-line", "sleep").Group = "jobs"
	var chattyOps []string
	for range 20 { // 20,000 lines at 10,000 a second
		chattyOps = append(chattyOps, "lines:1000", "sleepms:100")
	}
	// The event stream reads from the rings, its only buffer, and misses
	// what they let go before it reads (under -race, with the browser
	// busy, it may lag a burst): rings that hold every line make the
	// pane's count below a test of the page alone.
	addChild(t, o, "chatty", append(chattyOps, "out:chatty-done", "sleep")...).BufferLines = 20001

	for _, id := range []string{"web", "worker-1", "worker-2", "migrate", "flaky"} {
		if err := o.Start(id); err != nil {
			t.Fatal(err)
		}
	}
	waitOutput(t, o, "web", "ready")
	waitState(t, o, "migrate", overseer.StateFinished)
	waitState(t, o, "flaky", overseer.StateFatal)
	want := map[string]overseer.State{
		"web": overseer.StateRunning, "worker-1": overseer.StateRunning, "worker-2": overseer.StateRunning,
		"migrate": overseer.StateFinished, "flaky": overseer.StateFatal, "cron": overseer.StateInitial,
		"chatty": overseer.StateInitial,
	}

	h := newHandler(t, o, WithLoopbackOnly())
	srv := httptest.NewServer(h) // on 127.0.0.1
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	t.Logf("browser started after %v", time.Since(start).Round(time.Millisecond))

	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	b.wait("the table", statesAre(want))
	b.wait("the stream", `document.getElementById('conn').textContent === 'live'`)
	var token string
	b.eval(`document.querySelector('meta[name="overseer-token"]').content`, &token)
	if token != h.Token() {
		t.Fatalf("the page has token %q, want the Handler's", token)
	}
	b.wait("the exit code of migrate", `document.querySelector('`+row("migrate")+` td.exit').textContent === '0'`)
	b.wait("the reason of flaky", `document.querySelector('`+row("flaky")+` td.status').textContent.includes('gave up') ||
		document.querySelector('`+row("flaky")+` td.status').textContent.includes('exit')`)

	// The pane opens on the output of all processes, each line with its
	// time and the name of its process; markup in it is text.
	b.wait("the combined output", `document.getElementById('log-title').textContent === 'All processes' &&
		[...document.querySelectorAll('#log .line')].some(l => l.querySelector('.src')?.textContent.trim() === 'web' &&
			l.textContent.endsWith(' | ready')) &&
		document.getElementById('log').textContent.includes('<b>not bold</b>')`)
	var combined struct {
		Lines, Timed, Named int
		First               string
		Elements, NoDates   bool
	}
	b.eval(`(() => { const lines = [...document.querySelectorAll('#log .line')];
		return {lines: lines.length,
			timed: lines.filter(l => /^\d\d:\d\d:\d\d$/.test(l.dataset.t) && getComputedStyle(l, '::before').content === '"' + l.dataset.t + ' "').length,
			named: lines.filter(l => / \| /.test(l.textContent)).length,
			first: lines.length ? lines[0].dataset.t + ' ' + lines[0].textContent : '',
			elements: !!document.querySelector('#log img, #log b'),
			noDates: !/NaN|Invalid/.test(document.getElementById('rows').textContent)}; })()`, &combined)
	t.Logf("combined output: %d lines, the first %q", combined.Lines, combined.First)
	if combined.Lines == 0 || combined.Timed != combined.Lines || combined.Named != combined.Lines {
		t.Errorf("combined output: %d lines, %d with a time, %d with a name: want all", combined.Lines, combined.Timed, combined.Named)
	}
	if combined.Elements || !combined.NoDates {
		t.Errorf("elements made of output: %v; no NaN or Invalid Date in the table (processes without startTime): %v",
			combined.Elements, combined.NoDates)
	}

	// A line printed after the pane is open arrives live.
	b.do("selecting cron", chromedp.Click(chromedp.CSS(row("cron")+" td.name")))
	b.wait("the pane of cron", `document.getElementById('log-title').textContent === 'cron' &&
		document.getElementById('log').getAttribute('aria-busy') === 'false'`)
	b.do("starting cron", chromedp.Click(chromedp.CSS(row("cron")+` button[data-action="start"]`)))
	b.wait("the live line", `document.getElementById('log').textContent.includes('live-line')`)
	want["cron"] = overseer.StateRunning
	b.wait("cron running", statesAre(want))

	// Stop moves a process to interrupted.
	b.do("stopping worker-1", chromedp.Click(chromedp.CSS(row("worker-1")+` button[data-action="stop"]`)))
	want["worker-1"] = overseer.StateInterrupted
	b.wait("worker-1 interrupted", statesAre(want))
	if st, _ := o.Status("worker-1"); st.State != overseer.StateInterrupted {
		t.Errorf("worker-1 is %v, want interrupted", st.State)
	}

	// Log text is text: markup shows as it is, escape sequences never.
	b.do("selecting flaky", chromedp.Click(chromedp.CSS(row("flaky")+" td.name")))
	b.wait("the output of flaky", `document.getElementById('log').textContent.includes('<b>not bold</b>')`)
	var escaped struct {
		Img, Bold, Red bool
		Title          string
	}
	b.eval(`({img: !!document.querySelector('#log img'), bold: !!document.querySelector('#log b'),
		red: [...document.querySelectorAll('#log span.f-1')].some(s => s.textContent === 'panic: connection refused'),
		title: document.title})`, &escaped)
	if escaped.Img || escaped.Bold || escaped.Title != "overseer" || !escaped.Red {
		t.Errorf("flaky's output: %+v, want no element from the text, the title unchanged, and the red panic", escaped)
	}

	b.do("selecting web", chromedp.Click(chromedp.CSS(row("web")+" td.name")))
	b.wait("the output of web", `document.getElementById('log').textContent.includes('0.93link')`)
	var colours struct {
		Green, Bold, Orange, True, Stderr bool
		Raw                               string
	}
	b.eval(`({green: [...document.querySelectorAll('#log span.f-2')].some(s => s.textContent === 'INFO '),
		bold: [...document.querySelectorAll('#log span.a-bold')].some(s => s.textContent === 'http://127.0.0.1:8080'),
		orange: [...document.querySelectorAll('#log span')].some(s => s.textContent === 'DEBUG' && s.style.color === 'rgb(255, 135, 0)'),
		true: [...document.querySelectorAll('#log span')].some(s => s.textContent === '0.93' && s.style.color === 'rgb(120, 200, 255)'),
		stderr: [...document.querySelectorAll('#log .line.stderr')].some(l => l.textContent.includes('upstream payments:9000')),
		raw: [...document.getElementById('log').textContent].filter(c => c < ' ' || (c >= '\x7f' && c <= '\x9f')).join('')})`, &colours)
	if !colours.Green || !colours.Bold || !colours.Orange || !colours.True || !colours.Stderr || colours.Raw != "" {
		t.Errorf("web's output: %+v, want styled spans and no control characters", colours)
	}
	// The filters hide a stream and show it again.
	shown := `[...document.querySelectorAll('#log .line')].filter(l => getComputedStyle(l).display !== 'none')`
	b.do("hiding stdout", chromedp.Click(chromedp.ID("show-stdout")))
	b.wait("stderr only", shown+`.every(l => l.classList.contains('stderr')) && `+shown+`.length === 1`)
	b.do("showing stdout", chromedp.Click(chromedp.ID("show-stdout")))
	b.wait("both streams", shown+`.length === document.querySelectorAll('#log .line').length`)

	// Back to all processes. (A click in the pane is tried in
	// TestBrowserRuns: once chromedp has queried a node of the pane, the
	// browser reports every change of it to chromedp, which the flood
	// below would bury under tens of thousands of messages.)
	b.do("showing all", chromedp.Click(chromedp.ID("show-all")))
	b.wait("all processes", `document.getElementById('log-title').textContent === 'All processes' &&
		document.getElementById('show-all').hidden && !document.querySelector('#rows tr.selected') &&
		document.getElementById('log').textContent.includes('live-line')`)

	if path := os.Getenv(screenshotEnv); path != "" {
		if path == "1" || path == "true" {
			path = filepath.Join("testdata", "screenshot.png")
		}
		b.screenshot(path)
	}

	// 200 processes, and one printing 10,000 lines a second. The page is
	// loaded again first: once chromedp has asked the browser about the
	// log pane (the clicks in its bar above), the browser reports every
	// line added to it to chromedp, which under -race falls far behind
	// with the flood. So until the flood is over, only the table is
	// clicked.
	b.do("loading the page again", chromedp.Navigate("about:blank"), chromedp.Navigate(srv.URL+"/"))
	b.wait("the table again", statesAre(want))
	b.do("selecting chatty", chromedp.Click(chromedp.CSS(row("chatty")+" td.name")))
	b.wait("the pane of chatty", `document.getElementById('log-title').textContent === 'chatty' &&
		document.getElementById('log').getAttribute('aria-busy') === 'false'`)
	for i := len(want); i < 200; i++ {
		id := fmt.Sprintf("batch-%03d", i)
		addChild(t, o, id, "exit:0").Group = "batch"
		if err := o.Start(id); err != nil {
			t.Fatal(err)
		}
		want[id] = overseer.StateFinished
	}
	b.wait("200 rows", statesAre(want))
	// The page's longest task and longest gap between two frames, from now.
	var supported bool
	b.eval(`(() => { window.longestTask = 0; window.longestFrame = 0;
		new PerformanceObserver(list => { for (const e of list.getEntries()) window.longestTask = Math.max(window.longestTask, e.duration); })
			.observe({type: 'longtask'});
		let last = performance.now();
		const tick = now => { window.longestFrame = Math.max(window.longestFrame, now - last); last = now; requestAnimationFrame(tick); };
		requestAnimationFrame(tick);
		return PerformanceObserver.supportedEntryTypes.includes('longtask'); })()`, &supported)
	if !supported {
		t.Log("this browser does not report long tasks")
	}
	flood := time.Now()
	b.do("starting chatty", chromedp.Click(chromedp.CSS(row("chatty")+` button[data-action="start"]`)))
	b.wait("chatty's 20,001st line", `(() => { const l = document.querySelector('#log').lastElementChild; return l && l.textContent === 'chatty-done'; })()`)
	t.Logf("20,001 lines shown in %v", time.Since(flood).Round(time.Millisecond))
	var pane struct {
		Lines       int
		First, Last string
		Task, Frame float64
	}
	b.eval(`({lines: document.querySelectorAll('#log .line').length,
		first: document.querySelector('#log .line').textContent,
		last: document.querySelector('#log').lastElementChild.textContent,
		task: window.longestTask, frame: window.longestFrame})`, &pane)
	t.Logf("pane: %d lines, %q … %q; during the flood the longest task took %.0f ms, the longest frame %.0f ms",
		pane.Lines, pane.First, pane.Last, pane.Task, pane.Frame)
	if pane.Lines != 2000 {
		t.Errorf("the pane holds %d lines, want the newest 2,000", pane.Lines)
	}
	if pane.First != "line-0000002" {
		t.Errorf("the oldest line of the pane is %q, want line-0000002 (of the 19th thousand)", pane.First)
	}
	// The longest task and frame are figures to read in the log, not a
	// limit: on a loaded machine (CI runs every package at once) any limit
	// would fail for the machine's sake, not the page's. The page's cost
	// per line is bounded by construction (2,000 lines kept, a batch per
	// frame).
	stop := time.Now()
	b.do("stopping chatty", chromedp.Click(chromedp.CSS(`#log-actions button[data-action="stop"]`)))
	want["chatty"] = overseer.StateInterrupted
	b.wait("chatty interrupted", statesAre(want))
	t.Logf("stop shown in %v; the test took %v", time.Since(stop).Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// screenshot saves a PNG of the page to path.
func (b *browser) screenshot(path string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s (%d KB)", path, len(png)>>10)
}

// TestBrowserTokenFromAddress: without WithLoopbackOnly the page has no
// token and is read-only, unless its address carries one (#token=...).
func TestBrowserTokenFromAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	o := newOverseer(t)
	addChild(t, o, "svc", "sleep")
	h := newHandler(t, o)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := newBrowser(t)

	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	b.wait("the read-only page", `!document.getElementById('readonly').hidden &&
		document.querySelector('`+row("svc")+` button[data-action="start"]')?.disabled === true`)

	b.do("loading the page with the token", chromedp.Navigate("about:blank"), chromedp.Navigate(srv.URL+"/#token="+h.Token()))
	b.wait("the buttons", `document.getElementById('readonly').hidden &&
		document.querySelector('`+row("svc")+` button[data-action="start"]')?.disabled === false`)
	var hash string
	b.eval(`location.hash`, &hash)
	if hash != "" {
		t.Errorf("the address still shows the token: %q", hash)
	}
	b.do("starting svc", chromedp.Click(chromedp.CSS(row("svc")+` button[data-action="start"]`)))
	b.wait("svc running", statesAre(map[string]overseer.State{"svc": overseer.StateRunning}))
}

// buttonsReachable is an expression: every button of every row, scrolled
// into view, lies within the window's width and is what a click at its
// centre hits; so does every cell that has something to show. It gives
// the offenders, by row, cell or button, and "page" if the page scrolls
// sideways.
const buttonsReachable = `(() => {
	const bad = [];
	if (document.documentElement.scrollWidth > innerWidth) bad.push('page ' + document.documentElement.scrollWidth);
	for (const tr of document.querySelectorAll('#rows tr')) {
		for (const el of tr.querySelectorAll('td, button')) {
			if (el.matches('td') && el.textContent.trim() === '') continue;
			el.scrollIntoView({block: 'nearest', inline: 'nearest'});
			const r = el.getBoundingClientRect();
			const what = tr.dataset.id + ' ' + (el.dataset.action || el.className);
			if (r.width === 0 || r.height === 0 || r.left < 0 || r.right > innerWidth || r.top < 0 || r.bottom > innerHeight) {
				bad.push(what + ' at ' + Math.round(r.left) + '..' + Math.round(r.right));
				continue;
			}
			if (el.matches('button')) {
				const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
				if (!el.contains(hit)) bad.push(what + ' covered by ' + (hit ? hit.tagName + '.' + hit.className : 'nothing'));
			}
		}
	}
	return bad;
})()`

// TestBrowserNarrow: in a window 700 px wide every column and every button
// of every row can be seen and clicked, and the signal menu sends a
// reload signal to the main process.
func TestBrowserNarrow(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	o := newOverseer(t)
	addChild(t, o, "api-gateway-with-a-long-name", "out:serving", "ready", "sleep").Group = "front"
	addChild(t, o, "reload", "traphup:reloaded on HUP", "ready", "sleep").Group = "front"
	for i := range 6 {
		addChild(t, o, fmt.Sprintf("worker-%d", i), "ready", "sleep").Group = "jobs"
	}
	addChild(t, o, "migrate", "out:done", "exit:3").Group = "setup"
	addChild(t, o, "cron", "sleep")
	want := map[string]overseer.State{"cron": overseer.StateInitial, "migrate": overseer.StateFinished}
	for _, id := range o.ListAll() {
		if id == "cron" {
			continue
		}
		if err := o.Start(id); err != nil {
			t.Fatal(err)
		}
		if id != "migrate" {
			waitOutput(t, o, id, "ready")
			want[id] = overseer.StateRunning
		}
	}
	waitState(t, o, "migrate", overseer.StateFinished)

	h := newHandler(t, o, WithLoopbackOnly())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	b.do("narrowing the window", chromedp.EmulateViewport(700, 900))
	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	b.wait("the table", statesAre(want))
	var width int
	b.eval(`innerWidth`, &width)
	if width != 700 {
		t.Fatalf("the window is %d px wide, want 700", width)
	}
	var bad []string
	b.eval(buttonsReachable, &bad)
	if len(bad) > 0 {
		t.Errorf("at 700 px, out of reach: %q", bad)
	}

	// The buttons work there: stop one, signal another.
	b.do("stopping worker-5", chromedp.Click(chromedp.CSS(row("worker-5")+` button[data-action="stop"]`)))
	want["worker-5"] = overseer.StateInterrupted
	b.wait("worker-5 interrupted", statesAre(want))
	b.do("opening the signal menu of reload", chromedp.Click(chromedp.CSS(row("reload")+` button[data-action="signal"]`)))
	b.wait("the menu", `(() => { const m = document.getElementById('sigmenu'); if (m.hidden) return false;
		const r = m.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; })()`)
	b.do("sending HUP", chromedp.Click(chromedp.CSS(`#sigmenu button[data-signal="HUP"]`)))
	b.wait("the answer", `document.getElementById('notice').textContent.includes('SIGHUP sent to reload: reached its main process') &&
		document.getElementById('sigmenu').hidden`)
	b.wait("the reload in the output", `[...document.querySelectorAll('#log .line')].some(l =>
		l.querySelector('.src')?.textContent.trim() === 'reload' && l.textContent.endsWith(' | reloaded on HUP'))`)
	b.wait("reload still running", statesAre(want))

	// The same with a process selected: its buttons in the log bar too.
	b.do("selecting reload", chromedp.Click(chromedp.CSS(row("reload")+" td.name")))
	b.wait("the bar of reload", `!document.getElementById('log-actions').hidden &&
		[...document.querySelectorAll('#log-actions button')].every(b => { const r = b.getBoundingClientRect();
			return r.width > 0 && r.left >= 0 && r.right <= innerWidth; })`)
	b.eval(buttonsReachable, &bad)
	if len(bad) > 0 {
		t.Errorf("at 700 px with a process selected, out of reach: %q", bad)
	}
}

// TestBrowserRuns: a process in a crash loop shows as restarting, not as
// up, and its output has a mark where each run begins, numbered from its
// restarts.
func TestBrowserRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped in -short mode")
	}
	o := newOverseer(t)
	addChild(t, o, "steady", "out:steady up", "sleep")
	loop := addChild(t, o, "loop", "out:loop started", "sleepms:300", "err:loop crashing", "exit:1")
	loop.Restart, loop.MaxRestarts = overseer.RestartOnFailure, -1
	loop.Backoff = overseer.Backoff{Min: 100 * time.Millisecond, Max: 200 * time.Millisecond}
	if err := o.Start("steady"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	supervised := make(chan error, 1)
	go func() { supervised <- o.Supervise(ctx, "loop") }()
	t.Cleanup(func() {
		cancel()
		<-supervised
	})
	testbuild.Eventually(t, func() bool { st, _ := o.Status("loop"); return st.Restarts >= 1 }, "a restart of loop")

	h := newHandler(t, o, WithLoopbackOnly())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	b.do("loading the page", chromedp.Navigate(srv.URL+"/"))
	looping := `(() => { const tr = document.querySelector('` + row("loop") + `');
		return tr && tr.classList.contains('looping') && !tr.querySelector('.loop-badge').hidden &&
			tr.querySelector('td.restarts').classList.contains('hot') && !/^up$/.test(tr.querySelector('td.status').textContent) &&
			!document.getElementById('loops').hidden; })()`
	b.wait("loop restarting", looping)
	b.wait("steady healthy", `(() => { const tr = document.querySelector('`+row("steady")+`');
		return tr && tr.dataset.state === 'running' && !tr.classList.contains('looping') && tr.querySelector('.loop-badge').hidden &&
			tr.querySelector('td.status').textContent === 'up'; })()`)

	// Runs seen to begin are marked, in the combined output and in the
	// pane of the process alone (there from the lines of the past too).
	marks := `[...document.querySelectorAll('#log .mark.run')].map(m => m.textContent.replace(/^.* \| /, ''))`
	checkMarks := func(where string) {
		t.Helper()
		b.wait("three marks "+where, marks+`.length >= 3`)
		var got []string
		b.eval(marks, &got)
		re := regexp.MustCompile(`^— run (\d+) started \(pid (\d+)\) —$`)
		prev, pids := 0, map[string]bool{}
		for _, m := range got {
			sub := re.FindStringSubmatch(m)
			if sub == nil {
				t.Errorf("%s: mark %q, want — run N started (pid P) —", where, m)
				continue
			}
			n, _ := strconv.Atoi(sub[1])
			if prev != 0 && n != prev+1 || n < 2 || pids[sub[2]] {
				t.Errorf("%s: marks %q: want runs numbered one after the other from 2 on, each of its own pid", where, got)
				break
			}
			prev, pids[sub[2]] = n, true
		}
		// The number of a run is its restarts + 1.
		st, _ := o.Status("loop")
		if prev < 2 || prev > st.Restarts+1 {
			t.Errorf("%s: the last mark is of run %d, with %d restarts so far", where, prev, st.Restarts)
		}
	}
	checkMarks("in the combined output")
	// A click on a name in the combined output shows that process alone.
	b.do("clicking the name loop", chromedp.Click(chromedp.CSS(`#log .src[data-id="loop"]`)))
	b.wait("the pane of loop", `document.getElementById('log-title').textContent === 'loop' &&
		document.querySelector('`+row("loop")+`').classList.contains('selected') &&
		!document.getElementById('show-all').hidden && !document.querySelector('#log .src') &&
		document.getElementById('log').getAttribute('aria-busy') === 'false'`)
	checkMarks("in the pane of loop")

	// Stopped, it is no longer restarting.
	b.do("stopping loop", chromedp.Click(chromedp.CSS(row("loop")+` button[data-action="stop"]`)))
	b.wait("loop stopped", `(() => { const tr = document.querySelector('`+row("loop")+`');
		return tr.dataset.state === 'interrupted' && !tr.classList.contains('looping') && tr.querySelector('.loop-badge').hidden &&
			document.getElementById('loops').hidden; })()`)
}
