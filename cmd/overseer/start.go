package main

import (
	"io"
	"slices"
	"strings"
)

// runStart is "overseer start": foreman's start, which runs the file in the
// foreground (all of it, or the processes named), unless a server answers
// at the control socket: then it asks that server to start the process
// named, as "overseer stop" asks it to stop one. -socket means the server;
// -f, or any flag of a foreground run, means the foreground.
func runStart(args []string, stdout, stderr io.Writer) int {
	switch {
	case hasFlag(args, "socket"):
		return runClient("start", args, stdout, stderr)
	case hasFlag(args, "f", "http", "env", "port", "exit-on-failure", "timestamps", "h", "help"):
	case serverAnswers(""):
		return runClient("start", args, stdout, stderr)
	}
	return runFile("start", args, stdout, stderr)
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
