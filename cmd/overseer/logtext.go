package main

import (
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// logText is what "overseer logs" writes of a line's text: the exact bytes
// the process wrote, unless the output is a terminal, where each byte that
// is not UTF-8 is shown as U+FFFD, as in the line's JSON "text".
func logText(text string, terminal bool) string {
	if !terminal || utf8.ValidString(text) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 8)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(text[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isTerminal reports whether w is a terminal: a character device, as for
// the colours of the command's own output.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
