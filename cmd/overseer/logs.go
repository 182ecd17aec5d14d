//go:build unix

package main

import (
	"errors"
	"fmt"

	"github.com/overseer-go/overseer/cmd/overseer/internal/config"
	"github.com/overseer-go/overseer/cmd/overseer/internal/logfile"
)

// logOptions rotate a log file at 10 MiB, keeping 3 old ones, compressed
// (the log key of docs/command.md).
var logOptions = logfile.Options{MaxBytes: 10 << 20, Backups: 3, Compress: true}

// logFiles are the per-process log files of a run of the command.
type logFiles []*logfile.File

// openLogs gives every process that has a log file a rotating writer for
// both its streams, which stamps each line with log_timestamps. A log file that cannot be opened safely (its directory
// writable by another user, a link, not a regular file) is an error naming
// the process, and none is left open.
func openLogs(procs []config.Process) (logFiles, error) {
	var logs logFiles
	for _, p := range procs {
		if p.Log == "" {
			continue
		}
		l, err := logfile.Open(p.Log, logOptions)
		if err != nil {
			if cerr := logs.close(); cerr != nil {
				err = errors.Join(err, cerr)
			}
			return nil, fmt.Errorf("%s: log file: %w", p.Name, err)
		}
		if p.LogTimestamps {
			s := newStampedLog(l) // serializes the writes of both streams itself
			p.Cmd.Stdout, p.Cmd.Stderr = s.stream(1), s.stream(2)
		} else {
			p.Cmd.Stdout, p.Cmd.Stderr = l, l // the same writer: the Cmd serializes its writes
		}
		logs = append(logs, l)
	}
	return logs, nil
}

func (logs logFiles) close() error {
	var errs []error
	for _, l := range logs {
		errs = append(errs, l.Close())
	}
	return errors.Join(errs...)
}
