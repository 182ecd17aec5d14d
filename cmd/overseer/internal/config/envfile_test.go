//go:build unix

package config

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoadEnvFiles: env_file at the top level and per process, and ${NAME}
// in command, args, env, dir and log.
func TestLoadEnvFiles(t *testing.T) {
	for _, c := range []struct {
		name     string
		files    map[string]string // under a new directory; the file loaded is app/app.yaml
		envFiles []string          // -env, under the directory
		host     []string
		want     map[string]string // of the first process: NAME=value of its Env, or args, dir, log
	}{
		{
			name: "precedence: host < top-level file < process file < process env",
			files: map[string]string{
				"app/app.yaml": "env_file: top.env\nprocesses:\n  web:\n    command: ./web\n    env_file: [web.env]\n    env: {D: env}\n",
				"app/top.env":  "B=top\nC=top\nD=top\n",
				"app/web.env":  "C=web\nD=web\n",
			},
			host: []string{"A=host", "B=host", "C=host", "D=host"},
			want: map[string]string{"A": "host", "B": "top", "C": "web", "D": "env"},
		},
		{
			name: "later files win; .env < top-level file < -env < PORT < process file",
			files: map[string]string{
				"app/app.yaml":    "env_file: [one.env, sub/two.env]\nprocesses:\n  web:\n    command: ./web\n    env_file: [p1.env, p2.env]\n",
				"app/.env":        "A=dotenv\nB=dotenv\nE=dotenv\n",
				"app/one.env":     "A=one\nB=one\nF=one\n",
				"app/sub/two.env": "B=two\n",
				"flag.env":        "F=flag\nG=flag\n",
				"app/p1.env":      "G=p1\nH=p1\nPORT=6000\n",
				"app/p2.env":      "H=p2-${G}\n",
			},
			envFiles: []string{"flag.env"},
			want:     map[string]string{"A": "one", "B": "two", "E": "dotenv", "F": "flag", "G": "p1", "H": "p2-p1", "PORT": "6000"},
		},
		{
			name: "a top-level file sets the base port",
			files: map[string]string{
				"app/app.yaml": "env_file: top.env\nprocesses:\n  web: ./web\n",
				"app/top.env":  "PORT=7000\n",
			},
			want: map[string]string{"PORT": "7000"},
		},
		{
			name: "${NAME}, ${NAME:-d}, $$ and a bare $NAME",
			files: map[string]string{
				"app/app.yaml": "env_file: top.env\nprocesses:\n  web:\n" +
					"    command: 'echo ${GREETING} ${NOPE:-d} ${EMPTY:-e} $$HOME $HOME $${X} ${OWN}'\n" +
					"    env: {OWN: 'own-${GREETING}', RAW: '$$5'}\n",
				"app/top.env": "GREETING=hello\nEMPTY=\n",
			},
			want: map[string]string{"command": "echo hello d e $HOME $HOME ${X} own-hello", "OWN": "own-hello", "RAW": "$5"},
		},
		{
			name: "args, dir and log; PORT and the process's env seen",
			files: map[string]string{
				"app/app.yaml": "processes:\n  web:\n    args: [./web, '--port=${PORT}', '${MODE}']\n    dir: 'd/${MODE}'\n    log: 'logs/${MODE}-${PORT}.log'\n    env: {MODE: prod}\n",
			},
			want: map[string]string{"args": "./web --port=5000 prod", "dir": "app/d/prod", "log": "app/logs/prod-5000.log"},
		},
		{
			name: "the short form",
			files: map[string]string{
				"app/app.yaml": "processes:\n  web: echo ${HOME}\n",
			},
			host: []string{"HOME=/h"},
			want: map[string]string{"command": "echo /h"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			host := c.host
			if host == nil {
				host = []string{}
			}
			procs, err := Load(filepath.Join(dir, "app/app.yaml"), Options{EnvFiles: inDir(dir, c.envFiles), Environ: host})
			require.NoError(t, err)
			p := procs[0]
			env := make(map[string]string)
			for _, kv := range p.Cmd.Env {
				name, value, _ := cutEnv(kv)
				env[name] = value
			}
			for k, want := range c.want {
				switch k {
				case "command":
					assert.Equal(t, want, p.Cmd.Args[2])
				case "args":
					assert.Equal(t, want, joinArgs(p.Cmd.Args))
				case "dir":
					assert.Equal(t, filepath.Join(dir, want), p.Cmd.Dir)
				case "log":
					assert.Equal(t, filepath.Join(dir, want), p.Log)
				default:
					assert.Equal(t, want, env[k], "%s in %q", k, p.Cmd.Env)
				}
			}
		})
	}
}

func TestLoadEnvFileErrors(t *testing.T) {
	for _, c := range []struct {
		name      string
		files     map[string]string // under a new directory; the file loaded is app.yaml
		file      string            // of the *Error
		line      int
		key, msg  string
		notExists bool // the error is fs.ErrNotExist
	}{
		{
			name:  "an undefined variable",
			files: map[string]string{"app.yaml": "processes:\n  web:\n    command: echo ${NOPE}\n"},
			file:  "app.yaml", line: 3, key: "web.command", msg: "${NOPE}: NOPE is not set (set it in the environment or an env file, use ${NOPE:-default}, or write $${NOPE} to leave it to the shell)",
		},
		{
			name:  "an undefined variable in an argument",
			files: map[string]string{"app.yaml": "processes:\n  web:\n    args:\n      - ./web\n      - ${NOPE}\n"},
			file:  "app.yaml", line: 5, key: "web.args[1]", msg: "NOPE is not set",
		},
		{
			name:  "an undefined variable in env does not see env",
			files: map[string]string{"app.yaml": "processes:\n  web:\n    command: ./web\n    env:\n      A: x\n      B: ${A}\n"},
			file:  "app.yaml", line: 6, key: "web.env.B", msg: "A is not set",
		},
		{
			name:  "in a literal block, at its line",
			files: map[string]string{"app.yaml": "processes:\n  web:\n    command: |\n      echo one\n\n      echo ${NOPE}\n"},
			file:  "app.yaml", line: 6, key: "web.command", msg: "NOPE is not set",
		},
		{
			name:  "in an env value, after its name",
			files: map[string]string{"app.yaml": "processes:\n  web:\n    command: ./web\n    env: [\"A=${NOPE}\"]\n"},
			file:  "app.yaml", line: 4, key: "web.env[0]", msg: "NOPE is not set",
		},
		{
			name:  "the short form",
			files: map[string]string{"app.yaml": "processes:\n  web: echo ${NOPE}\n"},
			file:  "app.yaml", line: 2, key: "web", msg: "NOPE is not set",
		},
		{
			name:  "another form of the shell",
			files: map[string]string{"app.yaml": "processes:\n  web:\n    dir: ${D:+x}\n    command: ./web\n"},
			file:  "app.yaml", line: 3, key: "web.dir", msg: "write $${D:+x} to leave it to the shell",
		},
		{
			name:  "a malformed line of a top-level env file",
			files: map[string]string{"app.yaml": "env_file: top.env\nprocesses:\n  web: ./web\n", "top.env": "A=1\nB 2\n"},
			file:  "top.env", line: 2, msg: `"B 2" is not NAME=value`,
		},
		{
			name:  "a malformed line of a process's env file",
			files: map[string]string{"app.yaml": "processes:\n  web:\n    command: ./web\n    env_file: web.env\n", "web.env": "\n\nA=\"open\n"},
			file:  "web.env", line: 3, key: "A", msg: "never closed",
		},
		{
			name:  "a missing top-level env file",
			files: map[string]string{"app.yaml": "env_file:\n  - nope.env\nprocesses:\n  web: ./web\n"},
			file:  "app.yaml", line: 2, key: "env_file[0]", msg: "env file: open ", notExists: true,
		},
		{
			name:  "a missing env file of a process",
			files: map[string]string{"app.yaml": "processes:\n  web:\n    command: ./web\n    env_file: nope.env\n"},
			file:  "app.yaml", line: 4, key: "web.env_file", msg: "nope.env", notExists: true,
		},
		{
			name:  "env_file of the wrong kind",
			files: map[string]string{"app.yaml": "env_file: {a: b}\nprocesses:\n  web: ./web\n"},
			file:  "app.yaml", line: 1, key: "env_file", msg: "want a file name, or a list of them, not a mapping",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			procs, err := Load(filepath.Join(dir, "app.yaml"), Options{Environ: []string{}})
			assert.Nil(t, procs)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.msg)
			e := fileError(t, err)
			assert.Same(t, e, err, "one error only: %v", err)
			assert.Equal(t, filepath.Join(dir, c.file), e.File)
			assert.Equal(t, c.line, e.Line, "%v", e)
			assert.Equal(t, c.key, e.Key, "%v", e)
			if c.notExists {
				assert.ErrorIs(t, err, fs.ErrNotExist)
			}
		})
	}
}

// cutEnv splits a "NAME=value" entry.
func cutEnv(kv string) (name, value string, ok bool) { return strings.Cut(kv, "=") }

// joinArgs returns args joined by spaces.
func joinArgs(args []string) string { return strings.Join(args, " ") }
