//go:build unix

package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseProcfile(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []want
	}{
		{"one", "web: ./web -p 80\n", []want{{name: "web", line: 1, f: defaults(sh("./web -p 80"))}}},
		{"no final newline", "web: ./web", []want{{name: "web", line: 1, f: defaults(sh("./web"))}}},
		{
			"comments, blanks and spaces",
			"# comment\n\n   \n  web:   ./web  \n\t# indented comment\nworker:./worker\n",
			[]want{
				{name: "web", line: 4, f: defaults(sh("./web"))},
				{name: "worker", line: 6, f: defaults(sh("./worker"))},
			},
		},
		{
			"CRLF and a byte order mark",
			"\uFEFFweb: ./web\r\n\r\nworker: ./worker\r\n",
			[]want{
				{name: "web", line: 1, f: defaults(sh("./web"))},
				{name: "worker", line: 3, f: defaults(sh("./worker"))},
			},
		},
		{
			"the command line is the shell's, colons and all",
			"web: ENV=x ./web --url http://localhost:8000 | tee log # done\n",
			[]want{{name: "web", line: 1, f: defaults(sh("ENV=x ./web --url http://localhost:8000 | tee log # done"))}},
		},
		{
			"names as overseer takes them",
			"web.1: a\nworker_2: b\nq-3: c\nmail@host+x: d\nüber: e\n",
			[]want{
				{name: "web.1", line: 1, f: defaults(sh("a"))},
				{name: "worker_2", line: 2, f: defaults(sh("b"))},
				{name: "q-3", line: 3, f: defaults(sh("c"))},
				{name: "mail@host+x", line: 4, f: defaults(sh("d"))},
				{name: "über", line: 5, f: defaults(sh("e"))},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			procs, err := Parse("Procfile", []byte(c.in), false)
			require.NoError(t, err)
			check(t, procs, c.want)
			for _, p := range procs {
				assert.Empty(t, p.Log)
			}
		})
	}
}

func TestProcfileErrors(t *testing.T) {
	testParseErrors(t, "Procfile", []parseError{
		{"empty", "", 0, "", "no processes"},
		{"only comments", "# web: ./web\n\n", 0, "", "no processes"},
		{"no colon", "web: ./web\nworker ./worker\n", 2, "", `not a process: want "name: command"`},
		{"no name", "web: ./web\n: ./worker\n", 2, "", "empty id"},
		{"space in name", "my web: ./web\n", 1, "my web", `id "my web" has ' '`},
		{"slash in name", "web/1: ./web\n", 1, "web/1", `has '/'`},
		{"dot", ".: ./web\n", 1, ".", `id "."`},
		{"duplicate", "web: a\n\nweb: b\n", 3, "web", "defined twice (first on line 1)"},
		{"no command", "web:\n", 1, "web", "no command"},
		{"blank command", "web:   \t\n", 1, "web", "no command"},
		{"NUL", "web: echo \x00\n", 1, "web", "NUL byte"},
	})
}
