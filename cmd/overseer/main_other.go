//go:build !unix

// Command overseer needs a Unix system: process groups, signals and unix
// sockets. Elsewhere it builds, so that `go build ./...` and `go install`
// work, and says so when run; the library builds there too, and its Start
// reports errors.ErrUnsupported.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Fprintf(os.Stderr, "overseer: not supported on %s: the command needs a Unix system (Linux, macOS, the BSDs)\n", runtime.GOOS)
	os.Exit(1)
}
