package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/overseer-go/overseer/benchmarks/command/internal/numline"
)

// printed is what a supervisor prints of lines 0..n-1 of tag p<i> with
// prefix and suffix around each, as prefix(i) + line + suffix.
func printed(procs, n, size int, prefix func(p int) string, suffix string) []string {
	var out []string
	for seq := 0; seq < n; seq++ {
		for p := 0; p < procs; p++ {
			tag := "p" + string(rune('0'+p))
			line := numline.Append(nil, tag, seq, size)
			out = append(out, prefix(p)+strings.TrimSuffix(string(line), "\n")+suffix)
		}
	}
	return out
}

func TestCheck(t *testing.T) {
	const size = 40
	overseer := func(p int) string { return "p" + string(rune('0'+p)) + "  | " }
	tests := []struct {
		name  string
		lines func() []string
		procs int
		n     int // lines each, 5 when 0
		want  Report
	}{
		{"overseer clean, state lines ignored", func() []string {
			l := printed(2, 5, size, overseer, "")
			return append([]string{"p0  * running (pid 12)"}, append(l, "p1  * finished (exit 0)")...)
		}, 2, 0, Report{Seen: 2, OK: 10, Other: 2}},
		{"goreman colours and times", func() []string {
			return printed(1, 5, size, func(int) string { return "\x1b[32m15:04:05 p0 | \x1b[0m" }, "")
		}, 1, 0, Report{Seen: 1, OK: 5}},
		{"foreman instance suffix and its messages", func() []string {
			l := printed(1, 5, size, func(int) string { return "13:00:01 p0.1  | " }, "")
			return append([]string{"13:00:01 p0.1  | started with pid 7"}, l...)
		}, 1, 0, Report{Seen: 1, OK: 5, Other: 1}},
		{"hivemind: title, colours, carriage returns", func() []string {
			l := printed(1, 5, size, func(int) string { return "\x1b[1;38;5;2mp0 \x1b[0m| " }, "\r")
			return append([]string{"\x1b]0;dir | hivemind\x07\x1b[1;38;5;2mp0 \x1b[0m| \x1b[1mRunning...\x1b[0m\r"}, l...)
		}, 1, 0, Report{Seen: 1, OK: 5, Other: 1}},
		{"lost line", func() []string {
			l := printed(1, 5, size, overseer, "")
			return append(l[:2], l[3:]...)
		}, 1, 0, Report{Seen: 1, OK: 4, Lost: 1}},
		{"never printed at all", func() []string {
			return printed(1, 5, size, overseer, "")
		}, 2, 0, Report{Seen: 1, OK: 5, Lost: 5}},
		{"line broken in two", func() []string {
			l := printed(1, 5, size, overseer, "")
			cut := len("p0  | ") + 20
			return append(append(l[:2:2], l[2][:cut], "p0  | "+l[2][cut:]), l[3:]...)
		}, 1, 0, Report{Seen: 1, OK: 4, Lost: 1, Broken: 2}},
		{"piece without a prefix", func() []string {
			l := printed(1, 5, size, overseer, "")
			cut := len("p0  | ") + 20
			return append(append(l[:2:2], l[2][:cut], l[2][cut:]), l[3:]...)
		}, 1, 0, Report{Seen: 1, OK: 4, Lost: 1, Broken: 2, Other: 1, OtherPieces: 1}},
		{"two lines joined", func() []string {
			l := printed(1, 5, size, overseer, "")
			joined := l[2] + strings.TrimPrefix(l[3], "p0  | ")
			return append(append(l[:2:2], joined), l[4:]...)
		}, 1, 0, Report{Seen: 1, OK: 3, Lost: 2, Broken: 1}},
		{"out of order and duplicated", func() []string {
			l := printed(1, 5, size, overseer, "")
			return []string{l[0], l[2], l[1], l[3], l[3], l[4]}
		}, 1, 0, Report{Seen: 1, OK: 4, OutOfOrder: 1, Dup: 1}},
		{"line under another process's name", func() []string {
			l := printed(2, 2, size, overseer, "")
			l[1] = "p0  | " + strings.TrimPrefix(l[1], "p1  | ")
			return l
		}, 2, 2, Report{Seen: 2, OK: 3, Lost: 1, Broken: 1}},
		{"tag not expected", func() []string {
			return printed(2, 2, size, overseer, "")
		}, 1, 2, Report{Seen: 1, OK: 2, Foreign: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Join(tt.lines(), "\n") + "\n"
			n := tt.n
			if n == 0 {
				n = 5
			}
			got, err := Check(strings.NewReader(in), tt.procs, n, size)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Procs, want.Lines = tt.procs, n
			if !reflect.DeepEqual(got.counts(), want) {
				t.Errorf("got  %+v\nwant %+v", got.counts(), want)
			}
			if got.Clean() != (want.Lost+want.Broken+want.OutOfOrder+want.Dup+want.Foreign == 0) {
				t.Errorf("Clean() = %v for %v", got.Clean(), got)
			}
		})
	}
}

func TestRunExitStatus(t *testing.T) {
	line := numline.Append(nil, "p0", 0, 30)
	var out, errOut bytes.Buffer
	if st := run([]string{"-n", "1", "-size", "30"}, strings.NewReader("p0 | "+string(line)), &out, &errOut); st != 0 {
		t.Errorf("clean output: status %d, %s%s", st, out.String(), errOut.String())
	}
	out.Reset()
	if st := run([]string{"-n", "2", "-size", "30"}, strings.NewReader("p0 | "+string(line)), &out, &errOut); st != 1 {
		t.Errorf("a lost line: status %d, %s", st, out.String())
	}
	if !strings.Contains(out.String(), "lost=1") {
		t.Errorf("a lost line: %q", out.String())
	}
}

// counts is r without its list of the worst processes.
func (r Report) counts() Report {
	r.Worst, r.Samples = nil, nil
	return r
}
