//go:build unix

package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// loadProjectYAML writes text as app.yaml, with files, in a new directory
// and loads it as a Project.
func loadProjectYAML(t *testing.T, text string, files map[string]string) (*Project, string) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	path := filepath.Join(dir, "app.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	pr, err := LoadFiles([]string{path}, testOptions())
	require.NoError(t, err)
	return pr, dir
}

// envOf returns the value of the variable name in the Env of c.
func envOf(c *overseer.Cmd, name string) string {
	for _, kv := range c.Env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return "<unset>"
}

// names returns the names of procs.
func names(procs []Process) []string {
	var out []string
	for _, p := range procs {
		out = append(out, p.Name)
	}
	return out
}

// Each instance of a process with replicas has its name, number, group,
// OVERSEER_REPLICA, PORT (next to its process's) and its ${REPLICA} and
// ${PORT}; the processes around it keep theirs.
func TestReplicasInstances(t *testing.T) {
	pr, dir := loadProjectYAML(t, `processes:
  db: ./db
  web:
    args: [./web, --id, "${REPLICA}", --port, "${PORT}"]
    env: {SHARD: "shard-${REPLICA}"}
    log: logs/web-${REPLICA}.log
    replicas: 3
  worker: {command: ./worker, replicas: 2, group: back}
  cron: ./cron
`, nil)
	procs, err := pr.Processes(nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"db", "web-1", "web-2", "web-3", "worker-1", "worker-2", "cron"}, names(procs))
	assert.Equal(t, map[string]int{"web": 3, "worker": 2}, pr.Replicas())

	db, cron := procs[0], procs[6]
	assert.Equal(t, "db", db.Template)
	assert.Equal(t, 0, db.Replica)
	assert.Equal(t, "5000", envOf(db.Cmd, "PORT"))
	assert.Equal(t, "<unset>", envOf(db.Cmd, "OVERSEER_REPLICA"))
	assert.Equal(t, "", db.Cmd.Group)
	assert.Equal(t, "5300", envOf(cron.Cmd, "PORT"), "replicas do not move the places of the processes after")

	for r := 1; r <= 3; r++ {
		web := procs[r]
		n := string(rune('0' + r))
		assert.Equal(t, "web", web.Template)
		assert.Equal(t, r, web.Replica)
		assert.Equal(t, "web", web.Cmd.Group, "the group of the instances is their process's name")
		assert.Equal(t, n, envOf(web.Cmd, "OVERSEER_REPLICA"))
		port := "510" + string(rune('0'+r-1))
		assert.Equal(t, port, envOf(web.Cmd, "PORT"))
		assert.Equal(t, []string{"./web", "--id", n, "--port", port}, web.Cmd.Args)
		assert.Equal(t, "shard-"+n, envOf(web.Cmd, "SHARD"))
		assert.Equal(t, filepath.Join(dir, "logs/web-"+n+".log"), web.Log)
		assert.Equal(t, "<unset>", envOf(web.Cmd, "REPLICA"), "REPLICA is the expansion's, not the environment's")
	}
	for r, w := range procs[4:6] {
		assert.Equal(t, "back", w.Cmd.Group, "a group set is kept")
		assert.Equal(t, "520"+string(rune('0'+r)), envOf(w.Cmd, "PORT"))
	}
}

// ${REPLICA} of a process without replicas is a variable as any other:
// an error when set nowhere, unless it has a default.
func TestReplicaVariableWithoutReplicas(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.yaml")
	require.NoError(t, os.WriteFile(path, []byte("processes:\n  web: ./web ${REPLICA}\n"), 0o644))
	_, err := Load(path, testOptions())
	require.Error(t, err)
	e := fileError(t, err)
	assert.Equal(t, 2, e.Line)
	assert.Contains(t, err.Error(), "REPLICA is not set")

	require.NoError(t, os.WriteFile(path, []byte("processes:\n  web: ./web ${REPLICA:-0}\n"), 0o644))
	procs, err := Load(path, testOptions())
	require.NoError(t, err)
	assert.Equal(t, sh("./web 0"), procs[0].Cmd.Args)
}

// A scale counts a process out anew; an instance kept by a scale has the
// same Revision, so that Apply leaves it alone.
func TestReplicasScale(t *testing.T) {
	pr, _ := loadProjectYAML(t, "processes:\n  web: {command: ./web, replicas: 2}\n  db: ./db\n", nil)
	five, err := pr.Processes(map[string]int{"web": 5})
	require.NoError(t, err)
	assert.Equal(t, []string{"web-1", "web-2", "web-3", "web-4", "web-5", "db"}, names(five))
	two, err := pr.Processes(map[string]int{"web": 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"web-1", "web-2", "db"}, names(two))
	for i := range 2 {
		assert.Equal(t, five[i].Cmd.Revision, two[i].Cmd.Revision, "%s", two[i].Name)
		assert.NotSame(t, five[i].Cmd, two[i].Cmd, "a new Cmd each call")
	}
	assert.Equal(t, five[5].Cmd.Revision, two[2].Cmd.Revision, "db")
	assert.NotEqual(t, five[0].Cmd.Revision, five[1].Cmd.Revision, "instances differ (PORT, OVERSEER_REPLICA)")

	none, err := pr.Processes(map[string]int{"web": 0})
	require.NoError(t, err)
	assert.Equal(t, []string{"db"}, names(none))

	assert.Equal(t, map[string]int{"web": 2}, pr.Replicas(), "the file's count, whatever the scale")

	for _, c := range []struct {
		scale map[string]int
		msg   string
	}{
		{map[string]int{"db": 2}, "db has no replicas"},
		{map[string]int{"wbe": 2}, `no process "wbe"`},
		{map[string]int{"web": -1}, "web=-1"},
		{map[string]int{"web": 101}, "web.replicas: 101 instances would take the ports of the next process"},
	} {
		_, err := pr.Processes(c.scale)
		require.Error(t, err, "%v", c.scale)
		assert.Contains(t, err.Error(), c.msg)
	}
}

// replicas: 0 keeps the process in the file, with no instance.
func TestReplicasZero(t *testing.T) {
	pr, _ := loadProjectYAML(t, "processes:\n  web: {command: ./web, replicas: 0}\n  db: ./db\n", nil)
	procs, err := pr.Processes(nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"db"}, names(procs))
	assert.Equal(t, "5100", envOf(procs[0].Cmd, "PORT"), "web keeps its place")
	assert.Equal(t, map[string]int{"web": 0}, pr.Replicas())
	procs, err = pr.Processes(map[string]int{"web": 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"web-1", "db"}, names(procs))
}

// A bad replicas, an instance named as another process, and one whose
// PORT would be another's are errors at the file's line.
func TestReplicasErrors(t *testing.T) {
	for _, c := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"negative", "processes:\n  web:\n    command: ./web\n    replicas: -1\n", 4, "web.replicas: -1: want a number of instances"},
		{"not a number", "processes:\n  web:\n    command: ./web\n    replicas: two\n", 4, "web.replicas: want a whole number"},
		{"a name taken", "processes:\n  web-2: ./other\n  web:\n    command: ./web\n    replicas: 3\n", 5, "instance web-2 has the name of the process web-2 (line 2)"},
		{"compose's scale", "processes:\n  web:\n    command: ./web\n    scale: 3\n", 4, "web.scale: unknown key (did you mean replicas?)"},
		{"a slip", "processes:\n  web:\n    command: ./web\n    replica: 3\n", 4, "web.replica: unknown key (did you mean replicas?)"},
		{"over 100", "processes:\n  web:\n    command: ./web\n    replicas: 101\n", 4, "101 instances would take the ports of the next process"},
		{"an error per instance, told once", "processes:\n  web:\n    command: ./web ${NOPE}\n    replicas: 3\n", 3, "web.command: ${NOPE}: NOPE is not set"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.yaml")
			require.NoError(t, os.WriteFile(path, []byte(c.in), 0o644))
			_, err := LoadFiles([]string{path}, testOptions())
			require.Error(t, err)
			e := fileError(t, err)
			assert.Same(t, e, err, "one error: %v", err)
			assert.Equal(t, path, e.File)
			assert.Equal(t, c.line, e.Line, "%v", err)
			assert.Contains(t, err.Error(), c.msg)
		})
	}
}

// More than 100 instances are fine for a process that sets its own PORT.
func TestReplicasOwnPort(t *testing.T) {
	pr, _ := loadProjectYAML(t, `processes:
  web: {command: ./web, replicas: 150, env: {PORT: "${REPLICA}0"}}
`, nil)
	procs, err := pr.Processes(nil)
	require.NoError(t, err)
	require.Len(t, procs, 150)
	assert.Equal(t, "1490", envOf(procs[148].Cmd, "PORT"))
}

// depends_on a process with replicas is on each of its instances; each
// instance depends on what its process depends on.
func TestReplicasDependsOn(t *testing.T) {
	pr, _ := loadProjectYAML(t, `processes:
  db: ./db
  web:
    command: ./web
    replicas: 2
    depends_on: {db: ready}
  proxy:
    command: ./proxy
    depends_on: {web: {condition: healthy, restart: true}, db: started}
`, nil)
	procs, err := pr.Processes(nil)
	require.NoError(t, err)
	require.Equal(t, []string{"db", "web-1", "web-2", "proxy"}, names(procs))
	for _, web := range procs[1:3] {
		assert.Equal(t, []overseer.Dependency{{ID: "db", Condition: overseer.ConditionReady}}, web.Cmd.DependsOn)
	}
	assert.Equal(t, []overseer.Dependency{
		{ID: "web-1", Condition: overseer.ConditionHealthy, Restart: true},
		{ID: "web-2", Condition: overseer.ConditionHealthy, Restart: true},
		{ID: "db", Condition: overseer.ConditionStarted},
	}, procs[3].Cmd.DependsOn)

	procs, err = pr.Processes(map[string]int{"web": 3})
	require.NoError(t, err)
	assert.Len(t, procs[4].Cmd.DependsOn, 4, "a scale changes the instances depended on")

	// Select takes the name of the file: all instances, and what they
	// depend on.
	procs, err = pr.Processes(nil)
	require.NoError(t, err)
	sel, err := Select("app.yaml", procs, []string{"web"})
	require.NoError(t, err)
	assert.Equal(t, []string{"db", "web-1", "web-2"}, names(sel))
	sel, err = Select("app.yaml", procs, []string{"proxy"})
	require.NoError(t, err)
	assert.Equal(t, []string{"db", "web-1", "web-2", "proxy"}, names(sel))
	sel, err = Select("app.yaml", procs, []string{"web-2"})
	require.NoError(t, err)
	assert.Equal(t, []string{"db", "web-2"}, names(sel))
	_, err = Select("app.yaml", procs, []string{"wbe"})
	assert.ErrorContains(t, err, `no process "wbe" in app.yaml (did you mean web?)`)
}

// Processes reads no file: not the file, not its env files, not .env.
func TestProcessesReadsNoFile(t *testing.T) {
	pr, dir := loadProjectYAML(t, `env_file: top.env
processes:
  web:
    command: ./web $${GREETING}
    env_file: web.env
    env: {URL: "http://localhost:${PORT}/${NAME}"}
    replicas: 2
`, map[string]string{
		".env":    "FROM_DOTENV=1\n",
		"top.env": "FROM_TOP=1\n",
		"web.env": "NAME=web-${OVERSEER_REPLICA}\n",
	})
	before, err := pr.Processes(nil)
	require.NoError(t, err)
	require.NoError(t, os.RemoveAll(dir))
	after, err := pr.Processes(map[string]int{"web": 3})
	require.NoError(t, err)
	require.Len(t, after, 3)
	for i, p := range after {
		if i < 2 {
			assert.Equal(t, before[i].Cmd.Env, p.Cmd.Env)
			assert.Equal(t, before[i].Cmd.Revision, p.Cmd.Revision)
		}
		assert.Equal(t, "1", envOf(p.Cmd, "FROM_DOTENV"))
		assert.Equal(t, "1", envOf(p.Cmd, "FROM_TOP"))
		n := string(rune('1' + i))
		assert.Equal(t, "web-"+n, envOf(p.Cmd, "NAME"), "the env file read again with the instance's variables")
		assert.Equal(t, "http://localhost:500"+string(rune('0'+i))+"/web-"+n, envOf(p.Cmd, "URL"))
	}
}

// A Procfile, and a YAML file without replicas, load as before: Name is
// Template, Replica 0.
func TestNoReplicas(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Procfile")
	require.NoError(t, os.WriteFile(path, []byte("web: ./web\nworker: ./worker\n"), 0o644))
	pr, err := LoadFiles([]string{path}, testOptions())
	require.NoError(t, err)
	procs, err := pr.Processes(nil)
	require.NoError(t, err)
	require.Len(t, procs, 2)
	for _, p := range procs {
		assert.Equal(t, p.Name, p.Template)
		assert.Zero(t, p.Replica)
		assert.NotEmpty(t, p.Cmd.Revision)
	}
	assert.Empty(t, pr.Replicas())
	_, err = pr.Processes(map[string]int{"web": 2})
	assert.ErrorContains(t, err, "web has no replicas")
	assert.True(t, slices.Equal([]string{"web", "worker"}, names(procs)))
}

// Processes may be called from several goroutines at once: it changes
// nothing of the Project (the race detector watches).
func TestProcessesConcurrent(t *testing.T) {
	pr, _ := loadProjectYAML(t, `processes:
  web:
    command: ./web ${PORT}
    env_file: web.env
    ready: {command: ./check}
    replicas: 2
`, map[string]string{"web.env": "A=${OVERSEER_REPLICA}\n"})
	want, err := pr.Processes(nil)
	require.NoError(t, err)
	results := make(chan []Process)
	for n := range 4 {
		go func() {
			procs, err := pr.Processes(map[string]int{"web": 2 + n%2})
			assert.NoError(t, err)
			results <- procs
		}()
	}
	for range 4 {
		procs := <-results
		require.GreaterOrEqual(t, len(procs), 2)
		for i := range 2 {
			assert.Equal(t, want[i].Cmd.Revision, procs[i].Cmd.Revision)
			assert.Equal(t, want[i].File, procs[i].File)
		}
	}
}
