//go:build unix

package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readDotenv reads text as the .env file ".env", expanding from env.
func readDotenv(text string, env map[string]string) ([]variable, error) {
	p := &parser{file: ".env"}
	vars := p.dotenv([]byte(text), func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	})
	return vars, p.err()
}

func TestDotenv(t *testing.T) {
	env := map[string]string{"HOME": "/home/u", "EMPTY": "", "A.B": "dotted"}
	for _, c := range []struct {
		name, in string
		want     []variable
	}{
		{"one", "A=1\n", []variable{{"A", "1", 1}}},
		{"no final newline", "A=1", []variable{{"A", "1", 1}}},
		{"empty file", "", nil},
		{"blank lines and comments", "\n# a comment\n   \n\t# indented\nA=1\n\n", []variable{{"A", "1", 5}}},
		{"export", "export A=1\nexport\tB=2\n  export   C = 3\n", []variable{{"A", "1", 1}, {"B", "2", 2}, {"C", "3", 3}}},
		{"export as a name", "export=1\nexports=2\n", []variable{{"export", "1", 1}, {"exports", "2", 2}}},
		{"names", "_A=1\na_b9=2\nspring.profiles.active=dev\nX.=3\n", []variable{{"_A", "1", 1}, {"a_b9", "2", 2}, {"spring.profiles.active", "dev", 3}, {"X.", "3", 4}}},
		{"spaces around = and the value trimmed", "A = hello world  \nB=\t x \t\n", []variable{{"A", "hello world", 1}, {"B", "x", 2}}},
		{"empty values", "A=\nB=''\nC=\"\"\nD= # nothing\n", []variable{{"A", "", 1}, {"B", "", 2}, {"C", "", 3}, {"D", "", 4}}},
		{"the value runs on after =", "URL=postgres://u:p@h/db?x=1\n", []variable{{"URL", "postgres://u:p@h/db?x=1", 1}}},
		{"comments after an unquoted value", "A=1 # one\nB=2\t# two\nC=a#b\nD=#x\nE=a #b #c\n", []variable{{"A", "1", 1}, {"B", "2", 2}, {"C", "a#b", 3}, {"D", "#x", 4}, {"E", "a", 5}}},
		{"quotes inside an unquoted value", "A=it's\nB=say \"hi\"\n", []variable{{"A", "it's", 1}, {"B", `say "hi"`, 2}}},
		{"single quotes: literal", `A='$HOME \n \\ "x" # not a comment'` + "\n", []variable{{"A", `$HOME \n \\ "x" # not a comment`, 1}}},
		{"single quotes keep spaces", "A='  x  '\n", []variable{{"A", "  x  ", 1}}},
		{"double quotes: escapes", `A="a\nb\tc\rd\"e\\f\$HOME"` + "\n", []variable{{"A", "a\nb\tc\rd\"e\\f$HOME", 1}}},
		{"double quotes: other backslashes kept", `A="C:\dir\x"` + "\n", []variable{{"A", `C:\dir\x`, 1}}},
		{"double quotes: # inside, a comment after", `A="a # b" # c` + "\nB='x'#y\n", []variable{{"A", "a # b", 1}, {"B", "x", 2}}},
		{"double quotes over lines", "A=\"one\ntwo\n\nthree\"\nB=after\n", []variable{{"A", "one\ntwo\n\nthree", 1}, {"B", "after", 5}}},
		{"single quotes over lines", "A='one\n$two'\nB=3\n", []variable{{"A", "one\n$two", 1}, {"B", "3", 3}}},
		{"an escaped quote does not close", "A=\"say \\\"hi\\\"\nsecond\"\n", []variable{{"A", "say \"hi\"\nsecond", 1}}},
		{"expansion from the environment", "A=$HOME/x\nB=${HOME}y\nC=\"$HOME\"\nD='$HOME'\n", []variable{{"A", "/home/u/x", 1}, {"B", "/home/uy", 2}, {"C", "/home/u", 3}, {"D", "$HOME", 4}}},
		{"expansion from the file first", "HOME=/mine\nA=$HOME\n", []variable{{"HOME", "/mine", 1}, {"A", "/mine", 2}}},
		{"only earlier lines", "A=$B\nB=2\nC=$B\n", []variable{{"A", "", 1}, {"B", "2", 2}, {"C", "2", 3}}},
		{"self reference", "HOME=$HOME/sub\n", []variable{{"HOME", "/home/u/sub", 1}}},
		{"unset and empty", "A=[$NOPE][${EMPTY}]\n", []variable{{"A", "[][]", 1}}},
		{"a bare name ends at a dot or any other byte", "A=$HOME.bak\nB=$HOME-x\nC=${A.B}\nD=$A.B\n", []variable{{"A", "/home/u.bak", 1}, {"B", "/home/u-x", 2}, {"C", "dotted", 3}, {"D", "/home/u.bak.B", 4}}},
		{"a $ that starts no name", "A=$5 $ $-x $\nB=\"cost: $\"\nC=100$\n", []variable{{"A", "$5 $ $-x $", 1}, {"B", "cost: $", 2}, {"C", "100$", 3}}},
		{"escaped $ in an unquoted value", `A=\$HOME\x` + "\n", []variable{{"A", `$HOME\x`, 1}}},
		{"set twice: both, in order", "A=1\nA=2\nB=$A\n", []variable{{"A", "1", 1}, {"A", "2", 2}, {"B", "2", 3}}},
		{"CRLF and a byte order mark", "\uFEFFA=1\r\nB=\"x\r\ny\"\r\n", []variable{{"A", "1", 1}, {"B", "x\ny", 2}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			vars, err := readDotenv(c.in, env)
			require.NoError(t, err)
			assert.Equal(t, c.want, vars)
		})
	}
}

func TestDotenvErrors(t *testing.T) {
	for _, c := range []struct {
		name, in string
		line     int
		key, msg string
	}{
		{"no =", "A=1\nB\n", 2, "", `"B" is not NAME=value`},
		{"export alone", "export A\n", 1, "", `"export A" is not NAME=value`},
		{"a YAML-style line", "A: 1\n", 1, "", `"A: 1" is not NAME=value`},
		{"empty name", "=1\n", 1, "", "empty variable name"},
		{"name with a digit first", "1A=x\n", 1, "", `"1A" is not a variable name`},
		{"name with a dot first", ".A=x\n", 1, "", `".A" is not a variable name`},
		{"name with a dash", "A-B=x\n", 1, "", `"A-B" is not a variable name`},
		{"name with a space", "A B=x\n", 1, "", `"A B" is not a variable name`},
		{"name not ASCII", "ÄA=x\n", 1, "", `"ÄA" is not a variable name`},
		{"double quote never closed", "A=1\nB=\"abc\nC=2\n", 2, "B", "the double quote opened here is never closed"},
		{"single quote never closed", "A='abc\n", 1, "A", "the single quote opened here is never closed"},
		{"closed by an escaped quote only", "A=\"abc\\\"\n", 1, "A", "never closed"},
		{"text after the closing quote", "A=\"a\" b\n", 1, "A", `"b" after the closing quote (a comment starts with #)`},
		{"text after a closing quote lines below", "A='a\nb' c\n", 2, "A", `"c" after the closing quote`},
		{"${ without }", "A=${HOME\n", 1, "A", `"${HOME": a ${ without its }`},
		{"${} empty", "A=x${}\n", 1, "A", "${}: empty variable name"},
		{"${ a bad name }", "A=\"${1X}\"\n", 1, "A", `${1X}: "1X" is not a variable name`},
		{"NUL in a value", "A=a\x00b\n", 1, "A", "NUL byte in the value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			vars, err := readDotenv(c.in, nil)
			wantError(t, err, ".env", c.line, c.key, c.msg)
			for _, v := range vars {
				assert.NotEqual(t, c.line, v.line, "a bad line sets nothing: %v", v)
			}
		})
	}
}

// TestDotenvManyErrors: every bad line is told, by line, and the good
// lines between are read.
func TestDotenvManyErrors(t *testing.T) {
	vars, err := readDotenv("A=1\nB\nC=2\n1D=3\nE=4\n", nil)
	require.Error(t, err)
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "%T", err)
	var lines []int
	for _, err := range joined.Unwrap() {
		lines = append(lines, fileError(t, err).Line)
	}
	assert.Equal(t, []int{2, 4}, lines)
	assert.Equal(t, []variable{{"A", "1", 1}, {"C", "2", 3}, {"E", "4", 5}}, vars)
}
