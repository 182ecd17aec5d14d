//go:build unix

package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each line gets the time of the write that began it; a line written in
// pieces keeps one stamp; the other stream writing in the middle of an
// unfinished line ends it there, and its rest is stamped anew.
func TestStampedLog(t *testing.T) {
	var file bytes.Buffer
	s := newStampedLog(&file)
	at := time.Date(2026, 12, 3, 14, 5, 9, 42e6, time.FixedZone("", 3600))
	s.now = func() time.Time { at = at.Add(time.Second); return at } // a second later at each stamp
	out, errw := s.stream(1), s.stream(2)
	for _, w := range []struct {
		to   int
		text string
	}{
		{1, "one\ntwo\npro"},
		{1, "mpt: "}, // no stamp: the line goes on
		{1, "yes\n"},
		{2, "warn\n"},
		{1, "half"},
		{2, "err\nmore"}, // ends stdout's line
		{2, " of it\n"},  // the same line of stderr
		{1, "\n"},
		{1, ""}, // nothing
		{2, "a\n\nb\n"},
	} {
		n, err := []func([]byte) (int, error){out.Write, errw.Write}[w.to-1]([]byte(w.text))
		require.NoError(t, err)
		assert.Equal(t, len(w.text), n)
	}
	assert.Equal(t, ""+
		"2026-12-03T14:05:10.042+01:00 one\n"+
		"2026-12-03T14:05:10.042+01:00 two\n"+
		"2026-12-03T14:05:10.042+01:00 prompt: yes\n"+
		"2026-12-03T14:05:11.042+01:00 warn\n"+
		"2026-12-03T14:05:12.042+01:00 half\n"+
		"2026-12-03T14:05:13.042+01:00 err\n"+
		"2026-12-03T14:05:13.042+01:00 more of it\n"+
		"2026-12-03T14:05:14.042+01:00 \n"+
		"2026-12-03T14:05:15.042+01:00 a\n"+
		"2026-12-03T14:05:15.042+01:00 \n"+
		"2026-12-03T14:05:15.042+01:00 b\n", file.String())
}
