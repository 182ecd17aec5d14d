package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/config"
)

// failed reports whether st, the status of a process with the given
// success codes, is a failure for the command: fatal, finished with an exit
// code that is not a success, or ended by a signal nobody asked for
// (stopped says that the command stopped everything).
func failed(st overseer.Status, successCodes []int, stopped bool) bool {
	switch st.State {
	case overseer.StateFatal:
		return true
	case overseer.StateFinished:
		return st.Exit != 0 && !slices.Contains(successCodes, st.Exit)
	case overseer.StateInterrupted:
		return !stopped && st.Error != nil
	}
	return false
}

// exitCode is the exit status for a process that failed with status st: its
// exit code, 128+N after signal N, else 1.
func exitCode(st overseer.Status) int {
	var sig *overseer.SignalError
	switch {
	case errors.As(st.Error, &sig):
		return 128 + int(sig.Signal)
	case st.Exit > 0:
		return st.Exit
	}
	return 1
}

// reason says how a process that failed with status st ended.
func reason(id string, st overseer.Status) string {
	if st.Error != nil {
		return tidyError(id, st.Error.Error())
	}
	return fmt.Sprintf("exit %d", st.Exit)
}

// verdict prints which processes did not end well and returns the exit
// status of the command: 0, 1 when some failed, or the exit code of first
// when -exit-on-failure stopped everything for it.
func verdict(o *overseer.Overseer, procs []config.Process, stopped bool, first *failure, stderr io.Writer) int {
	var lines []string
	for _, p := range procs {
		st, err := o.Status(p.Name)
		if err != nil {
			continue
		}
		if failed(st, p.Cmd.SuccessCodes, stopped && (first == nil || first.id != p.Name)) {
			lines = append(lines, p.Name+": "+reason(p.Name, st))
		}
	}
	if first.happened() {
		fmt.Fprintf(stderr, "overseer: %s failed (%s): stopped everything (-exit-on-failure)\n", first.id, reason(first.id, first.status))
		return exitCode(first.status)
	}
	if len(lines) > 0 {
		fmt.Fprintln(stderr, "overseer: failed:\n  "+strings.Join(lines, "\n  "))
		return 1
	}
	return 0
}

// failure is the first process that failed for good, for -exit-on-failure.
type failure struct {
	mu     sync.Mutex
	id     string
	status overseer.Status
}

// happened reports whether a failure was recorded; false on nil.
func (f *failure) happened() bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.id != ""
}

// watchFailures watches o's events and, at the first process that fails for
// good, records it in first and calls stop (which stops everything). It
// returns the function that ends the watch.
func watchFailures(o *overseer.Overseer, procs []config.Process, first *failure, stop func()) (end func()) {
	codes := make(map[string][]int, len(procs))
	for _, p := range procs {
		codes[p.Name] = p.Cmd.SuccessCodes
	}
	events := make(chan overseer.Event, 64)
	stopWatch := o.Watch(events)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case ev := <-events:
				if !ev.To.IsFinal() || ev.From == overseer.StateStopping {
					continue // not an end, or one that was asked for
				}
				st, err := o.Status(ev.ID)
				if err != nil || !failed(st, codes[ev.ID], false) {
					continue
				}
				first.mu.Lock()
				if first.id == "" {
					first.id, first.status = ev.ID, st
				}
				first.mu.Unlock()
				stop()
			case <-done:
				return
			}
		}
	})
	return func() {
		stopWatch()
		close(done)
		wg.Wait()
	}
}
