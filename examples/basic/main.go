// Command basic is a host program that supervises three processes with
// overseer, printing their output and every change of state as it happens,
// until they are done or Ctrl-C stops them.
//
//	go run ./examples/basic
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/overseer-go/overseer"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	ovr := overseer.NewOverseer()

	// Prints a line a tenth of a second, then finishes.
	if _, err := ovr.Add("ticker", "sh", "-c", `for i in 1 2 3 4 5; do echo "tick $i"; sleep 0.1; done`); err != nil {
		return err
	}

	// Fails twice, then succeeds: restarted under the default policy
	// (on-failure) after a jittered backoff.
	attempts := filepath.Join(os.TempDir(), fmt.Sprintf("overseer-basic-%d", os.Getpid()))
	defer os.Remove(attempts)
	flaky, err := ovr.Add("flaky", "sh", "-c", `
		n=$(cat "$0" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$0"
		echo "attempt $n" >&2
		[ $n -ge 3 ]`, attempts)
	if err != nil {
		return err
	}
	flaky.Backoff.Min = 200 * time.Millisecond

	// Starts a background job and exits: the job is in its process
	// group, so it is killed with it instead of living on as an orphan.
	if _, err := ovr.Add("leaver", "sh", "-c", `sleep 1000 & echo "left a sleep behind"`); err != nil {
		return err
	}

	events := make(chan overseer.Event, 64)
	stopEvents := ovr.Watch(events)
	lines := make(chan overseer.Line, 1024)
	stopLines := ovr.WatchLogs(lines)
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		for events != nil || lines != nil {
			select {
			case ev, ok := <-events:
				if !ok {
					events = nil
					continue
				}
				fmt.Printf("%-7s %s -> %s (pid %d, restarts %d)\n", ev.ID, ev.From, ev.To, ev.PID, ev.Restarts)
			case l, ok := <-lines:
				if !ok {
					lines = nil
					continue
				}
				fmt.Printf("%-7s %s | %s\n", l.ID, l.Stream, l.Text)
			}
		}
	}()

	// The host decides which signals end supervision; overseer installs
	// no handler of its own.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = ovr.SuperviseAll(ctx) // returns when all are done, or after stopping all on Ctrl-C

	stopEvents()
	stopLines()
	close(events) // safe: nothing is sent after the stop functions return
	close(lines)
	<-printed

	for _, p := range ovr.ToJSONAll() {
		fmt.Printf("%-7s %-11s exit %d, %d restarts, ran %.2fs\n", p.ID, p.State, p.Exit, p.Restarts, p.Runtime)
	}
	return err
}
