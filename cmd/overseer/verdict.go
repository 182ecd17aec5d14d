//go:build unix

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
// code that is not a success, or ended by a signal nobody asked for (a
// stop asked for, from the command, the dashboard or the control socket,
// is none).
func failed(st overseer.Status, successCodes []int) bool {
	switch st.State {
	case overseer.StateFatal:
		return true
	case overseer.StateFinished:
		return st.Exit != 0 && !slices.Contains(successCodes, st.Exit)
	case overseer.StateInterrupted:
		return !st.Stopped && st.Error != nil
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

// reason says how a process that failed with status st ended, without
// escape sequences or controls (an error may quote the process).
func reason(id string, st overseer.Status) string {
	if st.Error != nil {
		return sanitizer{}.clean(tidyError(id, st.Error.Error()))
	}
	return fmt.Sprintf("exit %d", st.Exit)
}

// verdict prints which processes did not end well and returns the exit
// status of the command: 0, 1 when some failed, or, with exitOnFailure, the
// exit code of the one that failed first.
func verdict(o *overseer.Overseer, procs []config.Process, exitOnFailure bool, stderr io.Writer) int {
	var lines []string
	var first string // the process that failed first
	var firstStatus overseer.Status
	for _, p := range procs {
		st, err := o.Status(p.Name)
		if err != nil || !failed(st, p.Cmd.SuccessCodes) {
			continue
		}
		lines = append(lines, p.Name+": "+reason(p.Name, st))
		if first == "" || st.StopTime.Before(firstStatus.StopTime) {
			first, firstStatus = p.Name, st
		}
	}
	switch {
	case len(lines) == 0:
		return 0
	case exitOnFailure:
		fmt.Fprintf(stderr, "overseer: %s failed (%s): stopped everything (-exit-on-failure)\n", first, reason(first, firstStatus))
		return exitCode(firstStatus)
	}
	fmt.Fprintln(stderr, "overseer: failed:\n  "+strings.Join(lines, "\n  "))
	return 1
}

// stopOnFailure watches o's events and calls stop (which stops everything)
// at the first process that fails for good, for -exit-on-failure. It
// returns the function that ends the watch. Which process that was is read
// from the statuses at the end (verdict), not from the events, which may
// still be on their way when everything has ended.
func stopOnFailure(o *overseer.Overseer, procs []config.Process, stop func()) (end func()) {
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
				if !ev.To.IsFinal() {
					continue
				}
				if st, err := o.Status(ev.ID); err == nil && failed(st, codes[ev.ID]) {
					stop()
				}
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
