//go:build unix

package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestYAMLSyntaxLines: a syntax error is at the line a user has to fix,
// with a word on what is likely wrong there.
func TestYAMLSyntaxLines(t *testing.T) {
	var cases []parseError
	for _, c := range []struct {
		name string
		in   string // lines, joined with \n
		line int
		msg  string
	}{
		{
			"a key indented less than the keys above it",
			"processes:|  web:|    command: x|   restart: always|  worker: y",
			4, "did not find expected key (this line is indented as no key above it)",
		},
		{
			"the same, after blank lines and a comment",
			"processes:|  web:|    command: x||    # why||   restart: always",
			7, "did not find expected key (this line is indented as no key above it)",
		},
		{
			"a process indented less than the one above it",
			"processes:|    web: x|  api: y",
			3, "did not find expected key",
		},
		{
			"a key indented less than the keys of env",
			"processes:|  web:|    command: x|    env:|      A: 1|     B: 2",
			6, "did not find expected key (this line is indented as no key above it)",
		},
		{
			"a key indented more than the keys above it",
			"processes:|  web:|    command: x|      restart: always",
			4, `mapping values are not allowed in this context (a key indented deeper than the keys above it, or a value with ": " that needs quotes)`,
		},
		{
			"a key indented one more than the keys of env",
			"processes:|  web:|    command: x|    env:|      A: 1|       B: 2",
			6, "mapping values are not allowed in this context",
		},
		{
			"a value with ': ' unquoted",
			"processes:|  web:|    command: echo note: hi",
			3, "mapping values are not allowed in this context",
		},
		{
			"a list item indented less than the one above it",
			"processes:|  web:|    args:|      - ./web|     - -p|  api: y",
			5, "did not find expected key (this line is indented as no key above it)",
		},
		{
			"a list item indented less, the list at its key's level",
			"processes:|  web:|    args:|    - ./web|   - -p",
			5, "did not find expected key",
		},
		{
			"a list item at the level of the key above",
			"processes:|  web:|    command: x|    restart: always|  - api",
			5, "did not find expected key",
		},
		{
			"a key among the items of a list",
			"processes:|  web:|    args:|      - a|      b: c",
			5, "did not find expected '-' indicator (this line is indented as the items of the list above it, but it is not one: - item)",
		},
		{
			"a tab indenting a process",
			"processes:|\tweb: x",
			2, "found character that cannot start any token (a tab in the indentation: YAML indents with spaces only)",
		},
		{
			"a tab indenting a key after a plain value",
			"processes:|  web:|    command: x|\trestart: always",
			4, "found a tab character that violates indentation (a tab in the indentation: YAML indents with spaces only)",
		},
		{
			"spaces then a tab",
			"processes:|  web:|  \tcommand: x",
			3, "(a tab in the indentation: YAML indents with spaces only)",
		},
		{
			"a flow list never closed: where it opens",
			"processes:|  web:|    args: [./web, -p|    restart: always|  api: y",
			3, "did not find expected ',' or ']' (a [ list not closed)",
		},
		{
			"a flow mapping never closed: where it opens",
			"processes:|  web: {command: x|  api: y",
			2, "did not find expected ',' or '}' (a { mapping not closed)",
		},
		{
			"a quote never closed: where it opens",
			"processes:|  web:|    command: \"x|  api: y",
			3, "found unexpected end of stream",
		},
		{
			"a block scalar's line indented less than its first",
			"processes:|  web:|    command: >|      a|     b",
			5, "did not find expected key",
		},
		{
			"an unknown anchor: where it is used",
			"processes:|  web: x|  api: *nope",
			3, "unknown anchor 'nope' referenced",
		},
		{
			"a mistake in a second document",
			"processes:|  web: x|---|processes:|  api:|    command: y|   group: g",
			7, "did not find expected key",
		},
	} {
		cases = append(cases, parseError{name: c.name, in: strings.ReplaceAll(c.in, "|", "\n") + "\n", line: c.line, msg: c.msg})
	}
	testParseErrors(t, "f.yaml", cases) // no key: the mistake is YAML's
}

// TestFirstFailingLine: the line is found in a file without a final
// newline, and is 0 when the error does not come back.
func TestFirstFailingLine(t *testing.T) {
	data := []byte("processes:\n  web:\n    command: x\n   restart: always")
	assert.Equal(t, 4, firstFailingLine(data, "did not find expected key"))
	assert.Equal(t, 0, firstFailingLine(data, "some other problem"))
	assert.Equal(t, 0, firstFailingLine(nil, "did not find expected key"))
}

// TestSettingIndentedAsAProcess: a setting indented as a process, after a
// process whose settings are on lines of their own, is an error at its
// line; a process named as a setting is not, where it cannot be one.
func TestSettingIndentedAsAProcess(t *testing.T) {
	for _, c := range []struct {
		name, in string // lines joined with |
		errs     []string
	}{
		{
			"a scalar setting",
			"processes:|  web:|    command: x|  restart: always|  api: y",
			[]string{"f.yaml:4: restart: a setting of web indented as a process: indent it under web (a process named restart needs command or args)"},
		},
		{
			"a setting with its own lines",
			"processes:|  web:|    command: x|  env:|    A: 1",
			[]string{"f.yaml:4: env: a setting of web indented as a process"},
		},
		{
			"every setting of a process indented as it is",
			"processes:|  web:|  command: x|  restart: always",
			[]string{
				"f.yaml:2: web: no command",
				"f.yaml:3: command: a setting of web indented as a process",
				"f.yaml:4: restart: a setting of web indented as a process",
			},
		},
		{"a process named as a setting, with a command", "processes:|  web:|    command: x|  log:|    command: tail -F x", nil},
		{"a process named as a setting, with args", "processes:|  web:|    command: x|  log: {args: [tail, x]}", nil},
		{"a process named as a setting, with a merge", "x-a: &a {command: y}|processes:|  web:|    command: x|  log:|    <<: *a", nil},
		{"after a process on one line", "processes:|  web: ./web|  restart: ./restart-all", nil},
		{"after a process in braces", "processes:|  web: {command: x}|  restart: ./restart-all", nil},
		{"first", "processes:|  restart: ./restart-all|  web: x", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(strings.ReplaceAll(c.in, "|", "\n")+"\n"), true)
			if c.errs == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			var got []string
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				for _, err := range joined.Unwrap() {
					got = append(got, err.Error())
				}
			} else {
				got = []string{err.Error()}
			}
			require.Len(t, got, len(c.errs), "%v", err)
			for i, want := range c.errs {
				assert.True(t, strings.HasPrefix(got[i], want), "got  %q\nwant %q...", got[i], want)
			}
		})
	}
}
