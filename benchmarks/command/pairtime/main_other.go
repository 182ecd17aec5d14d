//go:build !unix

// Command pairtime needs Unix: process groups and the kernel's rusage.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "pairtime: Unix only")
	os.Exit(2)
}
