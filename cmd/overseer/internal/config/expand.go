package config

import (
	"fmt"
	"strings"
)

// expandVars returns s with its references to variables replaced, as the
// YAML file's command, args, env, dir and log are read (see Variables in the
// package doc): ${NAME} by the value of NAME, ${NAME:-default} by that value
// if it is set and not empty, else by default (taken as written), and $$ by
// a single $. Any other $, a bare $NAME above all, is kept for the shell
// that runs the command.
//
// A variable that lookup does not know, with no default, is an error that
// names it, as is a ${ without its }, or a ${...} of another form (the
// shell's ${NAME:+x}, ${#NAME}, ...); the errors say to write $${...} to
// leave the reference to the shell; at is the offset in s of the $ that
// starts the reference at fault.
func expandVars(s string, lookup func(string) (string, bool)) (out string, at int, err error) {
	if !strings.Contains(s, "$") {
		return s, 0, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c != '$' || i+1 == len(s):
			b.WriteByte(c)
		case s[i+1] == '$':
			b.WriteByte('$')
			i++
		case s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", i, fmt.Errorf("%q: a ${ without its } (write $${ to leave it to the shell)", s[i:])
			}
			ref := s[i+2 : i+end]
			value, err := reference(ref, lookup)
			if err != nil {
				return "", i, err
			}
			b.WriteString(value)
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), 0, nil
}

// reference returns the value of ref, what is between ${ and }: NAME or
// NAME:-default.
func reference(ref string, lookup func(string) (string, bool)) (string, error) {
	name, def, hasDefault := strings.Cut(ref, ":-")
	if checkVarName(name) != nil || (hasDefault && strings.Contains(def, "${")) {
		return "", fmt.Errorf("${%s}: overseer expands ${NAME} and ${NAME:-default} only: write $${%s} to leave it to the shell", ref, ref)
	}
	value, ok := lookup(name)
	switch {
	case hasDefault && value == "":
		return def, nil
	case !ok:
		return "", fmt.Errorf("${%s}: %s is not set (set it in the environment or an env file, use ${%s:-default}, or write $${%s} to leave it to the shell)", name, name, name, name)
	}
	return value, nil
}
