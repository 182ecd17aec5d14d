//go:build unix

package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// fakeHistory makes h answer the samples of samples, by id, in place of
// the Overseer's (whose sampler a test cannot drive); an id the Overseer
// does not have is not found, as with Overseer.UsageHistory.
func fakeHistory(h *Handler, samples map[string][]overseer.Usage) {
	h.history = func(id string) ([]overseer.Usage, error) {
		if _, err := h.o.Cmd(id); err != nil {
			return nil, err
		}
		return samples[id], nil
	}
}

// threeSamples returns three samples of a run, 5 s apart from t0.
func threeSamples(t0 time.Time) []overseer.Usage {
	return []overseer.Usage{
		{Time: t0, CPU: 1500 * time.Millisecond, Memory: 10 << 20, Tasks: 1, Threads: 4, FDs: -1},
		{Time: t0.Add(5 * time.Second), CPU: 2 * time.Second, CPUPercent: 10, Memory: 12 << 20, Tasks: 2, Threads: 5, FDs: -1},
		{Time: t0.Add(10 * time.Second), CPU: 3250 * time.Millisecond, CPUPercent: 25, Memory: 11 << 20, Tasks: 2, Threads: 5, FDs: 7},
	}
}

// The history of one process: its JSON fields, ?since, and the errors.
func TestUsageHistoryAPI(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "web", "sleep")
	addChild(t, o, "idle", "sleep")
	h := newHandler(t, o)
	t0 := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	fakeHistory(h, map[string][]overseer.Usage{"web": threeSamples(t0)})

	r := get(t, h, "/api/processes/web/usage")
	if r.status != http.StatusOK {
		t.Fatalf("status %d %s, want 200", r.status, r.body)
	}
	// The exact JSON: the names the page reads.
	var raw struct {
		ID      string           `json:"id"`
		Samples []map[string]any `json:"samples"`
	}
	r.json(t, &raw)
	if raw.ID != "web" || len(raw.Samples) != 3 {
		t.Fatalf("answer %s, want web's 3 samples", r.body)
	}
	want := map[string]any{"time": "2026-12-03T15:00:10Z", "cpuSeconds": 3.25, "cpuPercent": 25.0,
		"memoryBytes": float64(11 << 20), "tasks": 2.0, "threads": 5.0, "fds": 7.0}
	if got := raw.Samples[2]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("last sample %v, want %v", got, want)
	}
	if raw.Samples[0]["fds"] != -1.0 || raw.Samples[0]["time"] != "2026-12-03T15:00:00Z" {
		t.Errorf("first sample %v, want fds -1 (not counted) and its time", raw.Samples[0])
	}

	// ?since: the samples after it, not at it.
	r = get(t, h, "/api/processes/web/usage?since="+url.QueryEscape(t0.Add(5*time.Second).Format(time.RFC3339Nano)))
	var body usageBody
	r.json(t, &body)
	if r.status != http.StatusOK || len(body.Samples) != 1 || body.Samples[0].CPUSeconds != 3.25 {
		t.Errorf("since the second sample: %d %s, want the third alone", r.status, r.body)
	}
	r = get(t, h, "/api/processes/web/usage?since="+url.QueryEscape(t0.Add(time.Hour).Format(time.RFC3339)))
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"samples":[]`) {
		t.Errorf("since after them all: %d %s, want an empty list (not null)", r.status, r.body)
	}

	// No samples (at rest, sampling off): an empty list.
	r = get(t, h, "/api/processes/idle/usage")
	if r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != `{"id":"idle","samples":[]}` {
		t.Errorf("idle: %d %s, want no samples", r.status, r.body)
	}

	for _, tc := range []struct {
		path   string
		status int
		says   string
	}{
		{"/api/processes/nope/usage", http.StatusNotFound, "not found"},
		{"/api/processes/web/usage?since=yesterday", http.StatusBadRequest, "not a time"},
		{"/api/processes/web/usage?since=1733238000", http.StatusBadRequest, "not a time"},
		{"/api/usage?since=2026-13-01T00:00:00Z", http.StatusBadRequest, "not a time"},
	} {
		r := get(t, h, tc.path)
		if r.status != tc.status {
			t.Errorf("GET %s: status %d %s, want %d", tc.path, r.status, r.body, tc.status)
			continue
		}
		if msg := r.errorText(t); !strings.Contains(msg, tc.says) {
			t.Errorf("GET %s: error %q, want it to say %q", tc.path, msg, tc.says)
		}
	}
	r = post(t, h, "/api/processes/web/usage")
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q, want 405 and GET, HEAD", r.status, r.header.Get("Allow"))
	}
}

// The samples of every process at once, as the page asks for them: all,
// then those after the time of the last answer.
func TestAllUsageAPI(t *testing.T) {
	o := newOverseer(t)
	addChild(t, o, "web", "sleep")
	addChild(t, o, "worker", "sleep")
	addChild(t, o, "idle", "sleep")
	h := newHandler(t, o)
	t0 := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	samples := map[string][]overseer.Usage{"web": threeSamples(t0), "worker": threeSamples(t0.Add(time.Second))[:2]}
	fakeHistory(h, samples)

	before := time.Now()
	r := get(t, h, "/api/usage")
	if r.status != http.StatusOK {
		t.Fatalf("status %d %s, want 200", r.status, r.body)
	}
	var body allUsageBody
	r.json(t, &body)
	if body.Time.Before(before) || body.Time.After(time.Now()) {
		t.Errorf("time %v, want the server's clock at the answer", body.Time)
	}
	if len(body.Processes) != 2 || len(body.Processes["web"]) != 3 || len(body.Processes["worker"]) != 2 {
		t.Fatalf("processes %s, want web's 3 samples and worker's 2 (idle has none: left out)", r.body)
	}
	if got := body.Processes["worker"][1]; got.MemoryBytes != 12<<20 || got.CPUPercent != 10 || !got.Time.Equal(t0.Add(6*time.Second)) {
		t.Errorf("worker's last sample %+v", got)
	}

	since := t0.Add(7 * time.Second).Format(time.RFC3339Nano)
	r = get(t, h, "/api/usage?since="+url.QueryEscape(since))
	body = allUsageBody{}
	r.json(t, &body)
	if len(body.Processes) != 1 || len(body.Processes["web"]) != 1 || body.Processes["web"][0].CPUSeconds != 3.25 {
		t.Errorf("since %s: %s, want web's last sample alone", since, r.body)
	}

	// A process removed while the answer is made is left out.
	h.history = func(id string) ([]overseer.Usage, error) {
		if id == "worker" {
			return nil, fmt.Errorf("gone: %w", overseer.ErrNotFound)
		}
		return samples[id], nil
	}
	r = get(t, h, "/api/usage")
	body = allUsageBody{}
	r.json(t, &body)
	if r.status != http.StatusOK || len(body.Processes) != 1 || body.Processes["web"] == nil {
		t.Errorf("with worker removed: %d %s, want web's samples", r.status, r.body)
	}
}

func TestJSONUsages(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	history := threeSamples(t0)
	for _, tc := range []struct {
		since time.Time
		want  int
	}{
		{time.Time{}, 3},
		{t0.Add(-time.Nanosecond), 3},
		{t0, 2},
		{t0.Add(9 * time.Second), 1},
		{t0.Add(10 * time.Second), 0},
	} {
		got := jsonUsages(history, tc.since)
		if got == nil || len(got) != tc.want {
			t.Errorf("since %v: %d samples (nil: %v), want %d", tc.since, len(got), got == nil, tc.want)
			continue
		}
		if tc.want > 0 && !got[len(got)-1].Time.Equal(history[2].Time) {
			t.Errorf("since %v: the last sample is of %v, want the newest", tc.since, got[len(got)-1].Time)
		}
	}
	if got := jsonUsages(nil, time.Time{}); got == nil || len(got) != 0 {
		t.Errorf("no history: %v, want an empty list", got)
	}
	u := history[2].ToJSON()
	if u.CPUSeconds != 3.25 || u.CPUPercent != 25 || u.MemoryBytes != 11<<20 || u.Tasks != 2 || u.Threads != 5 || u.FDs != 7 {
		t.Errorf("jsonUsage: %+v", u)
	}
	b, err := json.Marshal(overseer.Usage{}.ToJSON())
	if err != nil || strings.Contains(string(b), "time") {
		t.Errorf("no sample: %s, %v: want no time", b, err)
	}
}

// A running child's history through the API: real samples, its memory
// above zero. It needs the sampler (issue 16): until it lands, the
// history stays empty and this test fails.
func TestUsageHistoryOfRunningChild(t *testing.T) {
	o := overseer.NewOverseer(overseer.WithUsageInterval(100 * time.Millisecond))
	t.Cleanup(func() { o.StopAll() })
	addChild(t, o, "svc", "ready", "sleep")
	h := newHandler(t, o)
	if err := o.Start("svc"); err != nil {
		t.Fatal(err)
	}
	var body usageBody
	testbuild.Eventually(t, func() bool {
		body = usageBody{}
		r := get(t, h, "/api/processes/svc/usage")
		r.json(t, &body)
		return r.status == http.StatusOK && len(body.Samples) >= 2
	}, "two samples of svc")
	last := body.Samples[len(body.Samples)-1]
	if last.MemoryBytes == 0 || last.Tasks < 1 || last.Time.IsZero() || !last.Time.After(body.Samples[0].Time) {
		t.Errorf("samples %+v, want memory above zero, a task, times in order", body.Samples)
	}
	var all allUsageBody
	get(t, h, "/api/usage").json(t, &all)
	if len(all.Processes["svc"]) < 2 {
		t.Errorf("GET /api/usage: %+v, want svc's samples", all)
	}
}
