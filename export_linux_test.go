package overseer

import (
	"io"
	"net"
	"os/exec"
	"testing"
	"time"
)

// What the benchmarks of package overseer_test (which may import package
// probe, as this package's own tests cannot) use of this package's tests.

// HostCPU is the CPU time, user and system, the test process has used.
func HostCPU(b *testing.B) time.Duration { return hostCPU(b) }

// AcceptingChild starts the test child accepting and closing connections
// on a local port until the benchmark ends, and returns its address.
func AcceptingChild(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		b.Fatal(err)
	}
	child := exec.Command(childPath, "tcpaccept:"+addr)
	out, err := child.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := child.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = child.Process.Kill() // it serves until killed
		_ = child.Wait()         // killed: its error says so
	})
	line := make([]byte, len("listening\n"))
	if _, err := io.ReadFull(out, line); err != nil || string(line) != "listening\n" {
		b.Fatalf("the accepting child: %q, %v", line, err)
	}
	return addr
}
