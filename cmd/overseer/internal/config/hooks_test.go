//go:build unix

package config

import "testing"

func TestParseHooks(t *testing.T) {
	testParse(t, []parseCase{
		{
			"pre_start, post_stop: shell lines and lists; stop_command",
			"processes:\n  a:\n    command: x\n    pre_start: [./migrate, 'mkdir -p tmp']\n    post_stop:\n      - [rm, -rf, tmp]\n    stop_command: kill -QUIT $MAINPID\n",
			[]want{{name: "a", line: 2, f: defaults(sh("x"), func(f *fields) {
				f.PreStart = [][]string{sh("./migrate"), sh("mkdir -p tmp")}
				f.PostStop = [][]string{{"rm", "-rf", "tmp"}}
				f.StopCommand = sh("kill -QUIT $MAINPID")
			})}},
		},
		{
			"stop_command as a list",
			"processes:\n  a: {command: x, stop_command: [./ctl, stop]}\n",
			[]want{{name: "a", line: 2, f: defaults(sh("x"), func(f *fields) { f.StopCommand = []string{"./ctl", "stop"} })}},
		},
	})
}

func TestHookErrors(t *testing.T) {
	testParseErrors(t, "f.yaml", []parseError{
		{"pre_start a string", "processes:\n  web:\n    command: x\n    pre_start: ./migrate\n", 4, "web.pre_start", `want a list of commands (shell lines, or lists with the program first), not "./migrate"`},
		{"pre_start a mapping", "processes:\n  web:\n    command: x\n    pre_start: {a: b}\n", 4, "web.pre_start", "want a list of commands"},
		{"pre_start empty", "processes:\n  web:\n    command: x\n    pre_start: []\n", 4, "web.pre_start", "empty list (leave the key out for none)"},
		{"pre_start null", "processes:\n  web:\n    command: x\n    pre_start:\n", 4, "web.pre_start", "want a list of commands"},
		{"pre_start empty entry", "processes:\n  web:\n    command: x\n    pre_start:\n      - ./a\n      - ''\n", 6, "web.pre_start[1]", "empty command"},
		{"pre_start null entry", "processes:\n  web:\n    command: x\n    pre_start:\n      - ./a\n      -\n", 6, "web.pre_start[1]", "no value"},
		{"pre_start NUL", "processes:\n  web:\n    command: x\n    pre_start: [\"a\\0b\"]\n", 4, "web.pre_start[0]", "NUL byte"},
		{"pre_start mapping entry", "processes:\n  web:\n    command: x\n    pre_start:\n      - {a: b}\n", 5, "web.pre_start[0]", "want a string, not a mapping"},
		{"pre_start empty list entry", "processes:\n  web:\n    command: x\n    pre_start: [[]]\n", 4, "web.pre_start[0]", "empty list: no program"},
		{"post_stop a number", "processes:\n  web:\n    command: x\n    post_stop: 3\n", 4, "web.post_stop", "want a list of commands"},
		{"post_stop blank entry", "processes:\n  web:\n    command: x\n    post_stop: ['  ']\n", 4, "web.post_stop[0]", "empty command"},
		{"stop_command empty", "processes:\n  web:\n    command: x\n    stop_command: ''\n", 4, "web.stop_command", "empty command"},
		{"stop_command null", "processes:\n  web:\n    command: x\n    stop_command:\n", 4, "web.stop_command", "no value"},
		{"stop_command NUL", "processes:\n  web:\n    command: x\n    stop_command: \"kill\\0\"\n", 4, "web.stop_command", "NUL byte"},
		{"stop_command a mapping", "processes:\n  web:\n    command: x\n    stop_command: {a: b}\n", 4, "web.stop_command", "want a string, not a mapping"},
		{"stop_command slip", "processes:\n  web:\n    command: x\n    stop_comand: x\n", 4, "web.stop_comand", "did you mean stop_command?"},
	})
}
