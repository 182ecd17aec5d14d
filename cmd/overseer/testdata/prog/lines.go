package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// lineSize is the length of a line of writeLines, its newline included.
const lineSize = 100

// appendLine appends line i of writeLines: its number in 9 digits, ':', and
// letters that depend on i and the column, up to lineSize-1 bytes, then
// "\n". (The command's tests check the lines with a copy of it.)
func appendLine(dst []byte, i int) []byte {
	dst = fmt.Appendf(dst, "%09d:", i)
	for j := len("000000000:"); j < lineSize-1; j++ {
		dst = append(dst, byte('a'+(i+j)%26))
	}
	return append(dst, '\n')
}

// writeLines is the op lines: arg is "N" or "N:CUTS".
func writeLines(arg string) error {
	nText, cutsText, _ := strings.Cut(arg, ":")
	n, err := strconv.Atoi(nText)
	if err != nil {
		return fmt.Errorf("lines: %w", err)
	}
	cuts := 0
	if cutsText != "" {
		if cuts, err = strconv.Atoi(cutsText); err != nil {
			return fmt.Errorf("lines: %w", err)
		}
	}
	every := n + 1
	if cuts > 0 {
		every = n/(cuts+1) + 1
	}
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	line := make([]byte, 0, lineSize)
	for i := range n {
		line = appendLine(line[:0], i)
		if i%every == every-1 {
			// Half a line, alone in the pipe for longer than the pump
			// waits for an unfinished line: it is read as a Partial piece.
			if _, err := w.Write(line[:lineSize/2]); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			time.Sleep(300 * time.Millisecond)
			line = line[lineSize/2:]
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return w.Flush()
}
