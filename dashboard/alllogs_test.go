//go:build unix

package dashboard

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/overseer-go/overseer"
)

// GET /api/logs gives the lines of every process, in the order they were
// read, each with the pid of its run.
func TestAllLogs(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	addChild(t, o, "a", "out:a", "exit:0")
	addChild(t, o, "b", "out:b", "exit:0")
	addChild(t, o, "quiet", "exit:0")
	// One after the other: a, b, a again, b again; quiet prints nothing.
	var pids []int
	for _, id := range []string{"a", "b", "quiet", "a", "b"} {
		if err := o.Start(id); err != nil {
			t.Fatal(err)
		}
		st := waitState(t, o, id, overseer.StateFinished)
		if id != "quiet" {
			pids = append(pids, st.PID)
		}
	}
	lines := func(query string) string {
		t.Helper()
		r := get(t, h, "/api/logs"+query)
		if r.status != http.StatusOK {
			t.Fatalf("status %d %s", r.status, r.body)
		}
		var body allLogsBody
		r.json(t, &body)
		var got []string
		for _, l := range body.Lines {
			got = append(got, fmt.Sprintf("%s%d", l.Text, l.Seq))
			if l.Time.IsZero() {
				t.Errorf("line %+v has no time", l)
			}
		}
		if len(body.Lines) == len(pids) {
			for i, l := range body.Lines {
				if l.PID != pids[i] {
					t.Errorf("line %d: pid %d, want %d, of its run", i, l.PID, pids[i])
				}
			}
		}
		return fmt.Sprint(got)
	}
	if got := lines(""); got != "[a1 b1 a2 b2]" {
		t.Errorf("lines %s, want [a1 b1 a2 b2]: in the order read", got)
	}
	if got := lines("?limit=3"); got != "[b1 a2 b2]" {
		t.Errorf("?limit=3: lines %s, want the newest 3, [b1 a2 b2]", got)
	}

	for _, query := range []string{"limit=0", "limit=-1", "limit=x"} {
		r := get(t, h, "/api/logs?"+query)
		if r.status != http.StatusBadRequest {
			t.Errorf("?%s: status %d, want 400", query, r.status)
			continue
		}
		r.errorText(t)
	}

	empty := newHandler(t, newOverseer(t))
	r := get(t, empty, "/api/logs")
	var body allLogsBody
	r.json(t, &body)
	if r.status != http.StatusOK || body.Lines == nil || len(body.Lines) != 0 {
		t.Errorf("no processes: %d %s, want 200 and no lines", r.status, r.body)
	}
}

// The merged list keeps the lines of each process in Seq order even when
// their times do not grow with it (stdout and stderr are read apart), and
// otherwise orders the lines by time.
func TestMergeLines(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	a := []overseer.Line{
		{ID: "a", Seq: 1, Time: at(10), Text: "a1"},
		{ID: "a", Seq: 2, Time: at(5), Text: "a2"}, // stderr, read a little late
		{ID: "a", Seq: 3, Time: at(30), Text: "a3"},
	}
	b := []overseer.Line{
		{ID: "b", Seq: 1, Time: at(0), Text: "b1"},
		{ID: "b", Seq: 2, Time: at(20), Text: "b2"},
		{ID: "b", Seq: 3, Time: at(40), Text: "b3"},
	}
	var got []string
	for _, l := range mergeLines([][]overseer.Line{a, b}) {
		got = append(got, l.Text)
	}
	if want := "[b1 a1 a2 b2 a3 b3]"; fmt.Sprint(got) != want {
		t.Errorf("merged %v, want %s", got, want)
	}
	if got := mergeLines(nil); len(got) != 0 {
		t.Errorf("nothing merged: %v", got)
	}
	// The merge the answer streams, a page at a time, gives the same
	// lines, and its newest limit are the newest of the whole.
	fetch := func(set []overseer.Line) func(uint64) []overseer.Line {
		return func(after uint64) []overseer.Line {
			for i, l := range set {
				if l.Seq > after {
					return slices.Clone(set[i:])
				}
			}
			return nil
		}
	}
	for limit := range 8 {
		m := newMerge([]func(uint64) []overseer.Line{fetch(a), fetch(b)}, [][]overseer.Line{a, b}, limit)
		var streamed []string
		for l, ok := m.next(); ok; l, ok = m.next() {
			streamed = append(streamed, l.Text)
		}
		want := got
		if limit > 0 {
			want = got[max(len(got)-limit, 0):]
		}
		if fmt.Sprint(streamed) != fmt.Sprint(want) {
			t.Errorf("merge, limit %d: %v, want %v", limit, streamed, want)
		}
	}
}

// mergeLines is the merge of TestMergeLines, all at once: the lines sorted
// by the latest Time of their process so far, stably.
func mergeLines(sets [][]overseer.Line) []overseer.Line {
	type keyed struct {
		at time.Time
		l  overseer.Line
	}
	var all []keyed
	for _, set := range sets {
		var at time.Time
		for _, l := range set {
			at = later(at, l.Time)
			all = append(all, keyed{at, l})
		}
	}
	slices.SortStableFunc(all, func(a, b keyed) int { return a.at.Compare(b.at) })
	out := make([]overseer.Line, len(all))
	for i, k := range all {
		out[i] = k.l
	}
	return out
}

// The warnings a snapshot carries: those of the processes it lists, until
// a process of the same id starts anew.
func TestWarningsKept(t *testing.T) {
	var w warnings
	procs := []overseer.JSONProcess{{ID: "a"}, {ID: "b"}}
	if got := w.of(procs); got != nil {
		t.Errorf("no warnings: %v", got)
	}
	w.note(overseer.Event{ID: "a", From: overseer.StateStarting, To: overseer.StateRunning})
	w.note(overseer.Event{ID: "a", From: overseer.StateRunning, To: overseer.StateFinished, Warning: "went to the background"})
	w.note(overseer.Event{ID: "gone", From: overseer.StateRunning, To: overseer.StateFinished, Warning: "x"})
	w.note(overseer.Event{ID: "a", From: overseer.StateFinished, To: overseer.StateStarting}) // a new run: kept
	if got := fmt.Sprint(w.of(procs)); got != "map[a:went to the background]" {
		t.Errorf("warnings %s, want a's", got)
	}
	if len(w.m) != 1 {
		t.Errorf("kept %v, want the warning of a process no longer there dropped", w.m)
	}
	w.note(overseer.Event{ID: "a", From: overseer.StateInitial, To: overseer.StateStarting}) // a new process
	if got := w.of(procs); len(got) != 0 {
		t.Errorf("warnings %v after a new process a, want none", got)
	}
}
