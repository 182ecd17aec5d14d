package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpandVars(t *testing.T) {
	vars := map[string]string{"GREETING": "hello", "EMPTY": "", "A.B": "dotted", "DOLLAR": "$X"}
	lookup := func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
	for _, c := range []struct {
		name, in, want, err string
		at                  int // of the error
	}{
		{name: "no reference", in: "echo hi", want: "echo hi"},
		{name: "a reference", in: "echo ${GREETING} world", want: "echo hello world"},
		{name: "references side by side", in: "${GREETING}${GREETING}", want: "hellohello"},
		{name: "a dotted name", in: "${A.B}", want: "dotted"},
		{name: "set empty", in: "[${EMPTY}]", want: "[]"},
		{name: "a value is not expanded again", in: "${DOLLAR}", want: "$X"},
		{name: "default of an unset variable", in: "${NOPE:-d e}", want: "d e"},
		{name: "default of an empty variable", in: "${EMPTY:-d}", want: "d"},
		{name: "default of a set variable", in: "${GREETING:-d}", want: "hello"},
		{name: "an empty default", in: "[${NOPE:-}]", want: "[]"},
		{name: "$$ is a $", in: "echo $$ $${NOPE} $$$$", want: "echo $ ${NOPE} $$"},
		{name: "a bare $NAME is the shell's", in: "echo $GREETING $1 $", want: "echo $GREETING $1 $"},
		{name: "a $ before neither $ nor {", in: "a$ b$-c $(date)", want: "a$ b$-c $(date)"},
		{name: "undefined", in: "echo ${NOPE}", at: 5, err: "${NOPE}: NOPE is not set (set it in the environment or an env file, use ${NOPE:-default}, or write $${NOPE} to leave it to the shell)"},
		{name: "no closing brace", in: "echo ${GREETING", at: 5, err: `"${GREETING": a ${ without its } (write $${ to leave it to the shell)`},
		{name: "another form of the shell", in: "${PATH:+x}", err: "${PATH:+x}: overseer expands ${NAME} and ${NAME:-default} only: write $${PATH:+x} to leave it to the shell"},
		{name: "a bad name", in: "${1X}", err: "${1X}: overseer expands"},
		{name: "empty", in: "${}", err: "${}: overseer expands"},
		{name: "a nested default", in: "x\n${A:-${B}}", at: 2, err: "${A:-${B}: overseer expands"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, at, err := expandVars(c.in, lookup)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				assert.Equal(t, c.at, at)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}
