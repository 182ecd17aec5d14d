//go:build unix

package main

import (
	"io"
	"os"
	"unicode/utf8"
)

// sanitizer makes text that a child wrote (its lines, its STATUS=, the
// errors that quote it) safe to print where a terminal may read it: every
// escape sequence and control character is removed, but for tab and, when
// colour is on, the SGR sequences that set colours (ESC [ digits ; : m). A
// child can then neither change the terminal's title, write the clipboard
// (OSC 52), send device control strings, move the cursor, clear the
// screen, nor fake the line of another process with a carriage return or
// backspaces.
//
// What counts as a sequence is what a terminal's parser takes for one,
// erring on removing more: CSI (ESC [) up to its final byte; OSC (ESC ]) up
// to BEL or ST; DCS, SOS, PM and APC (ESC P, X, ^, _) up to ST; an
// unterminated string up to the end of the text (a line); ESC and its
// intermediates and final byte otherwise. The 8-bit C1 controls, whether
// UTF-8 encoded (U+0080–U+009F) or bare bytes that are not UTF-8, are taken
// as ESC and the 7-bit form (0x9B as CSI), so that a terminal in an 8-bit
// mode finds nothing either.
//
// Invalid UTF-8 (other than those bare C1 bytes): on a terminal (tty set)
// each invalid byte becomes U+FFFD, which is what a terminal would show; in
// a pipe or a file the bytes pass unchanged, so that the output of
// "overseer logs > file" or "overseer | grep" is the child's own.
type sanitizer struct {
	colour bool // keep SGR sequences
	tty    bool // invalid UTF-8 becomes U+FFFD
}

// sanitizerFor returns the sanitizer for text printed to w: colour when w
// is a terminal and NO_COLOR is not set.
func sanitizerFor(w io.Writer) sanitizer {
	tty := isTerminal(w)
	_, noColour := os.LookupEnv("NO_COLOR")
	return sanitizer{colour: tty && !noColour, tty: tty}
}

// isTerminal reports whether w is a terminal (a character device; /dev/null
// is one too, where it makes no difference).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// clean returns s without what z removes.
func (z sanitizer) clean(s string) string {
	if plain(s) {
		return s
	}
	return string(z.appendClean(make([]byte, 0, len(s)+8), s))
}

// appendClean appends s to dst without what z removes, and returns the
// extended buffer: the terminal's way, which allocates nothing.
func (z sanitizer) appendClean(dst []byte, s string) []byte {
	if plain(s) {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		c, n := z.next(s, i)
		switch {
		case c == '\x1b' || (c >= 0x80 && c <= 0x9f):
			dst, i = z.sequence(dst, s, i, n, c)
			continue
		case c == '\t':
			dst = append(dst, '\t')
		case c < 0x20 || c == 0x7f:
			// A C0 control, or DEL: dropped.
		case c == utf8.RuneError && n == 1:
			if z.tty {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, s[i])
			}
		default:
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst
}

// plain reports whether s is printable ASCII and tabs only: nothing to do.
// It looks at 8 bytes at a time (the terminal's hot path): a word with no
// byte below 0x20 and none at or above 0x7F is plain; a word that has one
// is looked at byte by byte, since a tab is plain.
func plain(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8] // of a known length: one bounds check, one load
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		// A byte below 0x20 borrows into its high bit; a byte of 0x7F
		// carries into it, and one of 0x80 or more has it already.
		if ((x-0x20*ones)&^x|x|(x+ones))&highs != 0 && !plainBytes(w) {
			return false
		}
	}
	return plainBytes(s[i:])
}

// plainBytes is plain, a byte at a time.
func plainBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

// next returns the character at s[i] and its length: a rune, a bare byte
// 0x80–0x9F that is not UTF-8 as that C1 control, or utf8.RuneError of
// length 1 for another invalid byte.
func (z sanitizer) next(s string, i int) (rune, int) {
	c, n := utf8.DecodeRuneInString(s[i:])
	if c == utf8.RuneError && n == 1 && s[i] >= 0x80 && s[i] <= 0x9f {
		return rune(s[i]), 1
	}
	return c, n
}

// sequence consumes the escape sequence that begins at s[i] with c (ESC or
// a C1 control, n bytes long), appends it to dst when it is an SGR to
// keep, and returns dst and the index after it.
func (z sanitizer) sequence(dst []byte, s string, i, n int, c rune) ([]byte, int) {
	start := i
	i += n
	kind := c - 0x40 // the 7-bit form of a C1 control: 0x9B is ESC [
	if c == '\x1b' {
		if i >= len(s) {
			return dst, i
		}
		kind = rune(s[i])
		i++
	}
	switch kind {
	case '[': // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, a final 0x40–0x7E
		params := i
		for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
			i++
		}
		inter := i
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i >= len(s) || s[i] < 0x40 || s[i] > 0x7e {
			return dst, i // cut short: dropped, and what follows is read afresh
		}
		final := s[i]
		i++
		if z.colour && c == '\x1b' && final == 'm' && inter == i-1 && sgrParams(s[params:inter]) {
			dst = append(dst, s[start:i]...)
		}
		return dst, i
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: a string up to ST
		for i < len(s) {
			d, m := z.next(s, i)
			switch {
			case d == 0x9c: // ST, 8-bit
				return dst, i + m
			case d == '\a' && kind == ']': // BEL ends an OSC too
				return dst, i + m
			case d == '\x1b' && i+1 < len(s) && s[i+1] == '\\': // ST
				return dst, i + 2
			}
			i += m
		}
		return dst, i // unterminated: to the end of the text
	}
	if c != '\x1b' {
		return dst, i // another C1 control: dropped alone
	}
	// ESC, intermediates, a final byte (ESC c resets the terminal, ESC ( B
	// chooses a character set...).
	i-- // kind was the byte after ESC
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return dst, i
}

// sgrParams reports whether p, the parameters of a CSI ending in m, are
// those of an SGR: digits, ';' and ':' only (no private markers).
func sgrParams(p string) bool {
	for i := 0; i < len(p); i++ {
		if c := p[i]; (c < '0' || c > '9') && c != ';' && c != ':' {
			return false
		}
	}
	return true
}
