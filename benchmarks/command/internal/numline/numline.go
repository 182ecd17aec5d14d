// Package numline is the format of the numbered lines that genlines writes
// and checklines verifies: "TAG:SEQ:FILLER", SEQ nine decimal digits from 0,
// FILLER lowercase letters that climb the alphabet from a letter that
// depends on SEQ, the whole line SIZE bytes with its newline. Every byte of
// a line is thus known from its tag and number, and a piece of a line, a
// shifted byte or a line of another process does not pass for a whole one.
package numline

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// seqDigits is the width of the line number.
const seqDigits = 9

// ErrSize is returned by Check when a line of that size cannot hold the
// tag, the number and at least one letter of filler.
var ErrSize = errors.New("numline: line size too small for the tag")

// MinSize is the smallest size, newline included, of a line of tag.
func MinSize(tag string) int {
	return len(tag) + 1 + seqDigits + 1 + 1 + 1
}

// Check reports whether lines of tag can be size bytes long.
func Check(tag string, size int) error {
	if size < MinSize(tag) {
		return fmt.Errorf("%w: %q needs %d bytes, got %d", ErrSize, tag, MinSize(tag), size)
	}
	if strings.ContainsAny(tag, ":\n") {
		return fmt.Errorf("numline: tag %q has a colon or a newline", tag)
	}
	return nil
}

// Append appends line seq of tag, size bytes with its newline, to dst. The
// caller has checked size with Check.
func Append(dst []byte, tag string, seq, size int) []byte {
	start := len(dst)
	dst = append(dst, tag...)
	dst = append(dst, ':')
	var num [seqDigits]byte
	v := seq
	for i := seqDigits - 1; i >= 0; i-- {
		num[i] = byte('0' + v%10)
		v /= 10
	}
	dst = append(dst, num[:]...)
	dst = append(dst, ':')
	for j := 0; len(dst)-start < size-1; j++ {
		dst = append(dst, filler(seq, j))
	}
	return append(dst, '\n')
}

// filler is the j-th letter of the filler of line seq.
func filler(seq, j int) byte {
	return byte('a' + (seq+j)%26)
}

// Parse returns the tag and number of text, a line without its newline,
// when it is exactly a whole line of size bytes (newline included).
func Parse(text string, size int) (tag string, seq int, ok bool) {
	if len(text) != size-1 {
		return "", 0, false
	}
	tag, rest, found := strings.Cut(text, ":")
	if !found || len(rest) < seqDigits+2 || rest[seqDigits] != ':' {
		return "", 0, false
	}
	for i := 0; i < seqDigits; i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return "", 0, false
		}
	}
	n, err := strconv.Atoi(rest[:seqDigits])
	if err != nil {
		return "", 0, false
	}
	fill := rest[seqDigits+1:]
	for j := 0; j < len(fill); j++ {
		if fill[j] != filler(n, j) {
			return "", 0, false
		}
	}
	return tag, n, true
}

// LooksLikePiece reports whether text, which Parse did not take, seems to
// come from a numbered line all the same: it has a "TAG:" followed by
// digits, or a run of 8 letters that climb the alphabet as filler does. A
// supervisor's own messages ("Starting p0 on port 5000") have neither.
func LooksLikePiece(text string) bool {
	if i := strings.IndexByte(text, ':'); i > 0 && i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9' {
		return true
	}
	run := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c < 'a' || c > 'z':
			run = 0
		case run > 0 && c == 'a'+(text[i-1]-'a'+1)%26:
			run++
		default:
			run = 1
		}
		if run >= 8 {
			return true
		}
	}
	return false
}
