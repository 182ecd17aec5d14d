package main

import "github.com/overseer-go/overseer"

// hookMarks begin the text of a line written by a hook, after the
// process's prefix, which keeps its width: "web | [pre_start] migrating".
var hookMarks = [...]string{
	overseer.HookPreStart:    "[pre_start] ",
	overseer.HookPostStop:    "[post_stop] ",
	overseer.HookStopCommand: "[stop_command] ",
}

// hookMark returns the mark of a line written by hook h, "" for the
// program's own.
func hookMark(h overseer.Hook) string {
	if int(h) < len(hookMarks) {
		return hookMarks[h]
	}
	return "[" + h.String() + "] "
}
