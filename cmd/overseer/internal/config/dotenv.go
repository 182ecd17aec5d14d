package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// A variable is one assignment of a .env file.
type variable struct {
	name, value string
	line        int
}

// dotenv reads a .env file, in the syntax of foreman and godotenv (see the
// package doc), into its assignments in file order; a name assigned twice
// is there twice, the later one winning. A reference ($NAME, ${NAME}) is
// expanded from the variables the file assigned before it, then from
// lookup.
func (p *parser) dotenv(data []byte, lookup func(string) (string, bool)) []variable {
	text := strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\uFEFF"))), "\r\n", "\n")
	r := &dotenvReader{p: p, text: text, line: 1, own: make(map[string]string), lookup: lookup}
	for r.pos < len(r.text) && r.entry() {
	}
	return r.vars
}

// dotenvReader reads one .env file, entry after entry.
type dotenvReader struct {
	p      *parser
	text   string
	pos    int // where the next line starts
	line   int // the line at pos
	vars   []variable
	own    map[string]string // the values assigned so far
	lookup func(string) (string, bool)
}

// nextLine returns the rest of the current line, without its newline, and
// moves on to the next.
func (r *dotenvReader) nextLine() string {
	s := r.text[r.pos:]
	end := strings.IndexByte(s, '\n')
	if end < 0 {
		r.pos = len(r.text)
		return s
	}
	r.pos += end + 1
	r.line++
	return s[:end]
}

// entry reads the line at pos, and the lines a quoted value spans. It
// returns false when nothing more of the file can be read (a quote left
// open).
func (r *dotenvReader) entry() bool {
	line := r.line
	start := r.pos
	raw := r.nextLine()
	text := strings.TrimLeft(raw, " \t")
	if text == "" || text[0] == '#' {
		return true
	}
	assignment := text
	if rest, ok := strings.CutPrefix(text, "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
		assignment = strings.TrimLeft(rest, " \t")
	}
	name, value, ok := strings.Cut(assignment, "=")
	if !ok {
		r.p.errorf(line, "", "%q is not NAME=value", strings.TrimRight(text, " \t"))
		return true
	}
	name = strings.TrimRight(name, " \t")
	if err := checkVarName(name); err != nil {
		r.p.errorf(line, "", "%v", err)
		return true
	}
	rest := strings.TrimLeft(value, " \t")
	before := r.p.n
	switch {
	case rest != "" && (rest[0] == '\'' || rest[0] == '"'):
		// The value may go on over the next lines: read it from the text,
		// just after the opening quote (rest is the end of raw).
		r.pos = start + len(raw) - len(rest) + 1
		r.line = line
		var closed bool
		if value, closed = r.quoted(name, line, rest[0]); !closed {
			r.p.errorf(line, name, "the %s opened here is never closed", quoteName(rest[0]))
			return false
		}
	default:
		value = r.expand(name, line, unquoted(value), false)
	}
	if strings.IndexByte(value, 0) >= 0 {
		r.p.errorf(line, name, "NUL byte in the value")
	}
	if r.p.n == before {
		r.own[name] = value
		r.vars = append(r.vars, variable{name: name, value: value, line: line})
	}
	return true
}

// unquoted returns an unquoted value, s being all that follows the =: up
// to a # that follows a space or a tab, trimmed.
func unquoted(s string) string {
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && (s[i-1] == ' ' || s[i-1] == '\t') {
			s = s[:i]
			break
		}
	}
	return strings.TrimSpace(s)
}

// quoteName names a quote character for an error.
func quoteName(q byte) string {
	if q == '\'' {
		return "single quote"
	}
	return "double quote"
}

// quoted reads a value in quotes q from pos, just after the opening quote,
// to the closing one, over as many lines as it takes, and then the rest of
// the closing quote's line, which may only hold a comment. It reports
// whether the quote was closed.
func (r *dotenvReader) quoted(name string, line int, q byte) (string, bool) {
	s := r.text[r.pos:]
	end := -1
	if q == '\'' {
		end = strings.IndexByte(s, '\'')
	} else {
		for i := 0; i < len(s); i++ {
			if s[i] == '\\' {
				i++
				continue
			}
			if s[i] == '"' {
				end = i
				break
			}
		}
	}
	if end < 0 {
		r.pos = len(r.text)
		return "", false
	}
	raw := s[:end]
	r.pos += end + 1
	r.line += strings.Count(raw, "\n")
	closingLine := r.line
	if after := strings.TrimLeft(r.nextLine(), " \t"); after != "" && after[0] != '#' {
		r.p.errorf(closingLine, name, "%q after the closing quote (a comment starts with #)", after)
	}
	if q == '\'' {
		return raw, true
	}
	return r.expand(name, line, raw, true), true
}

// expand returns s with its references to variables ($NAME, ${NAME})
// replaced by their values, "" for a variable set nowhere. A $ that starts
// no reference stays as it is, and so does \$. In double quotes (quoted),
// the escapes \n \t \r \" \\ and \$ are read too; any other backslash is
// kept.
func (r *dotenvReader) expand(name string, line int, s string, quoted bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == '$':
			b.WriteByte('$')
			i++
		case c == '\\' && quoted && i+1 < len(s) && unescape(s[i+1]) != 0:
			b.WriteByte(unescape(s[i+1]))
			i++
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				r.p.errorf(line, name, "%q: a ${ without its }", s[i:])
				return ""
			}
			ref := s[i+2 : i+end]
			if err := checkVarName(ref); err != nil {
				r.p.errorf(line, name, "${%s}: %v", ref, err)
				return ""
			}
			b.WriteString(r.value(ref))
			i += end
		case c == '$' && i+1 < len(s) && isNameStart(s[i+1]):
			j := i + 1
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			b.WriteString(r.value(s[i+1 : j]))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// value returns the value of the variable name: the file's own, else the
// environment's, else "".
func (r *dotenvReader) value(name string) string {
	if v, ok := r.own[name]; ok {
		return v
	}
	if r.lookup != nil {
		if v, ok := r.lookup(name); ok {
			return v
		}
	}
	return ""
}

// unescape returns the byte that a backslash and c stand for in double
// quotes, or 0 if c is not an escape.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case '"', '\\':
		return c
	}
	return 0
}

// checkVarName accepts the names of variables a .env file may set: ASCII
// letters, digits, underscores and dots, not starting with a digit or a dot.
func checkVarName(name string) error {
	if name == "" {
		return errors.New("empty variable name")
	}
	ok := isNameStart(name[0])
	for i := 1; ok && i < len(name); i++ {
		ok = isNameByte(name[i]) || name[i] == '.'
	}
	if !ok {
		return fmt.Errorf("%q is not a variable name (letters, digits, _ and ., not starting with a digit or a dot)", name)
	}
	return nil
}

// isNameStart reports whether c may start a variable's name.
func isNameStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// isNameByte reports whether c may be in a variable's name that follows a
// bare $: a dot ends it.
func isNameByte(c byte) bool {
	return isNameStart(c) || ('0' <= c && c <= '9')
}
