//go:build unix

package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/overseer-go/overseer/cmd/overseer/internal/control"
)

// runStart is "overseer start": foreman's start, which runs the file in the
// foreground (all of it, or the processes named), unless it names
// processes and the server at the control socket runs this very file (the
// one "overseer start" would run here): then it asks that server to start
// them, as "overseer stop" asks it to stop one. -socket always means the
// server; no name, or a flag of a foreground run, the foreground.
func runStart(args []string, stdout, stderr io.Writer) int {
	switch {
	case hasFlag(args, "socket"):
		return runClient("start", args, stdout, stderr)
	case len(args) == 0 || strings.HasPrefix(args[0], "-"):
		// No name, or flags (of a foreground run: -socket is above).
	case servesHere(stderr):
		return runClient("start", args, stdout, stderr)
	}
	return runFile("start", args, stdout, stderr)
}

// servesHere reports whether the server at the default control socket
// ($OVERSEER_SOCKET, else control.DefaultPath) runs the file that a
// foreground run in this directory would. A socket refused as unsafe is
// said on stderr, since the foreground run that follows is not what a user
// who has a server running expects.
func servesHere(stderr io.Writer) bool {
	served, err := servedFile(socketPath(""))
	if errors.Is(err, control.ErrUnsafe) {
		fmt.Fprintf(stderr, "overseer start: not asking the server (%v); running in the foreground\n", err)
	}
	if err != nil || served == "" {
		return false
	}
	here, err := findFile(".")
	if err != nil {
		return false
	}
	abs, err := filepath.Abs(here)
	return err == nil && abs == served
}

// hasFlag reports whether args, up to "--" or the first argument that is
// not a flag, hold one of the flags names, in any of the forms package flag
// takes (-name, --name, -name=value).
func hasFlag(args []string, names ...string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			return false
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if slices.Contains(names, name) {
			return true
		}
		if !hasValue && slices.Contains(valueFlags, name) {
			i++ // its value
		}
	}
	return false
}

// valueFlags are the flags of start that take a value.
var valueFlags = []string{"f", "http", "env", "port", "socket"}
