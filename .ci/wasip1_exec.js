// Runs a GOOS=wasip1 test binary under Node.js's WASI, for
// `go test -exec`: the non-Unix build of overseer (its unsupported_other.go files,
// those Windows compiles) tested on a Linux machine. Usage:
// node .ci/wasip1_exec.js prog.wasm args...
"use strict";
const fs = require("node:fs");
const { WASI } = require("node:wasi");

const wasi = new WASI({
	version: "preview1",
	args: process.argv.slice(2),
	env: process.env,
	preopens: { "/": "/" },
	returnOnExit: true,
});
WebAssembly.compile(fs.readFileSync(process.argv[2]))
	.then((mod) => WebAssembly.instantiate(mod, wasi.getImportObject()))
	.then((inst) => { process.exitCode = wasi.start(inst); })
	.catch((err) => { console.error(err); process.exitCode = 1; });
