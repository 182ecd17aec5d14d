// Command basic runs one process with overseer, waits for it and prints
// what it captured: every line with its stream and sequence number, then the
// final status.
//
//	go run ./examples/basic
package main

import (
	"fmt"
	"os"

	"github.com/overseer-go/overseer"
)

func main() {
	cmd := overseer.NewCmd("sh", "-c", `
		for i in 1 2 3; do echo "tick $i"; sleep 0.1; done
		echo "something went wrong" >&2
		exit 3`)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	st := cmd.Wait()
	for _, line := range cmd.Lines(0) {
		fmt.Printf("%3d %-6s %s\n", line.Seq, line.Stream, line.Text)
	}
	fmt.Printf("pid %d %s with exit code %d after %v\n", st.PID, st.State, st.Exit, st.Runtime.Round(1e6))
}
