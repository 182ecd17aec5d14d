//go:build unix

package config

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replicas merge as any key: a later file sets or changes them; a
// disabled process keeps the place of its ports and has no replicas to
// scale; relative paths follow the file that sets them, for each instance.
func TestReplicasOfSeveralFiles(t *testing.T) {
	dir := tempFiles(t, map[string]string{
		"base.yaml": `processes:
  db: ./db
  web: {command: ./web, log: "logs/web-${REPLICA}.log"}
  old: {command: ./old, replicas: 2}
  worker: ./worker
`,
		"over/override.yaml": `processes:
  web: {replicas: 2, dir: app}
  old: {disabled: true}
  worker:
    replicas: 3
    env_file: w.env
`,
		"over/w.env": "QUEUE=q-${OVERSEER_REPLICA}\n",
		"logs/.keep": "",
	})
	pr, procs, err := loadFiles(t, dir, "base.yaml", "over/override.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"db", "web-1", "web-2", "worker-1", "worker-2", "worker-3"}, names(procs))
	assert.Equal(t, map[string]int{"web": 2, "worker": 3}, pr.Replicas())

	web2 := procs[2]
	assert.Equal(t, filepath.Join(dir, "over/app"), web2.Cmd.Dir, "dir from the file that sets it")
	assert.Equal(t, filepath.Join(dir, "logs/web-2.log"), web2.Log, "log from the file that sets it")
	assert.Equal(t, "5101", envOf(web2.Cmd, "PORT"))
	assert.Equal(t, "5301", envOf(procs[4].Cmd, "PORT"), "old, disabled, keeps its place")
	assert.Equal(t, "q-3", envOf(procs[5].Cmd, "QUEUE"), "the env file of the override, per instance")
	assert.Equal(t, filepath.Join(dir, "over/override.yaml"), procs[5].File)

	_, err = pr.Processes(map[string]int{"old": 1})
	assert.ErrorContains(t, err, "scale: old is disabled")
}

// An error of replicas names the file and line that set them, not the
// later file that names the process too, and the other process where it is.
func TestReplicasErrorOfALaterFile(t *testing.T) {
	dir := tempFiles(t, map[string]string{
		"base.yaml":     "processes:\n  web-2: ./other\n  web:\n    command: ./web\n    replicas: 3\n",
		"override.yaml": "processes:\n  db: ./db\n  web:\n    env: {A: \"1\"}\n",
	})
	_, _, err := loadFiles(t, dir, "base.yaml", "override.yaml")
	require.Error(t, err)
	e := fileError(t, err)
	assert.Same(t, e, err, "one error: %v", err)
	assert.Equal(t, filepath.Join(dir, "base.yaml"), e.File)
	assert.Equal(t, 5, e.Line)
	assert.Contains(t, err.Error(), "instance web-2 has the name of the process web-2 ("+filepath.Join(dir, "base.yaml")+":2)")
}
