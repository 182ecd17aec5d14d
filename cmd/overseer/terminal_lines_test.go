//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// A million lines, written as fast as the process can, are printed whole,
// once and in order, while two goroutines keep both CPUs busy (a producer
// or a pump descheduled in the middle of a line has it cut) and while the
// process itself stops five times in the middle of a line, for longer than
// the pump waits before it delivers the piece as Partial: the terminal
// joins each piece to its continuation.
func TestMillionLinesPrintedWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("a million lines")
	}
	const n = 1_000_000
	file := writeFile(t, "Procfile", "gen: exec "+prog+" lines:"+strconv.Itoa(n)+":5\n")
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer out.Close()
	var stderr testbuild.Buffer
	cmd := exec.Command(bin, "-f", file, "-http", "")
	cmd.Stdout, cmd.Stderr = out, &stderr

	var stop atomic.Bool
	var hogs sync.WaitGroup
	for range 2 {
		hogs.Go(func() {
			for x := 0; !stop.Load(); x++ {
			}
		})
	}
	err = cmd.Run()
	stop.Store(true)
	hogs.Wait()
	require.NoError(t, err, "stderr: %s", stderr.String())

	_, err = out.Seek(0, io.SeekStart)
	require.NoError(t, err)
	c := checkLines(t, out, "gen", n)
	assert.Equal(t, lineCheck{whole: n}, c, "every line printed whole, once and in order")
}

// lineCheck counts what checkLines found.
type lineCheck struct {
	whole  int    // lines printed whole, each after the one before it
	broken int    // lines of the process that are not one of its lines whole
	lost   int    // lines not printed whole
	dup    int    // lines printed again, or out of order
	first  string // the first broken one
}

// checkLines reads the output of the command that ran "prog lines:N" as
// process id, and checks each line against the line expected next, as
// appendLine in testdata/prog/lines.go writes it, taking up the count
// again after a line that is whole but not the one expected. The changes
// of state of the process are skipped; any other line (a piece, a
// continuation) is broken.
func checkLines(t *testing.T, r io.Reader, id string, n int) lineCheck {
	t.Helper()
	var c lineCheck
	lines, events := []byte(id+" | "), []byte(id+" * ")
	br := bufio.NewReaderSize(r, 1<<20)
	want := make([]byte, 0, 100)
	next := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if bytes.HasPrefix(line, events) {
			continue
		}
		text, ok := bytes.CutPrefix(line, lines)
		if ok && bytes.Equal(text, expectedLine(want[:0], next)) {
			c.whole++
			next++
			continue
		}
		k, err := strconv.Atoi(string(text[:min(9, len(text))]))
		switch {
		case !ok || err != nil || !bytes.Equal(text, expectedLine(want[:0], k)):
			c.broken++
			if c.first == "" {
				c.first = string(line)
			}
		case k < next:
			c.dup++
		default:
			c.lost += k - next
			c.whole++
			next = k + 1
		}
	}
	c.lost += n - next
	return c
}

// expectedLine appends line i as prog's appendLine writes it.
func expectedLine(dst []byte, i int) []byte {
	var digits [20]byte
	num := strconv.AppendInt(digits[:0], int64(i), 10)
	for range 9 - len(num) {
		dst = append(dst, '0')
	}
	dst = append(dst, num...)
	dst = append(dst, ':')
	for j := 10; j < 99; j++ {
		dst = append(dst, byte('a'+(i+j)%26))
	}
	return append(dst, '\n')
}
