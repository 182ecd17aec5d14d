//go:build unix

package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// tempFiles writes files (a path relative to a new temporary directory,
// and its content) and returns the directory.
func tempFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	return dir
}

// loadFiles loads the files of names, relative to dir, with LoadFiles, and
// returns the project and its processes.
func loadFiles(t *testing.T, dir string, names ...string) (*Project, []Process, error) {
	t.Helper()
	paths := make([]string, len(names))
	for i, name := range names {
		paths[i] = filepath.Join(dir, name)
	}
	proj, err := LoadFiles(paths, testOptions())
	if err != nil {
		return nil, nil, err
	}
	procs, err := proj.Processes(nil)
	require.NoError(t, err)
	return proj, procs, nil
}

// A mergeWant is what a merge test expects of a process, beyond the
// defaults: fields as change makes them from the defaults of args in dir
// (relative to the test's directory), and the file (relative) and line
// Process gives.
type mergeWant struct {
	name   string
	args   []string
	dir    string
	env    []string // after the host's
	change func(*fields)
	file   string
	line   int
	log    string
}

func TestLoadFilesMerge(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		load  []string
		want  []mergeWant
	}{{
		name: "a later file overrides a key",
		files: map[string]string{
			"base.yaml":     "processes:\n  web:\n    command: ./web\n    restart: always\n    stop_timeout: 5s\n",
			"override.yaml": "processes:\n  web:\n    restart: never\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		want: []mergeWant{{name: "web", args: sh("./web"), env: []string{"PORT=5000"}, file: "override.yaml", line: 2,
			change: func(f *fields) { f.Restart, f.StopTimeout = overseer.RestartNever, 5e9 }}},
	}, {
		name: "a short form replaces command",
		files: map[string]string{
			"base.yaml":     "processes:\n  web:\n    command: ./web\n    restart: always\n",
			"override.yaml": "processes:\n  web: ./web -debug\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		want: []mergeWant{{name: "web", args: sh("./web -debug"), env: []string{"PORT=5000"}, file: "override.yaml", line: 2,
			change: func(f *fields) { f.Restart = overseer.RestartAlways }}},
	}, {
		name: "args replaces command, and command args",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: {command: ./web}\n  api: {args: [./api]}\n",
			"override.yaml": "processes:\n  web: {args: [./web, -v]}\n  api: {command: ./api -v}\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		want: []mergeWant{
			{name: "web", args: []string{"./web", "-v"}, env: []string{"PORT=5000"}, file: "override.yaml", line: 2},
			{name: "api", args: sh("./api -v"), env: []string{"PORT=5100"}, file: "override.yaml", line: 3},
		},
	}, {
		name: "env merges per variable",
		files: map[string]string{
			"base.yaml":     "processes:\n  web:\n    command: ./web\n    env: {A: a, B: b, C: '${HOME}'}\n",
			"override.yaml": "processes:\n  web:\n    env: [B=bb, D=d, 'C=${PORT}']\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		want: []mergeWant{{name: "web", args: sh("./web"), env: []string{"PORT=5000", "A=a", "B=bb", "C=5000", "D=d"}, file: "override.yaml", line: 2}},
	}, {
		name: "a later file adds a process after the others, which keep their places",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n  worker: ./worker\n",
			"override.yaml": "processes:\n  db: ./db\n  web: {restart: never}\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		want: []mergeWant{
			{name: "web", args: sh("./web"), env: []string{"PORT=5000"}, file: "override.yaml", line: 3,
				change: func(f *fields) { f.Restart = overseer.RestartNever }},
			{name: "worker", args: sh("./worker"), env: []string{"PORT=5100"}, file: "base.yaml", line: 3},
			{name: "db", args: sh("./db"), env: []string{"PORT=5200"}, file: "override.yaml", line: 2},
		},
	}, {
		name: "disabled leaves a process out, the others keep their ports",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n  worker: ./worker\n  db: ./db\n",
			"override.yaml": "processes:\n  worker: {disabled: true}\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		want: []mergeWant{
			{name: "web", args: sh("./web"), env: []string{"PORT=5000"}, file: "base.yaml", line: 2},
			{name: "db", args: sh("./db"), env: []string{"PORT=5200"}, file: "base.yaml", line: 4},
		},
	}, {
		name: "a later file enables a process again",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n  debug: {command: ./debug, disabled: true, env: {X: '${UNSET}'}}\n",
			"override.yaml": "processes:\n  debug: {disabled: false, env: {X: x}}\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		want: []mergeWant{
			{name: "web", args: sh("./web"), env: []string{"PORT=5000"}, file: "base.yaml", line: 2},
			{name: "debug", args: sh("./debug"), env: []string{"PORT=5100", "X=x"}, file: "override.yaml", line: 2},
		},
	}, {
		name: "a disabled process needs no variables set",
		files: map[string]string{
			"base.yaml": "processes:\n  web: ./web\n  off: {command: './off ${UNSET}', disabled: true, env: {X: '${UNSET}'}}\n",
		},
		load: []string{"base.yaml"},
		want: []mergeWant{{name: "web", args: sh("./web"), env: []string{"PORT=5000"}, file: "base.yaml", line: 2}},
	}, {
		name: "depends_on a process of another file",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: {command: ./web, depends_on: [db]}\n",
			"override.yaml": "processes:\n  db: ./db\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		want: []mergeWant{
			{name: "web", args: sh("./web"), env: []string{"PORT=5000"}, file: "base.yaml", line: 2,
				change: func(f *fields) { f.DependsOn = []overseer.Dependency{{ID: "db"}} }},
			{name: "db", args: sh("./db"), env: []string{"PORT=5100"}, file: "override.yaml", line: 2},
		},
	}, {
		name: "a depends_on replaced may name a process disabled",
		files: map[string]string{
			"base.yaml":     "processes:\n  db: ./db\n  cache: ./cache\n  web: {command: ./web, depends_on: [db, cache]}\n",
			"override.yaml": "processes:\n  db: {disabled: true}\n  web: {depends_on: {cache: started}}\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		want: []mergeWant{
			{name: "cache", args: sh("./cache"), env: []string{"PORT=5100"}, file: "base.yaml", line: 3},
			{name: "web", args: sh("./web"), env: []string{"PORT=5200"}, file: "override.yaml", line: 3,
				change: func(f *fields) { f.DependsOn = []overseer.Dependency{{ID: "cache"}} }},
		},
	}, {
		name: "a YAML file over a Procfile, and a Procfile over a YAML file",
		files: map[string]string{
			"Procfile":      "web: ./web\nworker: ./worker\n",
			"override.yaml": "processes:\n  web: {restart: never}\n",
			"Procfile.dev":  "worker: ./worker -dev\n",
		},
		load: []string{"Procfile", "override.yaml", "Procfile.dev"},
		want: []mergeWant{
			{name: "web", args: sh("./web"), env: []string{"PORT=5000"}, file: "override.yaml", line: 2,
				change: func(f *fields) { f.Restart = overseer.RestartNever }},
			{name: "worker", args: sh("./worker -dev"), env: []string{"PORT=5100"}, file: "Procfile.dev", line: 1},
		},
	}, {
		name: "paths are taken from the file that sets them",
		files: map[string]string{
			"base.yaml":         "processes:\n  web: {command: ./web, dir: www, log: web.log}\n  api: {command: ./api, watch_files: [api.toml]}\n",
			"dev/override.yaml": "processes:\n  web: {log: logs/web.log}\n  api: {dir: ., watch_files: [dev.toml]}\n  tool: ./tool\n",
		},
		load: []string{"base.yaml", "dev/override.yaml"},
		want: []mergeWant{
			{name: "web", args: sh("./web"), dir: "www", log: "dev/logs/web.log", env: []string{"PORT=5000"}, file: "dev/override.yaml", line: 2},
			{name: "api", args: sh("./api"), dir: "dev", env: []string{"PORT=5100"}, file: "dev/override.yaml", line: 3,
				change: func(f *fields) { f.WatchFiles = []string{"dev/dev.toml"} }},
			{name: "tool", args: sh("./tool"), dir: "dev", env: []string{"PORT=5200"}, file: "dev/override.yaml", line: 4},
		},
	}, {
		name: "each file's env_file, from its own directory; the first file's .env",
		files: map[string]string{
			".env":              "A=dotenv\nB=dotenv\n",
			"base.yaml":         "env_file: base.env\nprocesses:\n  web: {command: ./web, env_file: web.env}\n",
			"base.env":          "B=base\n",
			"web.env":           "W=web\n",
			"dev/.env":          "IGNORED=1\n",
			"dev/override.yaml": "env_file: [dev.env]\nprocesses:\n  web: {env_file: web.env}\n",
			"dev/dev.env":       "C=dev\n",
			"dev/web.env":       "W=devweb\n",
		},
		load: []string{"base.yaml", "dev/override.yaml"},
		want: []mergeWant{{name: "web", args: sh("./web"), env: []string{"A=dotenv", "B=base", "C=dev", "PORT=5000", "W=devweb"}, file: "dev/override.yaml", line: 3}},
	}, {
		name: "include from a subdirectory, relative to the including file",
		files: map[string]string{
			"main.yaml":     "include: sub/inc.yaml\nprocesses:\n  web: ./web\n  inc: {restart: never}\n",
			"sub/inc.yaml":  "env_file: inc.env\nprocesses:\n  inc: {command: ./inc, restart: always, log: inc.log}\n  other: {command: ./other, dir: data}\n",
			"sub/inc.env":   "INC=1\n",
			"sub/data/keep": "",
		},
		load: []string{"main.yaml"},
		want: []mergeWant{
			{name: "inc", args: sh("./inc"), dir: "sub", log: "sub/inc.log", env: []string{"INC=1", "PORT=5000"}, file: "main.yaml", line: 4,
				change: func(f *fields) { f.Restart = overseer.RestartNever }},
			{name: "other", args: sh("./other"), dir: "sub/data", env: []string{"INC=1", "PORT=5100"}, file: "sub/inc.yaml", line: 4},
			{name: "web", args: sh("./web"), env: []string{"INC=1", "PORT=5200"}, file: "main.yaml", line: 3},
		},
	}, {
		name: "nested includes, a list, and a file of includes only",
		files: map[string]string{
			"main.yaml":  "include: [a/one.yaml, b.yaml]\n",
			"a/one.yaml": "include: two.yaml\nprocesses:\n  one: ./one\n  two: {restart: never}\n",
			"a/two.yaml": "processes:\n  two: {command: ./two, restart: always}\n",
			"b.yaml":     "processes:\n  b: ./b\n  one: {args: [./one, -b]}\n",
		},
		load: []string{"main.yaml"},
		want: []mergeWant{
			{name: "two", args: sh("./two"), dir: "a", env: []string{"PORT=5000"}, file: "a/one.yaml", line: 4,
				change: func(f *fields) { f.Restart = overseer.RestartNever }},
			{name: "one", args: []string{"./one", "-b"}, dir: "a", env: []string{"PORT=5100"}, file: "b.yaml", line: 3},
			{name: "b", args: sh("./b"), env: []string{"PORT=5200"}, file: "b.yaml", line: 2},
		},
	}, {
		name: "a file included twice, by two files",
		files: map[string]string{
			"main.yaml":   "include: [a.yaml, b.yaml]\nprocesses:\n  web: ./web\n",
			"a.yaml":      "include: common.yaml\nprocesses:\n  db: {args: [./db]}\n",
			"b.yaml":      "include: common.yaml\n",
			"common.yaml": "processes:\n  db: {command: ./db}\n",
		},
		load: []string{"main.yaml"},
		want: []mergeWant{
			{name: "db", args: sh("./db"), env: []string{"PORT=5000"}, file: "common.yaml", line: 2},
			{name: "web", args: sh("./web"), env: []string{"PORT=5100"}, file: "main.yaml", line: 3},
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tempFiles(t, c.files)
			_, procs, err := loadFiles(t, dir, c.load...)
			require.NoError(t, err)
			require.Len(t, procs, len(c.want), "%v", names(procs))
			for i, w := range c.want {
				got := procs[i]
				assert.Equal(t, w.name, got.Name, "process %d", i)
				assert.Equal(t, filepath.Join(dir, w.file), got.File, "%s: File", w.name)
				assert.Equal(t, w.line, got.Line, "%s: Line", w.name)
				if w.log != "" {
					w.log = filepath.Join(dir, w.log)
				}
				assert.Equal(t, w.log, got.Log, "%s: Log", w.name)
				change := []func(*fields){func(f *fields) {
					f.Dir, f.Env = filepath.Join(dir, w.dir), withHost(w.env...)
				}}
				if w.change != nil {
					change = append(change, w.change)
				}
				want := defaults(w.args, change...)
				for j, f := range want.WatchFiles {
					want.WatchFiles[j] = filepath.Join(dir, f)
				}
				assert.Equal(t, want, project(got.Cmd), "%s: Cmd", w.name)
			}
		})
	}
}

func TestLoadFilesFiles(t *testing.T) {
	dir := tempFiles(t, map[string]string{
		"base.yaml":         "include: inc/a.yaml\nprocesses:\n  web: ./web\n",
		"inc/a.yaml":        "include: b.yaml\nprocesses:\n  a: ./a\n",
		"inc/b.yaml":        "processes:\n  b: ./b\n",
		"dev/override.yaml": "include: ../inc/b.yaml\nprocesses:\n  web: {restart: never}\n",
	})
	proj, _, err := loadFiles(t, dir, "base.yaml", "dev/override.yaml")
	require.NoError(t, err)
	var want []string
	for _, f := range []string{"base.yaml", "dev/override.yaml", "inc/a.yaml", "inc/b.yaml"} {
		want = append(want, filepath.Join(dir, f))
	}
	assert.Equal(t, want, proj.Files())
}

func TestLoadInclude(t *testing.T) {
	// Load and Parse, the one-file case, read includes too.
	dir := tempFiles(t, map[string]string{
		"main.yaml":    "include: sub/inc.yaml\nprocesses:\n  web: ./web\n",
		"sub/inc.yaml": "processes:\n  inc: ./inc\n",
	})
	procs, err := Load(filepath.Join(dir, "main.yaml"), testOptions())
	require.NoError(t, err)
	assert.Equal(t, []string{"inc", "web"}, names(procs))
	assert.Equal(t, filepath.Join(dir, "sub"), procs[0].Cmd.Dir)
	assert.Equal(t, filepath.Join(dir, "sub/inc.yaml"), procs[0].File)

	procs, err = Parse(filepath.Join(dir, "main.yaml"), []byte("include: sub/inc.yaml\nprocesses:\n  web: {command: ./web, disabled: true}\n"), true)
	require.NoError(t, err)
	assert.Equal(t, []string{"inc"}, names(procs))
}

// A mergeError is files that LoadFiles must refuse, with an error at file
// (relative) and line, about key, saying msg, alone (one) or among others.
type mergeError struct {
	name     string
	files    map[string]string
	load     []string
	file     string
	line     int
	key, msg string
	one      bool
	is       error // that the error wraps, if set
}

func TestLoadFilesErrors(t *testing.T) {
	chain := map[string]string{}
	for i := range maxIncludeDepth + 2 {
		chain[fmt.Sprintf("f%d.yaml", i)] = fmt.Sprintf("include: f%d.yaml\nprocesses:\n  p%d: ./p\n", i+1, i)
	}
	// Each of 12 files includes the next twice over (by two names): 2^12
	// reads.
	blowup := map[string]string{"l12.yaml": "processes:\n  p: ./p\n"}
	for i := range 12 {
		blowup[fmt.Sprintf("l%d.yaml", i)] = fmt.Sprintf("include: [l%d.yaml, ./l%d.yaml]\n", i+1, i+1)
	}
	cases := []mergeError{{
		name: "an error in the second file names it",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n",
			"override.yaml": "# dev\nprocesses:\n  web:\n    restart: sometimes\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "override.yaml", line: 4, key: "web.restart", msg: "not a restart policy", one: true,
	}, {
		name: "an unknown key in the second file names it",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n",
			"override.yaml": "processes:\n  web:\n    restrat: never\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "override.yaml", line: 3, key: "web.restrat", msg: "did you mean restart?", one: true,
	}, {
		name: "a key replaced by a later file is checked still",
		files: map[string]string{
			"base.yaml":     "processes:\n  web:\n    command: ./web\n    restart: sometimes\n",
			"override.yaml": "processes:\n  web:\n    restart: never\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "base.yaml", line: 4, key: "web.restart", msg: "not a restart policy", one: true,
	}, {
		name: "a syntax error in the second file names it",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n",
			"override.yaml": "processes:\n  web: [./web\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "override.yaml", line: 2, one: true,
	}, {
		name: "an unset variable in the second file names it",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n",
			"override.yaml": "processes:\n\n  web: {dir: '${NOWHERE}'}\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "override.yaml", line: 3, key: "web.dir", msg: "NOWHERE is not set", one: true,
	}, {
		name: "a missing env file of the second file names it",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n",
			"override.yaml": "processes:\n  web:\n    env_file: nowhere.env\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "override.yaml", line: 3, key: "web.env_file", msg: "env file", one: true, is: fs.ErrNotExist,
	}, {
		name: "a process with keys but no command in any file",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n  api: {restart: never}\n",
			"override.yaml": "processes:\n  web: {restart: never}\n  api:\n    env: {DEBUG: '1'}\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "base.yaml", line: 3, key: "api", msg: "no command", one: true,
	}, {
		name: "a process a later file adds without a command",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n",
			"override.yaml": "processes:\n  web: {restart: never}\n  api:\n    env: {DEBUG: '1'}\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "override.yaml", line: 3, key: "api", msg: "no command", one: true,
	}, {
		name: "depends_on a disabled process names both",
		files: map[string]string{
			"base.yaml":     "processes:\n  db: ./db\n  web:\n    command: ./web\n    depends_on: [db]\n",
			"override.yaml": "processes:\n  db:\n    disabled: true\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "base.yaml", line: 5, key: "web.depends_on[0]", msg: "db is disabled (%s/override.yaml:3)", one: true,
	}, {
		name: "depends_on a process in none of the files",
		files: map[string]string{
			"base.yaml":     "processes:\n  db: ./db\n  web: ./web\n",
			"override.yaml": "processes:\n  web:\n    depends_on: [dbb]\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "override.yaml", line: 3, key: "web.depends_on[0]", msg: "no process dbb in the files (did you mean db?)", one: true,
	}, {
		name: "disabled, a slip of a name",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n  worker: ./worker\n",
			"override.yaml": "processes:\n  wroker:\n    disabled: true\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "override.yaml", line: 3, key: "wroker.disabled", msg: "no file gives wroker a command: is the name right? (did you mean worker?)", one: true,
	}, {
		name: "every process disabled",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n",
			"override.yaml": "processes:\n  web: {disabled: true}\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "base.yaml", msg: "every process is disabled", one: true,
	}, {
		name: "disabled is true or false",
		files: map[string]string{
			"base.yaml": "processes:\n  web: {command: ./web, disabled: yes please}\n",
		},
		load: []string{"base.yaml"},
		file: "base.yaml", line: 2, key: "web.disabled", msg: "want true or false", one: true,
	}, {
		name: "a missing include",
		files: map[string]string{
			"main.yaml":  "processes:\n  web: ./web\ninclude: [sub/a.yaml, sub/nowhere.yaml]\n",
			"sub/a.yaml": "processes:\n  a: ./a\n",
		},
		load: []string{"main.yaml"},
		file: "main.yaml", line: 3, key: "include[1]", msg: "sub/nowhere.yaml: no such file", one: true, is: fs.ErrNotExist,
	}, {
		name: "a missing include of an included file",
		files: map[string]string{
			"main.yaml":  "include: sub/a.yaml\nprocesses:\n  web: ./web\n",
			"sub/a.yaml": "\ninclude: b.yaml\nprocesses:\n  a: ./a\n",
		},
		load: []string{"main.yaml"},
		file: "sub/a.yaml", line: 2, key: "include", msg: "sub/b.yaml: no such file", one: true, is: fs.ErrNotExist,
	}, {
		name: "an include cycle",
		files: map[string]string{
			"main.yaml":  "include: sub/a.yaml\nprocesses:\n  web: ./web\n",
			"sub/a.yaml": "processes:\n  a: ./a\ninclude: [../main.yaml]\n",
		},
		load: []string{"main.yaml"},
		file: "sub/a.yaml", line: 3, key: "include[0]", msg: "a cycle of includes", one: true,
	}, {
		name: "a file that includes itself",
		files: map[string]string{
			"main.yaml": "include: ./main.yaml\nprocesses:\n  web: ./web\n",
		},
		load: []string{"main.yaml"},
		file: "main.yaml", line: 1, key: "include", msg: "a cycle of includes", one: true,
	}, {
		name:  "includes nested too deep",
		files: chain,
		load:  []string{"f0.yaml"},
		file:  fmt.Sprintf("f%d.yaml", maxIncludeDepth), line: 1, key: "include", msg: "more than 16 files deep", one: true,
	}, {
		name:  "includes read many times over",
		files: blowup,
		load:  []string{"l0.yaml"},
		file:  "l10.yaml", line: 1, key: "include[1]", msg: "more than 1000 includes read", one: true,
	}, {
		name: "include is a file name or a list",
		files: map[string]string{
			"main.yaml": "include: {a: b}\nprocesses:\n  web: ./web\n",
		},
		load: []string{"main.yaml"},
		file: "main.yaml", line: 1, key: "include", msg: "want a file name, or a list", one: true,
	}, {
		name: "a file with neither processes nor include",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n",
			"override.yaml": "env_file: x.env\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "override.yaml", line: 1, key: "processes", msg: "missing", one: true,
	}, {
		name: "errors of two files, the first file's first",
		files: map[string]string{
			"base.yaml":     "processes:\n  web: ./web\n\n\n\n  api: {command: ./api, nice: 99}\n",
			"override.yaml": "processes:\n  web: {nice: 40}\n",
		},
		load: []string{"base.yaml", "override.yaml"},
		file: "base.yaml", line: 6, key: "api.nice",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tempFiles(t, c.files)
			_, procs, err := loadFiles(t, dir, c.load...)
			assert.Nil(t, procs)
			require.Error(t, err)
			e := fileError(t, err)
			if c.one {
				assert.Same(t, e, err, "one error only: %v", err)
			}
			assert.Equal(t, filepath.Join(dir, c.file), e.File, "%v", err)
			assert.Equal(t, c.line, e.Line, "%v", err)
			assert.Equal(t, c.key, e.Key, "%v", err)
			msg := c.msg
			if strings.Contains(msg, "%s") {
				msg = fmt.Sprintf(msg, dir)
			}
			assert.Contains(t, e.Err.Error(), msg)
			if c.is != nil {
				assert.ErrorIs(t, err, c.is)
			}
		})
	}
}

func TestLoadFilesErrorOfAGivenFile(t *testing.T) {
	// A given file that cannot be read is its error as is, as Load's.
	dir := tempFiles(t, map[string]string{"base.yaml": "processes:\n  web: ./web\n"})
	_, _, err := loadFiles(t, dir, "base.yaml", "nowhere.yaml")
	assert.ErrorIs(t, err, fs.ErrNotExist)
	var pe *fs.PathError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, filepath.Join(dir, "nowhere.yaml"), pe.Path)

	_, err = LoadFiles(nil, testOptions())
	assert.Error(t, err)
	assert.True(t, errors.Is(err, err))
}

func TestLoadFilesReplicas(t *testing.T) {
	// replicas merges as any key; a disabled process has no replicas to
	// scale, and keeps the place of its ports.
	dir := tempFiles(t, map[string]string{
		"base.yaml":         "processes:\n  web: {command: ./web, replicas: 2}\n  worker: {command: ./worker, replicas: 2}\n  db: ./db\n",
		"dev/override.yaml": "processes:\n  web: {replicas: 3, dir: www}\n  worker: {disabled: true}\n",
	})
	proj, procs, err := loadFiles(t, dir, "base.yaml", "dev/override.yaml")
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"web": 3}, proj.Replicas())
	assert.Equal(t, []string{"web-1", "web-2", "web-3", "db"}, names(procs))
	for _, p := range procs[:3] {
		assert.Equal(t, filepath.Join(dir, "dev/www"), p.Cmd.Dir, p.Name)
		assert.Equal(t, filepath.Join(dir, "dev/override.yaml"), p.File, p.Name)
	}
	assert.Equal(t, filepath.Join(dir), procs[3].Cmd.Dir)
	assert.Contains(t, procs[3].Cmd.Env, "PORT=5200")

	_, err = proj.Processes(map[string]int{"worker": 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "worker is disabled ("+filepath.Join(dir, "dev/override.yaml")+":3)")
}
