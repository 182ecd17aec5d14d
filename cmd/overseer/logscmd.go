//go:build unix

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/control"
)

// logsSynopsis is the usage line of "overseer logs".
const logsSynopsis = "overseer logs [-socket PATH] [-f] [-n N] [-since DURATION|TIME] [-grep REGEXP] [-json | -raw] [-timestamps] [NAME]..."

// logsHelp tells more after the flags of "overseer logs -h".
const logsHelp = `
The lines each NAMEd process keeps (every process without NAME; see
buffer_lines), oldest first, as the command prints them: "web | text", and
"web ! text" for stderr. -f then prints new lines as they come, until
Ctrl-C (exit status 0) or until the server stops (exit status 1).
-since and -grep are applied by the server; -n counts the lines that pass
them. A line that a process wrote in pieces (a long one, a prompt) is
printed whole. "(N lines not shown)" says that lines were let go by the
process's buffer before they could be sent.
`

// logsTimeFormat is the time of -timestamps: RFC 3339 with milliseconds,
// in local time, since the lines kept may be days old; it is also what
// -since takes.
const logsTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// tailFlag is -n: a number of lines, or all of them when not set.
type tailFlag struct {
	n   int
	set bool
}

func (f *tailFlag) String() string {
	if f == nil || !f.set {
		return "all"
	}
	return strconv.Itoa(f.n)
}

func (f *tailFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return errors.New("want a number of lines, 0 or more")
	}
	f.n, f.set = n, true
	return nil
}

// runLogs is "overseer logs": the lines of processes of the server at the
// control socket, printed as the command prints them, or as JSON. The exit
// status is 0 once every line is printed (or -f was ended by Ctrl-C), 1
// for an error (an unknown NAME, the server gone), 2 for a usage error or
// an unsafe socket.
func runLogs(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("overseer logs", flag.ContinueOnError)
	flags.SetOutput(stderr)
	socket := flags.String("socket", "", "the control socket's `path` (default $"+socketEnv+", else "+control.DefaultPath()+")")
	follow := flags.Bool("f", false, "follow: print new lines as they come, until interrupted")
	var tail tailFlag
	flags.Var(&tail, "n", "print the last `N` lines of each process (of those that pass -since and -grep); default: all it keeps")
	since := flags.String("since", "", "leave out lines read before this `time`: a duration before now (5m, 1h30m) or an RFC 3339 time (2026-12-03T14:05:00+01:00)")
	grep := flags.String("grep", "", "print only the lines that match this Go regular `expression` (package regexp; (?i) to ignore case)")
	asJSON := flags.Bool("json", false, "print one JSON object per line: id, stream, seq, pid, time, text, and bytes for text that is not UTF-8")
	raw := flags.Bool("raw", false, "write each line's exact bytes, escape sequences and bytes that are not UTF-8 included (for a file, not a terminal)")
	stamps := flags.Bool("timestamps", false, "begin each line with the time it was read ("+logsTimeFormat+")")
	flags.Usage = func() {
		fmt.Fprintf(flags.Output(), "usage: %s\n", logsSynopsis)
		flags.PrintDefaults()
		fmt.Fprint(flags.Output(), logsHelp)
	}
	if err := flags.Parse(args); err != nil {
		return helpOr2(err)
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "overseer logs: "+format+"\n", a...)
		return 2
	}
	req := control.Request{Op: control.OpLogs, IDs: flags.Args(), Follow: *follow, Grep: *grep}
	for _, id := range req.IDs {
		if strings.HasPrefix(id, "-") {
			return usageErr("%s: flags go before the names", id)
		}
	}
	if tail.set {
		req.Tail = &tail.n
	}
	if *since != "" {
		t, err := parseSince(*since, time.Now())
		if err != nil {
			return usageErr("-since: %v", err)
		}
		req.Since = t
	}
	if *grep != "" {
		if _, err := regexp.Compile(*grep); err != nil {
			return usageErr("-grep: %v", err)
		}
	}
	if *asJSON && *raw {
		return usageErr("-json and -raw: choose one (JSON keeps the exact bytes in \"bytes\")")
	}
	path := socketPath(*socket)
	c, status := dial(path, stderr)
	if c == nil {
		return status
	}
	defer c.Close()

	out := bufio.NewWriterSize(stdout, 64<<10)
	p := &logPrinter{w: out, json: *asJSON, stamps: *stamps, z: sanitizerFor(stdout), raw: *raw}
	if !p.json {
		p.layout(path, req.IDs)
	}
	ctx := context.Background()
	if *follow {
		// Ctrl-C is how a follow ends: what was received is printed, and
		// the exit status is 0.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	err := c.Logs(ctx, req, func(b control.LogBatch) error {
		p.batch(b)
		return out.Flush()
	})
	p.end()
	ferr := out.Flush()
	switch {
	case err == nil || (ctx.Err() != nil && errors.Is(err, ctx.Err())):
		err = ferr
	case errors.Is(err, control.ErrServerGone) && *follow:
		err = fmt.Errorf("overseer logs: no more lines: %w", err)
	}
	if err != nil {
		var remote *control.RemoteError
		if errors.As(err, &remote) {
			fmt.Fprintln(stderr, "overseer logs:", sanitizerFor(stderr).clean(tidyError("", remote.Msg)))
		} else {
			fmt.Fprintln(stderr, sanitizerFor(stderr).clean(err.Error()))
		}
		return 1
	}
	return 0
}

// parseSince reads -since: a duration before now, or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%s: want a duration before now, not after it", s)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want a duration (5m, 1h30m) or an RFC 3339 time (2026-12-03T14:05:00+01:00)", s)
	}
	return t, nil
}

// logPrinter prints the lines of "overseer logs": as the command's
// terminal prints them, or as JSON.
type logPrinter struct {
	w      *bufio.Writer
	json   bool
	raw    bool // the exact bytes, not sanitized
	stamps bool
	z      sanitizer
	width  int
	codes  map[string]string // the colour of each process, as the command's terminal gives them

	open       bool // a Partial line was printed: its rest may follow on the same line
	openID     string
	openStream overseer.Stream
	openHook   overseer.Hook
}

// layout sets the width of the names and their colours: those of the
// processes of the server at path, in their order, so that they are the
// colours its terminal gives them; ids, if any, are those printed.
func (p *logPrinter) layout(path string, ids []string) {
	p.codes = make(map[string]string)
	all := ids
	if resp, err := control.Do(path, control.Request{Op: control.OpStatus}); err == nil {
		all = nil
		for _, proc := range resp.Processes {
			all = append(all, proc.ID)
		}
	} // else the logs request says what is wrong
	for i, id := range all {
		p.codes[id] = palette[i%len(palette)]
		if len(ids) == 0 {
			p.width = max(p.width, len(id))
		}
	}
	for _, id := range ids {
		p.width = max(p.width, len(id))
	}
}

// batch prints the lines of b, after what they missed.
func (p *logPrinter) batch(b control.LogBatch) {
	for _, m := range b.Missed {
		p.missed(m)
	}
	for _, l := range b.Lines {
		p.line(l)
	}
}

func (p *logPrinter) missed(m control.MissedLines) {
	if p.json {
		fmt.Fprintf(p.w, "{\"id\":%s,\"missed\":%d}\n", strconv.Quote(m.ID), m.Count)
		return
	}
	p.end()
	p.prefix(time.Now(), m.ID, "*")
	fmt.Fprintf(p.w, "(%d lines not shown)\n", m.Count)
}

func (p *logPrinter) line(l overseer.Line) {
	if p.json {
		b, err := l.MarshalJSON()
		if err != nil { // a stream the server should not send
			return
		}
		p.w.Write(append(b, '\n')) //nolint:errcheck // a bufio.Writer keeps its error for Flush
		return
	}
	if !p.open || p.openID != l.ID || p.openStream != l.Stream || p.openHook != l.Hook {
		p.end()
		mark := "|"
		if l.Stream == overseer.StreamStderr {
			mark = "!"
		}
		p.prefix(l.Time, l.ID, mark)
		p.w.WriteString(hookMark(l.Hook))
	}
	text := l.Text
	if !p.raw {
		text = p.z.clean(text)
		if p.z.colour && strings.Contains(text, "\x1b[") {
			text += "\x1b[0m" // the colours it set end with its piece
		}
	}
	p.w.WriteString(text)
	p.open, p.openID, p.openStream, p.openHook = l.Partial, l.ID, l.Stream, l.Hook
	if !l.Partial {
		p.w.WriteByte('\n')
	}
}

// prefix prints the time with -timestamps, and the padded name and mark.
func (p *logPrinter) prefix(at time.Time, id, mark string) {
	if p.stamps {
		p.w.WriteString(at.Format(logsTimeFormat) + " ")
	}
	name := fmt.Sprintf("%-*s %s ", p.width, p.z.clean(id), mark)
	if p.z.colour && !p.raw {
		if code, ok := p.codes[id]; ok {
			name = "\x1b[" + code + "m" + name + "\x1b[0m"
		}
	}
	p.w.WriteString(name)
}

// end ends a Partial line printed, whose rest did not come next.
func (p *logPrinter) end() {
	if p.open {
		p.w.WriteByte('\n')
		p.open = false
	}
}
