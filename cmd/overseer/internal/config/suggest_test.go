//go:build unix

package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSuggest: a key within a slip of a known one gets it suggested; any
// other gets the list of known keys, never a far-away guess.
func TestSuggest(t *testing.T) {
	for _, c := range []struct {
		key, want string
	}{
		// Close: one or two edits, a swap counting as one.
		{"restrat", "restart"},  // a swap
		{"restarts", "restart"}, // a letter added
		{"comand", "command"},   // a letter left out
		{"grup", "group"},       // ...
		{"stop_singal", "stop_signal"},
		{"dependson", "depends_on"},
		{"depends-on", "depends_on"},
		{"watch_file", "watch_files"},
		{"max_restart", "max_restarts"},
		{"redy", "ready"},
		{"Command", "command"},
		{"ev", "env"},   // short: one edit
		{"pyt", "pty"},  // short: a swap
		{"dirs", "dir"}, // one edit to a short key
		{"lg", "log"},
		{"gruop", "group"},

		// Far: the list.
		{"restart_policy", ""}, // a word of it is a key, but it is far
		{"depends", ""},        // the first word of depends_on
		{"watch", ""},
		{"policy", ""},
		{"colour", ""},
		{"max", ""}, // the first word of three keys
		{"on", ""},  // two edits from many short keys
		{"id", ""},  // two from dir
		{"environment", ""},
	} {
		got := suggest(c.key, processKeys)
		if c.want == "" {
			assert.Contains(t, got, " (known: command, args, dir", c.key)
			continue
		}
		assert.Equal(t, " (did you mean "+c.want+"?)", got, c.key)
	}
}

func TestClosest(t *testing.T) {
	for _, c := range []struct {
		s     string
		names []string
		want  string
	}{
		{"tpc", readyKeys, "tcp"},
		{"htp", readyKeys, "http"},
		{"mn", backoffKeys, "min"},
		{"mix", backoffKeys, "min"}, // one from min and max: the first
		{"jiter", backoffKeys, "jitter"},
		{"factors", backoffKeys, "factor"},
		{"fact", backoffKeys, "factor"},
		{"mean", backoffKeys, ""},
		{"databse", []string{"web", "database"}, "database"},
		{"db", []string{"web", "database"}, ""},
		{"wbe", []string{"web", "database"}, "web"},
		{"api", []string{"web", "apis", "app"}, "apis"},
		{"anything", nil, ""},
	} {
		assert.Equal(t, c.want, closest(c.s, c.names), "%q in %v", c.s, c.names)
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"restart", "restart", 0},
		{"restrat", "restart", 1},
		{"abcd", "badc", 2},
		{"ca", "abc", 3}, // optimal string alignment: no edit of a swapped pair
		{"kitten", "sitting", 3},
		{"depends", "depends_on", 3},
	} {
		assert.Equal(t, c.want, distance(c.a, c.b), "%q %q", c.a, c.b)
		assert.Equal(t, c.want, distance(c.b, c.a), "%q %q", c.b, c.a)
	}
}
