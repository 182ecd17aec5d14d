package main

import (
	"strings"
	"testing"
	"testing/iotest"
)

func TestCountKeysAcrossReads(t *testing.T) {
	stream := "event: lines\ndata: {\"lines\":[" + strings.Repeat(`{"id":"p0","seq":1,"text":"x"},`, 1000) + "]}\n\n"
	// One byte a read: every key is cut by a read.
	n, lines, err := count(iotest.OneByteReader(strings.NewReader(stream)))
	if err != nil || n != int64(len(stream)) || lines != 1000 {
		t.Errorf("count = %d bytes, %d lines, %v; want %d, 1000, nil", n, lines, err, len(stream))
	}
}
