//go:build unix

package dashboard

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
)

// ids returns the ids of msgs.
func ids(msgs []message) []uint64 {
	out := make([]uint64, len(msgs))
	for i, m := range msgs {
		out[i] = m.id
	}
	return out
}

func TestReplay(t *testing.T) {
	b := newReplay("t", 4, 1<<20)
	if msgs, last, ok, _ := b.since(0, 100, 1<<30); !ok || last != 0 || len(msgs) != 0 {
		t.Fatalf("empty: %v %d %v, want nothing, 0, ok", ids(msgs), last, ok)
	}
	wake := func() <-chan struct{} { _, _, _, w := b.since(0, 0, 1<<30); return w }
	for n := 1; n <= 10; n++ {
		w := wake()
		b.append("e", time.Time{}, []byte(fmt.Sprintf(`{"n":%d}`, n)))
		select {
		case <-w:
		default:
			t.Fatalf("append %d woke no one", n)
		}
	}
	for _, tc := range []struct {
		after uint64
		most  int
		want  string
		ok    bool
	}{
		{0, 100, "[]", false}, // 1-6 evicted
		{5, 100, "[]", false}, // 6 evicted
		{6, 100, "[7 8 9 10]", true},
		{7, 2, "[8 9]", true},
		{9, 100, "[10]", true},
		{10, 100, "[]", true},
		{11, 100, "[]", false}, // ahead: another Handler's id
		{^uint64(0), 100, "[]", false},
	} {
		msgs, last, ok, _ := b.since(tc.after, tc.most, 1<<30)
		if fmt.Sprint(ids(msgs)) != tc.want || ok != tc.ok || last != 10 {
			t.Errorf("since(%d, %d) = %v, %d, %v; want %s, 10, %v", tc.after, tc.most, ids(msgs), last, ok, tc.want, tc.ok)
		}
	}
	msgs, _, _, _ := b.since(9, 1, 1<<30)
	if got := b.id(msgs[0].id, "") + "\n" + string(msgs[0].body); got != "t-10\nevent: e\ndata: {\"n\":10}\n\n" {
		t.Errorf("frame %q", got)
	}
}

func TestReplayBytes(t *testing.T) {
	frame := len(body("e", []byte(strings.Repeat("x", 100))))
	b := newReplay("t", 100, 3*frame+frame/2) // room for three
	for range 10 {
		b.append("e", time.Time{}, []byte(strings.Repeat("x", 100)))
	}
	msgs, _, ok, _ := b.since(7, 100, 1<<30)
	if !ok || fmt.Sprint(ids(msgs)) != "[8 9 10]" {
		t.Errorf("since(7) = %v, %v; want [8 9 10]", ids(msgs), ok)
	}
	if _, _, ok, _ := b.since(6, 100, 1<<30); ok {
		t.Errorf("since(6) is ok, want 7 evicted by the byte bound")
	}
	// A reader takes no more than mostBytes at a time, and at least one.
	for most, want := range map[int]string{2 * frame: "[8 9]", 2*frame - 1: "[8]", 1: "[8]"} {
		if msgs, _, ok, _ := b.since(7, 100, most); !ok || fmt.Sprint(ids(msgs)) != want {
			t.Errorf("since(7, 100, %d) = %v, %v; want %s", most, ids(msgs), ok, want)
		}
	}
	// A message larger than the bound is kept alone.
	b.append("e", time.Time{}, []byte(strings.Repeat("y", 10*frame)))
	msgs, _, ok, _ = b.since(10, 100, 1<<30)
	if !ok || fmt.Sprint(ids(msgs)) != "[11]" {
		t.Errorf("after a huge message: %v %v, want [11]", ids(msgs), ok)
	}
}

func TestReplayParseID(t *testing.T) {
	b := newReplay("abc123", 4, 1<<20)
	for _, tc := range []struct {
		id   string
		n    uint64
		isOK bool
	}{
		{"abc123-0", 0, true},
		{"abc123-42", 42, true},
		{"abc123-18446744073709551615", 1<<64 - 1, true},
		{"abc123-18446744073709551616", 0, false},
		{"abc124-42", 0, false},
		{"abc123-", 0, false},
		{"abc123--1", 0, false},
		{"abc123-4x", 0, false},
		{"42", 0, false},
		{"", 0, false},
	} {
		n, _, ok := b.parseID(tc.id)
		if ok != tc.isOK || (ok && n != tc.n) {
			t.Errorf("parseID(%q) = %d, %v; want %d, %v", tc.id, n, ok, tc.n, tc.isOK)
		}
	}
}

// Event ids carry the places of a stream in the output of the processes,
// any id escaped, and read back as they were.
func TestReplayPositions(t *testing.T) {
	b := newReplay("abc", 4, 1<<20)
	p := positions{"web": 12, "a,b=c;d": 3, "é:@+": 1 << 40}
	ids := []string{"a,b=c;d", "web", "é:@+"}
	id := b.id(7, p.encode(ids))
	if strings.ContainsAny(id, "\r\n\x00") || strings.Count(id, ";") != 1 {
		t.Fatalf("id %q: not a valid event id", id)
	}
	n, got, ok := b.parseID(id)
	if !ok || n != 7 || !maps.Equal(got, p) {
		t.Errorf("parseID(%q) = %d, %v, %v; want 7, %v", id, n, got, ok, p)
	}
	if _, got, ok := b.parseID("abc-7"); !ok || got != nil {
		t.Errorf("an id without places: %v, %v; want none, ok", got, ok)
	}
	for _, bad := range []string{"abc-7;web", "abc-7;web=x", "abc-7;=3", "abc-7;web=1,,x=2", "abc-x;web=1"} {
		if _, _, ok := b.parseID(bad); ok {
			t.Errorf("parseID(%q) is ok, want not", bad)
		}
	}
	// Too many places for an id: none.
	many := positions{}
	var all []string
	for i := range 1000 {
		id := fmt.Sprintf("process-%04d", i)
		many[id] = uint64(i)
		all = append(all, id)
	}
	if s := many.encode(all); s != "" {
		t.Errorf("%d bytes of places in an id, want none past %d", len(s), maxPositionsBytes)
	}
}
