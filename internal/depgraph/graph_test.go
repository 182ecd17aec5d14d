package depgraph

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// testGraph has a cycle a>b>c>a (with c also depending on itself), an
// unknown id x, d depending on itself only, e depending on the cycle, and a
// second cycle f>g>f.
func testGraph() Graph {
	return Graph{"a": {"b", "x"}, "b": {"c"}, "c": {"a", "c"}, "d": {"d"}, "e": {"a"}, "f": {"g"}, "g": {"f"}}
}

func TestIDs(t *testing.T) {
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f", "g"}, testGraph().IDs())
	assert.Empty(t, Graph{}.IDs())
}

func TestCycles(t *testing.T) {
	var cycles []string
	for _, c := range testGraph().Cycles() {
		cycles = append(cycles, strings.Join(c, ">"))
	}
	assert.Equal(t, []string{"a>b>c>a", "f>g>f"}, cycles)
	assert.Empty(t, Graph{"a": {"b"}, "b": {"c"}, "c": nil, "d": {"a", "c"}}.Cycles(), "a diamond is no cycle")
}

func TestCycleThrough(t *testing.T) {
	g := testGraph()
	assert.Equal(t, []string{"b", "c", "a", "b"}, g.CycleThrough("b"))
	assert.Nil(t, g.CycleThrough("e"))
	assert.Nil(t, g.CycleThrough("d"), "an id depending on itself is the caller's to report")
	assert.Nil(t, g.CycleThrough("x"), "an unknown id")
}

func TestComponents(t *testing.T) {
	comp := testGraph().Components()
	assert.Len(t, comp, 7)
	assert.Equal(t, comp["a"], comp["b"])
	assert.Equal(t, comp["a"], comp["c"])
	assert.Equal(t, comp["f"], comp["g"])
	assert.NotEqual(t, comp["a"], comp["e"])
	assert.NotEqual(t, comp["a"], comp["f"])
	assert.NotEqual(t, comp["d"], comp["e"])
}

func TestStopOrder(t *testing.T) {
	// a depends on b, b on c and an unknown id; d and c depend on each
	// other, and e on both a and c.
	g := Graph{"a": {"b"}, "b": {"c", "unknown"}, "c": {"d"}, "d": {"c"}, "e": {"c", "a"}, "z": nil}
	assert.Equal(t, map[string][]string{
		"b": {"a"},
		"c": {"b", "e"},
		"a": {"e"},
	}, g.StopOrder())
	assert.Empty(t, Graph{"a": {"a"}}.StopOrder(), "an id depending on itself waits for nothing")
}
