package main

import (
	"errors"
	"os"
	"path/filepath"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/overseer-go/overseer/cmd/overseer/internal/config"
)

// Log files are rotated when they reach logMaxMB, keeping logBackups old
// ones, compressed.
const (
	logMaxMB   = 10
	logBackups = 3
)

// logFiles are the per-process log files of a run of the command.
type logFiles []*lumberjack.Logger

// openLogs gives every process that has a log file a rotating writer for
// both its streams.
func openLogs(procs []config.Process) (logFiles, error) {
	var logs logFiles
	for _, p := range procs {
		if p.Log == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p.Log), 0o755); err != nil {
			logs.close()
			return nil, err
		}
		l := &lumberjack.Logger{Filename: p.Log, MaxSize: logMaxMB, MaxBackups: logBackups, Compress: true}
		p.Cmd.Stdout, p.Cmd.Stderr = l, l // the same writer: the Cmd serializes its writes
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
