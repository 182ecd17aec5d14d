package main

import (
	"fmt"
	"os"
	"strconv"
)

// The operations about what the child uses:
//
//	alloc:N       allocate N MiB, write every page of it, keep it, and
//	              print "allocated:N"
//	spin          keep one core busy, for ever

// kept holds what alloc allocated, so that it stays resident.
var kept [][]byte

func usageOp(name, arg string) error {
	switch name {
	case "alloc":
		n, err := strconv.Atoi(arg)
		if err != nil {
			return err
		}
		b := make([]byte, n<<20)
		for i := 0; i < len(b); i += os.Getpagesize() {
			b[i] = 1
		}
		kept = append(kept, b)
		fmt.Printf("allocated:%d\n", n)
		return nil
	case "spin":
		for {
			spun++
		}
	}
	return limitsOp(name, arg)
}

// spun is what spin counts, a global so that the loop is not optimized
// away.
var spun uint64
