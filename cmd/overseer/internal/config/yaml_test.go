//go:build unix

package config

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

func TestParseYAML(t *testing.T) {
	testParse(t, []parseCase{
		{
			"a name and a command line, defaults untouched",
			"processes:\n  web: ./web -p 80\n",
			[]want{{name: "web", line: 2, f: defaults(sh("./web -p 80"))}},
		},
		{
			"command and args; file order",
			"processes:\n  zeta:\n    command: ./z\n  alpha:\n    args: [./a, -v, '']\n",
			[]want{
				{name: "zeta", line: 2, f: defaults(sh("./z"))},
				{name: "alpha", line: 4, f: defaults([]string{"./a", "-v", ""})},
			},
		},
		{
			"block args and a literal command",
			"processes:\n  a:\n    args:\n      - ./a\n      - 8080\n  b:\n    command: |\n      echo one\n      echo two\n",
			[]want{
				{name: "a", line: 2, f: defaults([]string{"./a", "8080"})},
				{name: "b", line: 6, f: defaults(sh("echo one\necho two\n"))},
			},
		},
		{
			"every scalar setting",
			`processes:
  web:
    command: ./web
    dir: /srv/web
    group: front
    restart: always
    max_restarts: 0
    reset_after: 1m30s
    start_delay: 0
    stop_signal: QUIT
    stop_timeout: 250ms
    buffer_lines: 10
    buffer_bytes: 4096
    max_line_bytes: 1GiB
    success_codes: []
    log: web.log
    log_timestamps: true
    pty: false
`,
			[]want{{name: "web", line: 2, log: "web.log", stamps: true, f: defaults(sh("./web"), func(f *fields) {
				f.Dir = "/srv/web"
				f.Group = "front"
				f.Restart = overseer.RestartAlways
				f.MaxRestarts = overseer.NoRestarts
				f.ResetAfter = 90 * time.Second
				f.StopSignal = syscall.SIGQUIT
				f.StopTimeout = 250 * time.Millisecond
				f.BufferLines = 10
				f.BufferBytes = 4096
				f.MaxLineBytes = 1 << 30
			})}},
		},
		{
			"restart policies and signals as written",
			"processes:\n  a: {command: x, restart: never, stop_signal: sigusr1}\n  b: {command: x, restart: on-failure, stop_signal: SIGKILL}\n",
			[]want{
				{name: "a", line: 2, f: defaults(sh("x"), func(f *fields) { f.Restart, f.StopSignal = overseer.RestartNever, syscall.SIGUSR1 })},
				{name: "b", line: 3, f: defaults(sh("x"), func(f *fields) { f.StopSignal = syscall.SIGKILL })},
			},
		},
		{
			"backoff fields alone",
			"processes:\n  a: {command: x, backoff: {max: 50ms}}\n  b: {command: x, backoff: {factor: 3, jitter: false}}\n  c: {command: x, backoff: {min: 1s, max: 1s}}\n",
			[]want{
				{name: "a", line: 2, f: defaults(sh("x"), func(f *fields) { f.Backoff.Min, f.Backoff.Max = 50*time.Millisecond, 50*time.Millisecond })},
				{name: "b", line: 3, f: defaults(sh("x"), func(f *fields) { f.Backoff.Factor, f.Backoff.NoJitter = 3, true })},
				{name: "c", line: 4, f: defaults(sh("x"), func(f *fields) { f.Backoff.Min, f.Backoff.Max = time.Second, time.Second })},
			},
		},
		{
			"env as a mapping and as a list, in file order",
			"processes:\n  a:\n    command: x\n    env: {ZZ_T: '1', AA_T: 2, MM_T: \"\", QQ_T: yes}\n  b:\n    command: x\n    env: [ZZ_T=1, AA_T=a=b, MM_T=]\n  c:\n    command: x\n    env: {}\n",
			[]want{
				{name: "a", line: 2, f: defaults(sh("x"), func(f *fields) { f.Env = []string{"ZZ_T=1", "AA_T=2", "MM_T=", "QQ_T=yes"} })},
				{name: "b", line: 5, f: defaults(sh("x"), func(f *fields) { f.Env = []string{"ZZ_T=1", "AA_T=a=b", "MM_T="} })},
				{name: "c", line: 8, f: defaults(sh("x"))},
			},
		},
		{
			"anchors, merges and aliases",
			`x-base: &base
  group: g
  restart: always
  env: &env {A_T: "1"}
x-more: &more
  group: other
  stop_timeout: 3s
processes:
  a:
    <<: [*base, *more]
    command: x
  b:
    <<: *base
    group: own
    command: x
    env: *env
  c: &c {command: y}
  d: *c
`,
			[]want{
				{name: "a", line: 9, f: defaults(sh("x"), func(f *fields) {
					f.Group, f.Restart, f.StopTimeout, f.Env = "g", overseer.RestartAlways, 3*time.Second, []string{"A_T=1"}
				})},
				{name: "b", line: 12, f: defaults(sh("x"), func(f *fields) {
					f.Group, f.Restart, f.Env = "own", overseer.RestartAlways, []string{"A_T=1"}
				})},
				{name: "c", line: 17, f: defaults(sh("y"))},
				{name: "d", line: 18, f: defaults(sh("y"))},
			},
		},
		{
			"sizes",
			"processes:\n  a: {command: x, buffer_bytes: 512B, max_line_bytes: 64 KiB}\n  b: {command: x, buffer_bytes: 0x100, max_line_bytes: 2MiB}\n",
			[]want{
				{name: "a", line: 2, f: defaults(sh("x"), func(f *fields) { f.BufferBytes, f.MaxLineBytes = 512, 64<<10 })},
				{name: "b", line: 3, f: defaults(sh("x"), func(f *fields) { f.BufferBytes, f.MaxLineBytes = 256, 2<<20 })},
			},
		},
		{
			"success codes and a pty",
			"processes:\n  a:\n    command: x\n    success_codes: [0, 1, 255]\n    pty: true\n",
			[]want{{name: "a", line: 2, f: defaults(sh("x"), func(f *fields) { f.SuccessCodes, f.PTY = []int{0, 1, 255}, true })}},
		},
		{
			"x- keys are ignored",
			"x-notes: anything [at all]\nprocesses:\n  a: x\nx-more: {b: 1}\n",
			[]want{{name: "a", line: 3, f: defaults(sh("x"))}},
		},
	})
}

// TestParseLeavesTheEnv: Parse's Cmd.Env holds the variables of the
// process's env key alone, nil without one; Load builds the rest.
func TestParseLeavesTheEnv(t *testing.T) {
	t.Setenv("OVERSEER_CONFIG_TEST_B", "host")
	procs, err := Parse("f.yaml", []byte("processes:\n  a:\n    command: x\n    env: {OVERSEER_CONFIG_TEST_B: file, NEW_T: n}\n  b: x\n"), true)
	require.NoError(t, err)
	assert.Equal(t, []string{"OVERSEER_CONFIG_TEST_B=file", "NEW_T=n"}, procs[0].Cmd.Env)
	assert.Nil(t, procs[1].Cmd.Env)
}

func TestYAMLErrors(t *testing.T) {
	testParseErrors(t, "f.yaml", []parseError{
		// The file
		{"empty", "", 0, "", "no processes (the file is empty)"},
		{"only comments", "# processes:\n", 0, "", "no processes (the file is empty)"},
		{"syntax: a flow list not closed, from where it begins", "processes:\n  web: [x\n", 2, "", "did not find expected ',' or ']'"},
		{"syntax: a key out of place, in a mapping begun on line 1: the key", "processes:\n  web: x\n api: y\n", 3, "", "did not find expected key"},
		{"syntax: a key out of place: the key", "processes:\n  web:\n    command: x\n   group: y\n", 4, "", "did not find expected key"},
		{"syntax: a scanner error", "processes:\n  web: x\n  api: \"y\n", 3, "", "found unexpected end of stream"},
		{"tab", "processes:\n\tweb: x\n", 2, "", "cannot start any token"},
		{"unknown anchor: where it is used", "processes:\n  web: *nope\n", 2, "", "unknown anchor 'nope' referenced"},
		{"two documents", "processes:\n  web: x\n---\nprocesses:\n  api: y\n", 3, "", "a second YAML document"},
		{"not a mapping", "- web\n", 1, "", "want a mapping with the key processes"},
		{"unknown top-level key", "processes:\n  web: x\nprocess:\n  api: y\n", 3, "process", "unknown key"},
		{"no processes key", "x-a: 1\n", 1, "processes", "missing"},
		{"processes null", "processes:\n", 1, "processes", "no processes"},
		{"processes empty", "processes: {}\n", 1, "processes", "no processes"},
		{"processes a list", "processes:\n  - web\n", 2, "processes", "want a mapping of process names"},
		{"processes a string", "processes: web\n", 1, "processes", `not "web"`},

		// Names
		{"bad name", "processes:\n  my web: x\n", 2, "my web", `id "my web" has ' '`},
		{"dot name", "processes:\n  ..: x\n", 2, "..", `id ".."`},
		{"long name", "processes:\n  " + strings.Repeat("a", 257) + ": x\n", 2, strings.Repeat("a", 257), "id of 257 bytes"},
		{"duplicate name", "processes:\n  web: x\n  api: y\n  web: z\n", 4, "web", "defined twice (first on line 2)"},
		{"list as name", "processes:\n  ? [a]\n  : x\n", 2, "", "a key must be a name, not a list"},

		// The command
		{"null spec", "processes:\n  web:\n", 2, "web", "no command"},
		{"list spec", "processes:\n  web: [a, b]\n", 2, "web", "no command: want a command line, or a mapping"},
		{"neither", "processes:\n  web:\n    group: g\n", 2, "web", "no command (set command"},
		{"both", "processes:\n  web:\n    command: a\n    args: [a]\n", 4, "web.args", "command is set too"},
		{"both, args first", "processes:\n  web:\n    args: [a]\n    command: a\n", 4, "web.command", "args is set too"},
		{"empty command", "processes:\n  web:\n    command: ''\n", 3, "web.command", "empty command"},
		{"blank command", "processes:\n  web: '  '\n", 2, "web", "empty command"},
		{"null command", "processes:\n  web:\n    command:\n", 3, "web.command", "no value"},
		{"list command", "processes:\n  web:\n    command: [a]\n", 3, "web.command", "want a string, not a list"},
		{"NUL command", "processes:\n  web: \"a\\0b\"\n", 2, "web", "NUL byte"},
		{"log_timestamps without log", "processes:\n  web:\n    command: a\n    log_timestamps: true\n", 4, "web.log_timestamps", "no log file to stamp"},
		{"log_timestamps not a bool", "processes:\n  web:\n    command: a\n    log: a.log\n    log_timestamps: yes please\n", 5, "web.log_timestamps", "want true or false"},
		{"scalar args", "processes:\n  web:\n    args: ./web -p 80\n", 3, "web.args", "want a list, the program first"},
		{"empty args", "processes:\n  web:\n    args: []\n", 3, "web.args", "empty list: no program"},
		{"empty program", "processes:\n  web:\n    args: ['', a]\n", 3, "web.args[0]", "empty program"},
		{"null arg", "processes:\n  web:\n    args:\n      - a\n      -\n", 5, "web.args[1]", "no value"},
		{"mapping arg", "processes:\n  web:\n    args: [a, {b: c}]\n", 3, "web.args[1]", "want a string, not a mapping"},
		{"NUL arg", "processes:\n  web:\n    args: [a, \"\\0\"]\n", 3, "web.args[1]", "NUL byte"},

		// Keys
		{"unknown key", "processes:\n  web:\n    command: x\n    restrat: always\n", 4, "web.restrat", "unknown key (did you mean restart?)"},
		{"unknown key, far", "processes:\n  web:\n    command: x\n    colour: red\n", 4, "web.colour", "unknown key (known: command, args, dir"},
		{"duplicate key", "processes:\n  web:\n    command: x\n    group: a\n    group: b\n", 5, "web.group", "defined twice (first on line 4)"},
		{"quoted merge key is a key", "processes:\n  web:\n    command: x\n    '<<': {group: a}\n", 4, "web.<<", "unknown key"},

		// Paths and strings
		{"empty dir", "processes:\n  web: {command: x, dir: ''}\n", 2, "web.dir", "empty path"},
		{"list dir", "processes:\n  web: {command: x, dir: [a]}\n", 2, "web.dir", "want a string"},
		{"NUL dir", "processes:\n  web: {command: x, dir: \"a\\0\"}\n", 2, "web.dir", "NUL byte"},
		{"null log", "processes:\n  web:\n    command: x\n    log:\n", 4, "web.log", "no value"},
		{"empty log", "processes:\n  web: {command: x, log: \"\"}\n", 2, "web.log", "empty path"},
		{"mapping group", "processes:\n  web: {command: x, group: {a: b}}\n", 2, "web.group", "want a string, not a mapping"},

		// env
		{"env scalar", "processes:\n  web: {command: x, env: A=1}\n", 2, "web.env", "want a mapping of names to values, or a list"},
		{"env null value", "processes:\n  web:\n    command: x\n    env:\n      A:\n", 5, "web.env.A", `no value (write "" for an empty one)`},
		{"env list value", "processes:\n  web:\n    command: x\n    env:\n      A: [1]\n", 5, "web.env.A", "want a string, not a list"},
		{"env = in name", "processes:\n  web:\n    command: x\n    env:\n      A=B: c\n", 5, "web.env.A=B", "has = or a NUL byte"},
		{"env empty name", "processes:\n  web:\n    command: x\n    env: {'': c}\n", 4, "web.env.", "empty variable name"},
		{"env duplicate", "processes:\n  web:\n    command: x\n    env:\n      A: 1\n      A: 2\n", 6, "web.env.A", "defined twice (first on line 5)"},
		{"env NUL value", "processes:\n  web:\n    command: x\n    env: {A: \"\\0\"}\n", 4, "web.env.A", "NUL byte in the value of A"},
		{"env list no =", "processes:\n  web:\n    command: x\n    env:\n      - A=1\n      - B\n", 6, "web.env[1]", `"B" is not NAME=value`},
		{"env list empty name", "processes:\n  web:\n    command: x\n    env: [=1]\n", 4, "web.env[0]", "empty variable name"},
		{"env list duplicate", "processes:\n  web:\n    command: x\n    env:\n      - A=1\n      - A=2\n", 6, "web.env[1]", "A is set twice (first on line 5)"},
		{"env list mapping", "processes:\n  web:\n    command: x\n    env:\n      - A: 1\n", 5, "web.env[0]", "want a string, not a mapping"},

		// restart and max_restarts
		{"restart unknown", "processes:\n  web: {command: x, restart: sometimes}\n", 2, "web.restart", `"sometimes" is not a restart policy (never, on-failure or always)`},
		{"restart bool", "processes:\n  web: {command: x, restart: false}\n", 2, "web.restart", `"false" is not a restart policy`},
		{"restart case", "processes:\n  web: {command: x, restart: Always}\n", 2, "web.restart", `"Always" is not a restart policy`},
		{"restart null", "processes:\n  web:\n    command: x\n    restart:\n", 4, "web.restart", "no value"},
		{"max_restarts -2", "processes:\n  web: {command: x, max_restarts: -2}\n", 2, "web.max_restarts", "-2: want a number of restarts, or -1 for no limit"},
		{"max_restarts word", "processes:\n  web: {command: x, max_restarts: lots}\n", 2, "web.max_restarts", `want a whole number, not "lots"`},
		{"max_restarts float", "processes:\n  web: {command: x, max_restarts: 1.5}\n", 2, "web.max_restarts", `want a whole number, not "1.5"`},
		{"max_restarts huge", "processes:\n  web: {command: x, max_restarts: !!int 99999999999999999999}\n", 2, "web.max_restarts", "out of range"},

		// Durations
		{"duration no unit", "processes:\n  web: {command: x, reset_after: 10}\n", 2, "web.reset_after", `"10" is not a duration (such as 500ms, 10s, 1m30s)`},
		{"duration word", "processes:\n  web: {command: x, start_delay: soon}\n", 2, "web.start_delay", `"soon" is not a duration`},
		{"duration negative", "processes:\n  web: {command: x, start_delay: -1s}\n", 2, "web.start_delay", "-1s is negative"},
		{"duration list", "processes:\n  web: {command: x, stop_timeout: [1s]}\n", 2, "web.stop_timeout", "want a duration (such as 500ms, 10s, 1m30s), not a list"},
		{"duration null", "processes:\n  web:\n    command: x\n    stop_timeout:\n", 4, "web.stop_timeout", "not no value"},
		{"stop_timeout 0", "processes:\n  web: {command: x, stop_timeout: 0s}\n", 2, "web.stop_timeout", "want a duration above 0 (leave the key out for the default)"},
		{"reset_after 0", "processes:\n  web: {command: x, reset_after: 0}\n", 2, "web.reset_after", "want a duration above 0"},

		// stop_signal
		{"signal unknown", "processes:\n  web: {command: x, stop_signal: SIGFOO}\n", 2, "web.stop_signal", `"SIGFOO" is not a signal name (such as SIGTERM, SIGINT, HUP)`},
		{"signal number", "processes:\n  web: {command: x, stop_signal: 15}\n", 2, "web.stop_signal", `"15" is not a signal name`},
		{"signal empty", "processes:\n  web: {command: x, stop_signal: ''}\n", 2, "web.stop_signal", `"" is not a signal name`},
		{"signal SIG", "processes:\n  web: {command: x, stop_signal: SIG}\n", 2, "web.stop_signal", `"SIG" is not a signal name`},
		{"signal null", "processes:\n  web:\n    command: x\n    stop_signal:\n", 4, "web.stop_signal", "no value"},

		// Sizes
		{"buffer_lines 0", "processes:\n  web: {command: x, buffer_lines: 0}\n", 2, "web.buffer_lines", "0: want a number above 0 (leave the key out for the default)"},
		{"buffer_lines negative", "processes:\n  web: {command: x, buffer_lines: -5}\n", 2, "web.buffer_lines", "-5: want a number above 0"},
		{"buffer_lines size", "processes:\n  web: {command: x, buffer_lines: 1KiB}\n", 2, "web.buffer_lines", `want a whole number, not "1KiB"`},
		{"buffer_bytes unit", "processes:\n  web: {command: x, buffer_bytes: 4MB}\n", 2, "web.buffer_bytes", `"4MB" is not a size`},
		{"buffer_bytes float", "processes:\n  web: {command: x, buffer_bytes: 1.5}\n", 2, "web.buffer_bytes", `want a size (4MiB, or a number of bytes), not "1.5"`},
		{"buffer_bytes 0", "processes:\n  web: {command: x, buffer_bytes: 0MiB}\n", 2, "web.buffer_bytes", "0: want a number above 0"},
		{"buffer_bytes overflow", "processes:\n  web: {command: x, buffer_bytes: 99999999999999GiB}\n", 2, "web.buffer_bytes", "is not a size"},
		{"max_line_bytes above 1GiB", "processes:\n  web: {command: x, max_line_bytes: 2GiB}\n", 2, "web.max_line_bytes", "2147483648 is above 1GiB"},

		// success_codes
		{"success code 256", "processes:\n  web: {command: x, success_codes: [1, 256]}\n", 2, "web.success_codes[1]", "256 is not an exit code (0-255)"},
		{"success code -1", "processes:\n  web:\n    command: x\n    success_codes:\n      - -1\n", 5, "web.success_codes[0]", "-1 is not an exit code"},
		{"success code word", "processes:\n  web: {command: x, success_codes: [ok]}\n", 2, "web.success_codes[0]", `want a whole number, not "ok"`},
		{"success codes scalar", "processes:\n  web: {command: x, success_codes: 3}\n", 2, "web.success_codes", `want a list of exit codes, not "3"`},

		// pty
		{"pty string", "processes:\n  web: {command: x, pty: 'yes'}\n", 2, "web.pty", `want true or false, not "yes"`},
		{"pty number", "processes:\n  web: {command: x, pty: 1}\n", 2, "web.pty", `want true or false, not "1"`},

		// backoff
		{"backoff scalar", "processes:\n  web: {command: x, backoff: 1s}\n", 2, "web.backoff", `want a mapping of min, max, factor, jitter, not "1s"`},
		{"backoff null", "processes:\n  web:\n    command: x\n    backoff:\n", 4, "web.backoff", "not no value"},
		{"backoff unknown", "processes:\n  web:\n    command: x\n    backoff:\n      mn: 1s\n", 5, "web.backoff.mn", "unknown key (did you mean min?)"},
		{"backoff min 0", "processes:\n  web: {command: x, backoff: {min: 0s}}\n", 2, "web.backoff.min", "want a duration above 0"},
		{"backoff max bad", "processes:\n  web: {command: x, backoff: {max: 1 minute}}\n", 2, "web.backoff.max", `"1 minute" is not a duration`},
		{"backoff min above max", "processes:\n  web:\n    command: x\n    backoff:\n      max: 1s\n      min: 2s\n", 6, "web.backoff.min", "2s is above max 1s"},
		{"backoff factor below 1", "processes:\n  web: {command: x, backoff: {factor: 0.5}}\n", 2, "web.backoff.factor", "0.5: want a number of at least 1"},
		{"backoff factor inf", "processes:\n  web: {command: x, backoff: {factor: .inf}}\n", 2, "web.backoff.factor", ".inf: want a number of at least 1"},
		{"backoff factor nan", "processes:\n  web: {command: x, backoff: {factor: .nan}}\n", 2, "web.backoff.factor", ".nan: want a number of at least 1"},
		{"backoff factor word", "processes:\n  web: {command: x, backoff: {factor: double}}\n", 2, "web.backoff.factor", `want a number, not "double"`},
		{"backoff jitter", "processes:\n  web: {command: x, backoff: {jitter: maybe}}\n", 2, "web.backoff.jitter", `want true or false, not "maybe"`},

		// Merges
		{"merge a scalar", "processes:\n  web:\n    <<: 1\n    command: x\n", 3, "web.<<", `want a mapping to merge, or a list of them, not "1"`},
		{"merge a list of scalars", "x-a: &a {group: g}\nprocesses:\n  web:\n    <<: [*a, 1]\n    command: x\n", 4, "web.<<", `want mappings to merge, not "1"`},
		{"merge a loop", "x-a: &a\n  group: g\n  <<: *a\nprocesses:\n  web:\n    <<: *a\n    command: x\n", 3, "web.<<", "merges a mapping that holds this one"},
		{"merged mistake", "x-a: &a\n  restart: sometimes\nprocesses:\n  web:\n    <<: *a\n    command: x\n", 2, "web.restart", `"sometimes" is not a restart policy`},
	})
}

// TestMergeIsLinear: anchors that merge each other twice over, level after
// level, are flattened once each, not 2^levels times.
func TestMergeIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-0: &a0 {group: g}\nx-0b: &b0 {restart: always}\n")
	const levels = 60
	for i := 1; i <= levels; i++ {
		for _, ab := range []string{"a", "b"} {
			b.WriteString("x-" + ab + strconv.Itoa(i) + ": &" + ab + strconv.Itoa(i) + " {<<: [*a" + strconv.Itoa(i-1) + ", *b" + strconv.Itoa(i-1) + "]}\n")
		}
	}
	b.WriteString("processes:\n  web:\n    <<: *a" + strconv.Itoa(levels) + "\n    command: x\n")
	done := make(chan struct{})
	var procs []Process
	var err error
	go func() {
		defer close(done)
		procs, err = Parse("f.yaml", []byte(b.String()), true)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("merging took more than 10s")
	}
	require.NoError(t, err)
	assert.Equal(t, "g", procs[0].Cmd.Group)
	assert.Equal(t, overseer.RestartAlways, procs[0].Cmd.Restart)
}
