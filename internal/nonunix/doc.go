// Package nonunix holds the test of what the overseer package promises
// off Unix (Windows, Plan 9, js and wasip1): it builds, and whatever needs a
// process reports errors.ErrUnsupported. Off Linux no machine of ours runs
// Windows, so .ci/run runs it under js/wasm with Node.js, which compiles the
// same files (unsupported_other.go) as Windows does:
//
//	GOOS=js GOARCH=wasm go test -exec "$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./internal/nonunix
package nonunix
