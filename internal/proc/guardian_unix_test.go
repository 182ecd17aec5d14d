//go:build unix

package proc

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The guardian's reading of the host's messages: a group is live from "+"
// to "-", a start pending from "?" to "!" or to its "+", and what it
// cannot read changes nothing.
func TestWardApply(t *testing.T) {
	var w ward
	for _, msg := range []string{
		"?t1 pipe:[1] pipe:[2]", "?t2", "?t3",
		"+100 t1", "!t2", "+200", "+300 t9", "-300",
		"", "+", "+x", "+1", "-", "?", "*5", "+-4 t3",
	} {
		w.apply(msg)
	}
	assert.Equal(t, map[int]bool{100: true, 200: true}, w.live)
	assert.Equal(t, map[string][]string{"t3": {}}, w.pending)
}
