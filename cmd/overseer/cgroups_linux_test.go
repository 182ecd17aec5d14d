package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
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
