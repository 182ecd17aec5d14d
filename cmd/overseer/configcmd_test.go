//go:build linux

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// configFile is a file for "overseer config": an env file, ${NAME}
// expanded and a $ left to the shell, a key set to its default and
// others not.
const configFile = `env_file: app.env
processes:
  db:
    command: echo db
    stop_timeout: 10s
  web:
    command: ./web -port ${PORT} -name ${APP_NAME} -home $$HOME
    stop_timeout: 90s
    buffer_bytes: 16777216
    stop_signal: int
    depends_on: [db]
  worker:
    args: [./worker, "${APP_NAME}"]
`

// runConfigIn runs "overseer config" with args and returns its exit
// status and outputs.
func runConfigIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"config"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// "overseer config" prints the processes as they will run: the env file
// read, ${NAME} expanded, PORT set, keys in canonical form, defaults left
// out, the host's variables left out; and what it prints, printed again,
// is the same.
func TestConfigPrints(t *testing.T) {
	t.Setenv("CONFIG_TEST_SECRET", "hunter2")
	dir := t.TempDir()
	file := filepath.Join(dir, "overseer.yaml")
	require.NoError(t, os.WriteFile(file, []byte(configFile), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.env"), []byte("APP_NAME=shop\n"), 0o644))

	code, out, stderr := runConfigIn(t, "-f", file)
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	var doc struct {
		Processes yaml.Node
	}
	require.NoError(t, yaml.Unmarshal([]byte(out), &doc), out)
	var procs map[string]map[string]any
	require.NoError(t, doc.Processes.Decode(&procs))
	var order []string
	for i := 0; i < len(doc.Processes.Content); i += 2 {
		order = append(order, doc.Processes.Content[i].Value)
	}
	assert.Equal(t, []string{"db", "web", "worker"}, order, "in file order")

	web := procs["web"]
	assert.Equal(t, "./web -port 5100 -name shop -home $$HOME", web["command"], "expanded, $ doubled")
	assert.Equal(t, "1m30s", web["stop_timeout"])
	assert.Equal(t, "16MiB", web["buffer_bytes"])
	assert.Equal(t, "SIGINT", web["stop_signal"])
	assert.Equal(t, dir, web["dir"])
	assert.Equal(t, map[string]any{"APP_NAME": "shop", "PORT": "5100"}, web["env"], "the variables that are not the host's")
	assert.Equal(t, map[string]any{"db": map[string]any{"condition": "started"}}, web["depends_on"])
	assert.NotContains(t, procs["db"], "stop_timeout", "a default")
	assert.Equal(t, []any{"./worker", "shop"}, procs["worker"]["args"])
	assert.NotContains(t, out, "hunter2", "the host's variables")
	assert.NotContains(t, out, "env_file")

	// What it prints is a file that runs the same: printed again, it is
	// the same, from another directory.
	printed := writeFile(t, "printed.yaml", out)
	code, again, stderr := runConfigIn(t, "-f", printed)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, out, again)
}

// NAMEs print those processes and what they depend on; -port and -env
// are taken as the command without a subcommand takes them.
func TestConfigNamesAndFlags(t *testing.T) {
	file := writeFile(t, "Procfile", "db: echo db\nweb: echo web\nworker: echo worker $COLOR\n")
	env := writeFile(t, "colors.env", "COLOR=blue\n")
	code, out, stderr := runConfigIn(t, "-f", file, "-port", "6000", "-env", env, "worker")
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Processes map[string]map[string]any
	}
	require.NoError(t, yaml.Unmarshal([]byte(out), &doc), out)
	assert.Len(t, doc.Processes, 1, out)
	worker := doc.Processes["worker"]
	assert.Equal(t, "echo worker $$COLOR", worker["command"], "a Procfile's line, not expanded")
	assert.Equal(t, map[string]any{"COLOR": "blue", "PORT": "6200"}, worker["env"], "its place in the file")

	file = writeFile(t, "overseer.yaml", "processes:\n  db: {command: echo db}\n  web: {command: echo web, depends_on: [db]}\n  other: {command: echo}\n")
	code, out, stderr = runConfigIn(t, "-f", file, "web")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "\n  db:\n")
	assert.Contains(t, out, "\n  web:\n")
	assert.NotContains(t, out, "other")

	code, out, stderr = runConfigIn(t, "-f", file, "wbe")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, `no process "wbe"`)
	assert.Contains(t, stderr, "did you mean web?")
}

// Without -f it prints ./Procfile, else ./overseer.yaml.
func TestConfigFindsTheFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, stderr := runConfigIn(t)
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, "no Procfile or overseer.yaml here")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte("hello: echo hi\n"), 0o644))
	code, out, stderr = runConfigIn(t)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "processes:\n  hello:\n    command: echo hi\n")
}

// A bad file is told at its file and line, as the other commands tell it,
// and nothing is printed; so is a bad env file and a bad flag.
func TestConfigBadFile(t *testing.T) {
	file := writeFile(t, "overseer.yaml", "processes:\n  web:\n    command: echo\n    restart: sometimes\n")
	code, out, stderr := runConfigIn(t, "-f", file)
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, "overseer: "+file+":4: web.restart:")

	file = writeFile(t, "Procfile", "ok: true\nnot a process line\n")
	code, out, stderr = runConfigIn(t, "-f", file)
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, file+":2")

	env := writeFile(t, "bad.env", "GOOD=1\nnot a variable\n")
	code, out, stderr = runConfigIn(t, "-f", writeFile(t, "Procfile", "ok: true\n"), "-env", env)
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, env+":2")

	code, _, stderr = runConfigIn(t, "-port", "70000")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-port 70000")
	code, _, _ = runConfigIn(t, "-nope")
	assert.Equal(t, 2, code)
	code, out, stderr = runConfigIn(t, "-h")
	assert.Equal(t, 0, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, "usage: "+configSynopsis)
}
