// Package nonunix holds the test of what the overseer package promises off
// Unix: it builds, and whatever needs a process reports
// errors.ErrUnsupported. No machine of ours runs Windows, so .ci/run runs it
// as GOOS=wasip1 under Node.js's WASI, which compiles the same files
// (internal/proc's unsupported_other.go, and the _other.go files of
// internal/sockets and internal/sdnotify) as Windows does:
//
//	GOOS=wasip1 GOARCH=wasm go test -exec "node --no-warnings $PWD/.ci/wasip1_exec.js" ./internal/nonunix
package nonunix
