package config

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// yamlLine splits the text of an error of the yaml package into the line
// it tells, if any, and the problem.
var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// parserProblems are the errors of the yaml package's parser, as opposed to
// its scanner. The parser tells the line where the construct it was reading
// began (the problem's if that is on the first line), counted from 0, and
// leaves "line" out for 0; the scanner tells the line counted from 1.
var parserProblems = []string{
	"did not find expected <stream-start>", "did not find expected <document start>",
	"found undefined tag handle", "did not find expected node content",
	"did not find expected '-' indicator", "did not find expected key",
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"found duplicate %YAML directive", "found incompatible YAML document", "found duplicate %TAG directive",
}

// syntaxError records an error of the yaml package reading data, at the
// line a user has to fix.
//
// The yaml package often tells another line: for a key indented as no key
// above it, the line where the enclosing mapping begins; for a tab in the
// indentation after a plain value, the value's line; for an unknown anchor,
// none. So the line is found again: it is the first line that, read with
// the lines before it, gets the same error, as the yaml package stops at
// the first token it cannot take. A quote or bracket left open gets the
// error from the line where it opens, the one to fix.
func (p *parser) syntaxError(data []byte, err error) {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		p.errorf(0, "", "%v", err)
		return
	}
	problem := m[2]
	line := firstFailingLine(data, problem)
	if line == 0 { // not found again: take the yaml package's word for it
		line, _ = strconv.Atoi(m[1]) // 0 without a line
		if slices.Contains(parserProblems, problem) {
			line++
		}
	}
	p.errorf(line, "", "%s%s", problem, hint(problem, lineText(data, line)))
}

// firstFailingLine returns the first line (from 1) such that the text up to
// its end fails to read with problem, or 0 if none does.
func firstFailingLine(data []byte, problem string) int {
	var ends []int // where each line ends, its newline included
	for i, c := range data {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	// From the top, not by bisection: a shorter text can fail with the
	// same problem earlier (cut inside a [...] that spans lines) without
	// every longer one failing so. Only a bad file pays for it, once.
	for i, end := range ends {
		if readProblem(data[:end]) == problem {
			return i + 1
		}
	}
	return 0
}

// readProblem reads every document of data and returns the problem of the
// first error, without its line, or "" for none.
func readProblem(data []byte) string {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		switch {
		case errors.Is(err, io.EOF):
			return ""
		case err != nil:
			if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
				return m[2]
			}
			return err.Error()
		}
	}
}

// lineText returns line n (from 1) of data, "" if there is none.
func lineText(data []byte, n int) string {
	if n < 1 {
		return ""
	}
	for text := range strings.Lines(string(data)) {
		if n--; n == 0 {
			return strings.TrimRight(text, "\r\n")
		}
	}
	return ""
}

// hint says what a problem of the yaml package likely means on a line of
// the text, in parentheses after a space, or "".
func hint(problem, text string) string {
	indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
	switch {
	case strings.Contains(indent, "\t"):
		return " (a tab in the indentation: YAML indents with spaces only)"
	case problem == "did not find expected key":
		return " (this line is indented as no key above it)"
	case problem == "did not find expected '-' indicator":
		return " (this line is indented as the items of the list above it, but it is not one: - item)"
	case problem == "mapping values are not allowed in this context":
		return ` (a key indented deeper than the keys above it, or a value with ": " that needs quotes)`
	case problem == "did not find expected ',' or ']'":
		return " (a [ list not closed)"
	case problem == "did not find expected ',' or '}'":
		return " (a { mapping not closed)"
	}
	return ""
}
