//go:build linux

// Package benchmarks holds the benchmarks of BENCHMARKS.md and the harness
// that they and examples/scale share: the contenders that run children with
// overseer and with plain os/exec, the measurements (RSS, OS threads, host
// CPU), and the way to make a measurement in a fresh process, whose peak RSS
// no earlier contender has raised.
//
// It is not an API: nothing here is promised to stay, and its exported names
// serve examples/scale only. It lives outside internal/ because it imports
// the overseer package, which internal packages never do.
//
// It reads /proc, so it builds on Linux only. go-cmd/cmd's contenders live in
// the package's tests, the only place that module is used.
package benchmarks
