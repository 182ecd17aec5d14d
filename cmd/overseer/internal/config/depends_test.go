//go:build unix

package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDependsOnCycles: processes that depend on each other in a cycle are
// an error at an entry of the cycle, naming it, from the process of the
// cycle first in the file.
func TestDependsOnCycles(t *testing.T) {
	cases := []parseError{
		{
			"two, as lists",
			"processes:|  a:|    command: x|    depends_on: [b]|  b:|    command: x|    depends_on: [a]",
			4, "a.depends_on[0]", "a cycle of depends_on: a -> b -> a (each would wait for the next for ever)",
		},
		{
			"two, as mappings, whatever the conditions",
			"processes:|  a:|    command: x|    depends_on:|      b: completed|  b:|    command: x|    depends_on: {a: ready}",
			5, "a.depends_on.b", "a cycle of depends_on: a -> b -> a",
		},
		{
			"three",
			"processes:|  a: {command: x, depends_on: [b]}|  b: {command: x, depends_on: [c]}|  c: {command: x, depends_on: [a]}",
			2, "a.depends_on[0]", "a -> b -> c -> a",
		},
		{
			"three, defined in another order: from the first in the file",
			"processes:|  c: {command: x, depends_on: [a]}|  b: {command: x, depends_on: [c]}|  a: {command: x, depends_on: [b]}",
			2, "c.depends_on[0]", "c -> a -> b -> c",
		},
		{
			"a cycle among processes a first one depends on",
			"processes:|  web: {command: x, depends_on: [db]}|  db: {command: x, depends_on: [cache]}|  cache: {command: x, depends_on: [db]}",
			3, "db.depends_on[0]", "db -> cache -> db",
		},
		{
			"the shortest cycle through the first",
			"processes:|  a: {command: x, depends_on: [b]}|  b: {command: x, depends_on: [c, a]}|  c: {command: x, depends_on: [a]}",
			2, "a.depends_on[0]", "a -> b -> a",
		},
		{
			"the entry that leads round, not the first",
			"processes:|  a:|    command: x|    depends_on:|      - free|      - b|  b: {command: x, depends_on: [a]}|  free: x",
			6, "a.depends_on[1]", "a -> b -> a",
		},
		{
			"through a merged anchor: the anchor's line",
			"x-dep: &dep {depends_on: [b]}|processes:|  a: {<<: *dep, command: x}|  b: {command: x, depends_on: [a]}",
			1, "a.depends_on[0]", "a -> b -> a",
		},
	}
	for i := range cases {
		cases[i].in = strings.ReplaceAll(cases[i].in, "|", "\n") + "\n"
	}
	testParseErrors(t, "f.yaml", cases)
}

// TestDependsOnCyclesEach: each group of processes in a cycle is told
// once, in file order.
func TestDependsOnCyclesEach(t *testing.T) {
	in := `processes:
  a: {command: x, depends_on: [b]}
  b: {command: x, depends_on: [a, c]}
  c: {command: x, depends_on: [b]}
  d: {command: x, depends_on: [e, a]}
  e: {command: x, depends_on: [d]}
`
	_, err := Parse("f.yaml", []byte(in), true)
	require.Error(t, err)
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "%v", err)
	var got []string
	for _, err := range joined.Unwrap() {
		got = append(got, err.Error())
	}
	assert.Equal(t, []string{
		"f.yaml:2: a.depends_on[0]: a cycle of depends_on: a -> b -> a (each would wait for the next for ever)",
		"f.yaml:5: d.depends_on[0]: a cycle of depends_on: d -> e -> d (each would wait for the next for ever)",
	}, got)
}

// TestDependsOnNoCycle: dependencies that meet without going round load.
func TestDependsOnNoCycle(t *testing.T) {
	for _, in := range []string{
		"processes:|  a: {command: x, depends_on: [b, c]}|  b: {command: x, depends_on: [d]}|  c: {command: x, depends_on: [d]}|  d: x",
		"processes:|  d: x|  c: {command: x, depends_on: [d]}|  b: {command: x, depends_on: {c: ready, d: completed}}|  a: {command: x, depends_on: [b, c, d]}",
	} {
		_, err := Parse("f.yaml", []byte(strings.ReplaceAll(in, "|", "\n")+"\n"), true)
		assert.NoError(t, err, in)
	}
}

// TestDependsOnCycleAndUnknown: an unknown name is told, and a cycle among
// the others too.
func TestDependsOnCycleAndUnknown(t *testing.T) {
	in := "processes:\n  a: {command: x, depends_on: [nope, b]}\n  b: {command: x, depends_on: [a]}\n"
	_, err := Parse("f.yaml", []byte(in), true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "f.yaml:2: a.depends_on[0]: no process nope in the file")
	assert.Contains(t, err.Error(), "f.yaml:2: a.depends_on[1]: a cycle of depends_on: a -> b -> a")
}
