//go:build unix

package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFiles writes files (name → text) under dir, making directories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
}

// inDir returns names joined to dir.
func inDir(dir string, names []string) []string {
	var paths []string
	for _, name := range names {
		paths = append(paths, filepath.Join(dir, name))
	}
	return paths
}

func TestLoadEnvironment(t *testing.T) {
	const procfile = "web: ./web\nworker: ./worker\n"
	for _, c := range []struct {
		name     string
		files    map[string]string // under a new directory; the file loaded is app/Procfile or app/app.yaml
		yaml     bool
		envFiles []string // under the directory
		basePort int
		host     []string
		want     [][]string // the Env of each process
	}{
		{
			name:  "nothing but the host: PORT from 5000, 100 apart",
			files: map[string]string{"app/Procfile": procfile},
			host:  []string{"HOME=/h", "PATH=/bin"},
			want:  [][]string{{"HOME=/h", "PATH=/bin", "PORT=5000"}, {"HOME=/h", "PATH=/bin", "PORT=5100"}},
		},
		{
			name:  "an empty host",
			files: map[string]string{"app/Procfile": procfile},
			host:  []string{},
			want:  [][]string{{"PORT=5000"}, {"PORT=5100"}},
		},
		{
			name:  "host entries that are not NAME=value are left out",
			files: map[string]string{"app/Procfile": procfile},
			host:  []string{"JUNK", "=x", "A=1", "A=2"},
			want:  [][]string{{"A=2", "PORT=5000"}, {"A=2", "PORT=5100"}},
		},
		{
			name: "the .env of the file's directory, over the host in place",
			files: map[string]string{
				"app/Procfile": procfile,
				"app/.env":     "HOME=/file\nNEW=n\nLOG=$HOME/log\n",
				".env":         "NOT=this one\n",
			},
			host: []string{"HOME=/h", "PATH=/bin"},
			want: [][]string{
				{"HOME=/file", "PATH=/bin", "NEW=n", "LOG=/file/log", "PORT=5000"},
				{"HOME=/file", "PATH=/bin", "NEW=n", "LOG=/file/log", "PORT=5100"},
			},
		},
		{
			name: "env files after .env, in order, a later one winning; each expands from those before",
			files: map[string]string{
				"app/Procfile": "web: ./web\n",
				"app/.env":     "A=dot\nB=dot\n",
				"one.env":      "A=one\nC=$B-$A\n",
				"two.env":      "A=two\nD=${C}\n",
			},
			envFiles: []string{"one.env", "two.env"},
			host:     []string{"A=host"},
			want:     [][]string{{"A=two", "B=dot", "C=dot-one", "D=dot-one", "PORT=5000"}},
		},
		{
			name:  "the base port from the host's PORT, replaced in place",
			files: map[string]string{"app/Procfile": procfile},
			host:  []string{"PORT=4000", "HOME=/h"},
			want:  [][]string{{"PORT=4000", "HOME=/h"}, {"PORT=4100", "HOME=/h"}},
		},
		{
			name:     "the base port from the env files, over the host's",
			files:    map[string]string{"app/Procfile": procfile, "app/.env": "PORT=3000\n", "p.env": "PORT=3500\n"},
			envFiles: []string{"p.env"},
			host:     []string{"PORT=4000"},
			want:     [][]string{{"PORT=3500"}, {"PORT=3600"}},
		},
		{
			name:  "an empty PORT of the host is none",
			files: map[string]string{"app/Procfile": procfile},
			host:  []string{"PORT="},
			want:  [][]string{{"PORT=5000"}, {"PORT=5100"}},
		},
		{
			name:     "BasePort over the env files and the host",
			files:    map[string]string{"app/Procfile": procfile, "app/.env": "PORT=3000\n"},
			basePort: 6000,
			host:     []string{"PORT=4000"},
			want:     [][]string{{"PORT=6000"}, {"PORT=6100"}},
		},
		{
			name: "the YAML env over everything, its PORT for its process only; ports by index in the file",
			files: map[string]string{
				"app/app.yaml": "processes:\n  web:\n    command: ./web\n    env: {PORT: 8080, A: yaml}\n  worker: ./worker\n  cron:\n    command: ./cron\n    env: [A=cron]\n",
				"app/.env":     "A=file\nB=file\n",
			},
			yaml: true,
			host: []string{"A=host"},
			want: [][]string{
				{"A=yaml", "B=file", "PORT=8080"},
				{"A=file", "B=file", "PORT=5100"},
				{"A=cron", "B=file", "PORT=5200"},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			path := filepath.Join(dir, "app", "Procfile")
			if c.yaml {
				path = filepath.Join(dir, "app", "app.yaml")
			}
			procs, err := Load(path, Options{EnvFiles: inDir(dir, c.envFiles), BasePort: c.basePort, Environ: c.host})
			require.NoError(t, err)
			var got [][]string
			for _, p := range procs {
				got = append(got, p.Cmd.Env)
			}
			assert.Equal(t, c.want, got)
		})
	}
}

// TestLoadHostEnvironment: without Environ, the host's environment is
// os.Environ().
func TestLoadHostEnvironment(t *testing.T) {
	t.Setenv("OVERSEER_CONFIG_TEST", "from the host")
	t.Setenv("PORT", "7000")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Procfile": "web: ./web\n", ".env": "X=$OVERSEER_CONFIG_TEST\n"})
	procs, err := Load(filepath.Join(dir, "Procfile"), Options{})
	require.NoError(t, err)
	env := procs[0].Cmd.Env
	assert.Contains(t, env, "OVERSEER_CONFIG_TEST=from the host")
	assert.Contains(t, env, "X=from the host")
	assert.Contains(t, env, "PORT=7000")
	assert.Contains(t, env, "PATH="+os.Getenv("PATH"))
	assert.Len(t, env, len(os.Environ())+1)
}

func TestLoadEnvironmentErrors(t *testing.T) {
	for _, c := range []struct {
		name     string
		files    map[string]string // under a new directory; the file loaded is Procfile
		envFiles []string
		basePort int
		host     []string
		file     string // the file of the *Error, under the directory; "" for an error of another type
		line     int
		key, msg string
	}{
		{
			name:     "an env file that is not there",
			files:    map[string]string{"Procfile": "web: ./web\n"},
			envFiles: []string{"nope.env"},
			msg:      "env file: open ",
		},
		{
			name:  "a bad line in .env",
			files: map[string]string{"Procfile": "web: ./web\n", ".env": "A=1\nB 2\n"},
			file:  ".env", line: 2, msg: `"B 2" is not NAME=value`,
		},
		{
			name:     "a bad line in an env file",
			files:    map[string]string{"Procfile": "web: ./web\n", "x.env": "A=\"open\n"},
			envFiles: []string{"x.env"},
			file:     "x.env", line: 1, key: "A", msg: "never closed",
		},
		{
			name:  "a PORT of an env file that is not a number",
			files: map[string]string{"Procfile": "web: ./web\n", ".env": "PORT=http\n"},
			file:  ".env", line: 1, key: "PORT", msg: `"http" is not a port (1-65535)`,
		},
		{
			name:  "a PORT of an env file out of range",
			files: map[string]string{"Procfile": "web: ./web\n", ".env": "PORT=0\nPORT=70000\n"},
			file:  ".env", line: 2, key: "PORT", msg: `"70000" is not a port`,
		},
		{
			name:  "a PORT of the host that is not a number",
			files: map[string]string{"Procfile": "web: ./web\n"},
			host:  []string{"PORT=eighty"},
			msg:   `PORT "eighty" of the environment is not a port (1-65535)`,
		},
		{
			name:     "a negative BasePort",
			files:    map[string]string{"Procfile": "web: ./web\n"},
			basePort: -1,
			msg:      "base port -1 is not a port (1-65535)",
		},
		{
			name:     "a BasePort out of range",
			files:    map[string]string{"Procfile": "web: ./web\n"},
			basePort: 65536,
			msg:      "base port 65536 is not a port",
		},
		{
			name:     "a process's PORT above 65535",
			files:    map[string]string{"Procfile": "web: ./web\n\nworker: ./worker\n"},
			basePort: 65500,
			file:     "Procfile", line: 3, key: "worker", msg: "PORT 65600 (the base 65500 + 100 × 1) is above 65535",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			host := c.host
			if host == nil {
				host = []string{}
			}
			procs, err := Load(filepath.Join(dir, "Procfile"), Options{EnvFiles: inDir(dir, c.envFiles), BasePort: c.basePort, Environ: host})
			assert.Nil(t, procs)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.msg)
			if c.file == "" {
				var e *Error
				assert.NotErrorAs(t, err, &e)
				return
			}
			e := fileError(t, err)
			assert.Same(t, e, err, "one error only: %v", err)
			assert.Equal(t, filepath.Join(dir, c.file), e.File)
			assert.Equal(t, c.line, e.Line, "%v", e)
			assert.Equal(t, c.key, e.Key, "%v", e)
		})
	}
}

// TestLoadEnvFileMissing: a missing env file is fs.ErrNotExist; the
// directory's .env may be missing, but not be a directory.
func TestLoadEnvFileMissing(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Procfile": "web: ./web\n"})
	path := filepath.Join(dir, "Procfile")
	_, err := Load(path, Options{EnvFiles: []string{filepath.Join(dir, "nope.env")}, Environ: []string{}})
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), filepath.Join(dir, "nope.env"))

	require.NoError(t, os.Mkdir(filepath.Join(dir, ".env"), 0o755))
	_, err = Load(path, Options{Environ: []string{}})
	require.Error(t, err)
	assert.NotErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), ".env")
}

// TestLoadDotenvBesideTheFile: the .env is the file's directory's,
// read relative to it whatever the working directory.
func TestLoadDotenvBesideTheFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"sub/Procfile": "web: ./web\n", "sub/.env": "WHERE=sub\n"})
	t.Chdir(dir)
	procs, err := Load("sub/Procfile", Options{Environ: []string{}})
	require.NoError(t, err)
	assert.Equal(t, []string{"WHERE=sub", "PORT=5000"}, procs[0].Cmd.Env)
}
