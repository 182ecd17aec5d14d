package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// ownCgroup is the cgroup2 line of this process's /proc/self/cgroup.
func ownCgroup(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/cgroup")
	require.NoError(t, err)
	for line := range strings.Lines(string(data)) {
		if strings.HasPrefix(line, "0::") {
			return strings.TrimSpace(line)
		}
	}
	t.Skip("this host has no cgroup2 hierarchy")
	return ""
}

// -cgroups reaches the Overseer of every mode that runs processes: by
// default (auto) each run starts in a control group of its own, under
// overseer.PID; with off, in the command's own.
func TestCgroupsFlag(t *testing.T) {
	if _, err := overseer.NewOverseer().Cgroup(); err != nil {
		t.Skipf("this host cannot make control groups: %v", err)
	}
	own := ownCgroup(t)
	show := "grep ^0:: /proc/self/cgroup"
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte("web: "+show+"\n"), 0o644))

	code, stdout, stderr := runIn(t, dir, "-http", "")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `web \| 0::/(.*/)?overseer\.\d+/\d+-web\n`, stdout)

	code, stdout, stderr = runIn(t, dir, "-http", "", "-cgroups", "off")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "web | "+own+"\n")

	code, _, stderr = runIn(t, dir, "-http", "", "-cgroups", "sometimes")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `invalid value "sometimes" for flag -cgroups`)

	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{nil, `^0::/(.*/)?overseer\.\d+/\d+-sh\n$`},
		{[]string{"-cgroups", "off"}, "^" + regexp.QuoteMeta(own) + "\n$"},
	} {
		var out, errOut bytes.Buffer
		args := append(append([]string{"run"}, tc.flags...), "--", "/bin/sh", "-c", show)
		require.Equal(t, 0, run(args, &out, &errOut), errOut.String())
		assert.Regexp(t, tc.want, out.String(), "overseer run %v", tc.flags)
	}
}

// cpu_quota and tasks_max reach the run's control group where the host
// hands down their controllers; where it does not (as on a hybrid host,
// where cpu and pids are v1 hierarchies), the command says so once, naming
// the process and the controller, and exits 1: never a silent no-op.
func TestKeyCPUQuotaTasksMax(t *testing.T) {
	dir, err := overseer.NewOverseer().Cgroup()
	if err != nil {
		t.Skipf("this host cannot make control groups: %v", err)
	}
	t.Parallel()
	handed, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	require.NoError(t, err)
	for _, tc := range []struct{ key, controller, file, want string }{
		{"cpu_quota: 50%", "cpu", "cpu.max", "50000 100000"},
		{"tasks_max: 10", "pids", "pids.max", "10"},
	} {
		file := writeFile(t, "overseer.yaml", `processes:
  p:
    command: 'cat "$(grep -m1 " - cgroup2 " /proc/self/mountinfo | cut -d" " -f5)$(cut -d: -f3 /proc/self/cgroup | tail -1)/`+tc.file+`"'
    restart: never
    `+tc.key+`
`)
		code, stdout, stderr := runBin(t, "-f", file, "-http", "")
		if !slices.Contains(strings.Fields(string(handed)), tc.controller) {
			assert.Equal(t, 1, code, "%s: stdout: %s\nstderr: %s", tc.key, stdout, stderr)
			assert.Contains(t, stderr, "p: ")
			assert.Contains(t, stderr, "needs the "+tc.controller+" controller")
			assert.NotContains(t, stdout, "p * running", "the process never starts")
			continue
		}
		require.Equal(t, 0, code, "%s: stdout: %s\nstderr: %s", tc.key, stdout, stderr)
		assert.Contains(t, stdout, "p | "+tc.want+"\n")
	}
}

// memory_limit reaches the run: without the memory controller (as here),
// a run above it in two samples in a row is stopped as a failure, with
// the reason; with it, the kernel kills the run. Either way the command
// names the process and the limit, and exits 1. (tail keeps its last
// line, 200 MB of zeros with no newline, in memory.)
func TestKeyMemoryLimit(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "overseer.yaml", `processes:
  p:
    command: '{ head -c 200000000 /dev/zero; sleep 1000; } | tail -n 1'
    memory_limit: 50MiB
    max_restarts: 0
    stop_timeout: 1s
`)
	code, stdout, stderr := runBin(t, "-f", file, "-http", "")
	assert.Equal(t, 1, code, "stdout: %s\nstderr: %s", stdout, stderr)
	assert.Contains(t, stderr, "p: ")
	assert.Regexp(t, `above its limit 50 MiB|out of memory \(limit 50 MiB\)`, stderr)
}
