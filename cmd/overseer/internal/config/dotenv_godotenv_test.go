//go:build unix

package config

import (
	"testing"

	"github.com/joho/godotenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Our .env reader keeps godotenv's syntax, with lines for its errors and
// the order of its assignments (see the package doc): on the syntax both
// read, it reads what godotenv, the maintained parser, reads. Where they
// part, the case says why.
func TestDotenvAsGodotenv(t *testing.T) {
	same := []struct{ name, in string }{
		{"one", "A=1\n"},
		{"no final newline", "A=1"},
		{"blank lines and comments", "\n# a comment\n   \nA=1\n\n"},
		{"export", "export A=1\nexport B=2\n"},
		{"spaces around =", "A = hello world\n"},
		{"empty values", "A=\nB=''\nC=\"\"\n"},
		{"a value with =", "URL=postgres://u:p@h/db?x=1\n"},
		{"comment after a value", "A=1 # one\nB=a#b\n"},
		{"single quotes", "A='x \\n y # z'\n"},
		{"double quotes with escapes", "A=\"a\\nb\\\"c\"\n"},
		{"double quotes over lines", "A=\"one\ntwo\"\nB=after\n"},
		{"dotted names", "spring.profiles.active=dev\n"},
		{"set twice, the later wins", "A=1\nA=2\n"},
		{"CRLF", "A=1\r\nB=2\r\n"},
	}
	for _, c := range same {
		t.Run(c.name, func(t *testing.T) {
			theirs, err := godotenv.Unmarshal(c.in)
			require.NoError(t, err)
			vars, err := readDotenv(c.in, nil)
			require.NoError(t, err)
			ours := map[string]string{}
			for _, v := range vars {
				ours[v.name] = v.value
			}
			assert.Equal(t, theirs, ours)
		})
	}
}
