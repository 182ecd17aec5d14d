package main

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestSanitizer(t *testing.T) {
	tests := []struct {
		name, in string
		off, on  string // with colour off; on (on a terminal)
	}{
		{name: "plain", in: "hello\tworld", off: "hello\tworld", on: "hello\tworld"},
		{name: "sgr", in: "\x1b[1;31mred\x1b[0m", off: "red", on: "\x1b[1;31mred\x1b[0m"},
		{name: "sgr colon", in: "\x1b[38:2:1:2:3mx", off: "x", on: "\x1b[38:2:1:2:3mx"},
		{name: "private csi m", in: "\x1b[?1mx\x1b[>4;2m", off: "x", on: "x"},
		{name: "cursor", in: "a\x1b[2J\x1b[Hb\x1b[1A", off: "ab", on: "ab"},
		{name: "osc 52 bel", in: "a\x1b]52;c;aGk=\ab", off: "ab", on: "ab"},
		{name: "osc title st", in: "a\x1b]0;pwned\x1b\\b", off: "ab", on: "ab"},
		{name: "osc unterminated", in: "a\x1b]0;pwned", off: "a", on: "a"},
		{name: "dcs", in: "a\x1bP1$qm\x1b\\b", off: "ab", on: "ab"},
		{name: "dcs with bel inside", in: "a\x1bPx\ay\x1b\\b", off: "ab", on: "ab"},
		{name: "apc pm sos", in: "\x1b_a\x1b\\1\x1b^b\x1b\\2\x1bXc\x1b\\3", off: "123", on: "123"},
		{name: "c1 csi utf8", in: "a\u009b31mb", off: "ab", on: "ab"},
		{name: "c1 csi byte", in: "a\x9b31mb", off: "ab", on: "ab"},
		{name: "c1 osc byte", in: "a\x9d52;c;aGk=\x9cb", off: "ab", on: "ab"},
		{name: "c1 dcs utf8", in: "a\u0090xyz\u009cb", off: "ab", on: "ab"},
		{name: "c1 other", in: "a\u0085b\x84c", off: "abc", on: "abc"},
		{name: "carriage return", in: "mine\rweb    | fake", off: "mineweb    | fake", on: "mineweb    | fake"},
		{name: "backspace bell nul del", in: "a\b\a\x00\x7fb", off: "ab", on: "ab"},
		{name: "reset", in: "a\x1bcb\x1b(Bc", off: "abc", on: "abc"},
		{name: "esc at end", in: "a\x1b", off: "a", on: "a"},
		{name: "utf8 kept", in: "héllo €", off: "héllo €", on: "héllo €"},
		{name: "invalid utf8", in: "a\xffb\xc3", off: "a\xffb\xc3", on: "a\uFFFDb\uFFFD"},
	}
	off, on := sanitizer{}, sanitizer{colour: true, tty: true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.off, off.clean(tt.in), "colour off, not a terminal")
			assert.Equal(t, tt.on, on.clean(tt.in), "colour on, a terminal")
		})
	}
}

// wellFormedSGR is the only escape sequence that may remain.
var wellFormedSGR = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// checkClean fails unless out holds no ESC but in well-formed SGR (with
// colour), and no C0 or C1 control but tab, in any encoding.
func checkClean(t *testing.T, z sanitizer, in, out string) {
	t.Helper()
	rest := out
	if z.colour {
		rest = wellFormedSGR.ReplaceAllString(out, "")
	}
	for i := 0; i < len(rest); {
		r, n := utf8.DecodeRuneInString(rest[i:])
		bad := (r < 0x20 && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f)
		if r == utf8.RuneError && n == 1 {
			bad = z.tty || (rest[i] >= 0x80 && rest[i] <= 0x9f)
		}
		if bad {
			t.Fatalf("clean(%q) = %q: %q at %d", in, out, rest[i:i+n], i)
		}
		i += n
	}
	if !z.colour && strings.Contains(out, "\x1b") {
		t.Fatalf("clean(%q) = %q: an ESC with colour off", in, out)
	}
}

func FuzzSanitizer(f *testing.F) {
	for _, s := range []string{"\x1b[31mx\x1b[0m", "\x1b]52;c;aGk=\a", "\x1bP\x1b\\", "\x9b1m", "\u009d0;t\u009c", "a\rb",
		"\x1b[\x1b[31m", "\x1b\x1b]", "\xc2\x9b31m", "\x1b[3\b1m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, z := range []sanitizer{{}, {tty: true}, {colour: true, tty: true}} {
			out := z.clean(in)
			checkClean(t, z, in, out)
			if again := z.clean(out); again != out {
				t.Fatalf("clean is not idempotent: %q → %q → %q", in, out, again)
			}
		}
	})
}

// plain, which looks at 8 bytes at a time, says what a byte at a time
// says, whatever byte is where in a word.
func TestPlainByWords(t *testing.T) {
	base := []byte("abcdefghijklmnopqrstuvwxyz0123")
	for _, c := range []byte{0, '\t', '\n', 0x1b, 0x1f, ' ', '~', 0x7f, 0x80, 0x9b, 0xc3, 0xff} {
		for at := range base {
			s := append([]byte(nil), base...)
			s[at] = c
			if got, want := plain(string(s)), plainBytes(string(s)); got != want {
				t.Fatalf("plain(%q) = %v, want %v", s, got, want)
			}
		}
	}
}
