package testbuild

import "strings"

// Piece is a line, or a piece of one, as the line splitter cuts it.
type Piece struct {
	Text    string
	Partial bool // more of the same line follows
}

// RefSplit is the specification of the line splitter, written as plainly as
// possible, for the tests that compare captured output with it: split at
// "\n", drop one "\r" before each "\n", keep the unterminated rest as it
// is, then cut every line into pieces of max bytes.
func RefSplit(input []byte, max int) []Piece {
	parts := strings.Split(string(input), "\n")
	var lines []string
	for i, part := range parts {
		if i < len(parts)-1 {
			// Terminated by "\n".
			lines = append(lines, strings.TrimSuffix(part, "\r"))
		} else if part != "" {
			// The final, unterminated piece keeps any "\r".
			lines = append(lines, part)
		}
	}
	var out []Piece
	for _, line := range lines {
		if line == "" {
			out = append(out, Piece{Text: ""})
			continue
		}
		for start := 0; start < len(line); start += max {
			end := min(start+max, len(line))
			out = append(out, Piece{Text: line[start:end], Partial: end < len(line)})
		}
	}
	return out
}
