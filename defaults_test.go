package overseer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Cmd built by hand runs as NewCmd's does: the zero value of every field
// is that field's default, the restart policy, its limit and the backoff's
// jitter included.
func TestZeroValueIsDefault(t *testing.T) {
	byHand, err := (&Cmd{Args: []string{childPath, "exit:1"}}).config()
	require.NoError(t, err)
	made, err := NewCmd(childPath, "exit:1").config()
	require.NoError(t, err)
	assert.Equal(t, made, byHand)
	assert.Equal(t, RestartOnFailure, byHand.restart)
	assert.Equal(t, defaultMaxRestarts, byHand.maxRestarts)
	assert.False(t, byHand.backoff.NoJitter, "jitter is the default")

	var zero RestartPolicy
	assert.Equal(t, RestartOnFailure, zero, "the zero value is the default policy")
}

// MaxRestarts: zero is the default, negative no limit, NoRestarts none.
func TestMaxRestartsValues(t *testing.T) {
	for _, tt := range []struct{ field, limit int }{
		{0, defaultMaxRestarts},
		{1, 1},
		{7, 7},
		{-1, -1},
		{-5, -1},
		{NoRestarts, 0},
	} {
		c := &Cmd{Args: []string{childPath}, MaxRestarts: tt.field}
		cfg, err := c.config()
		require.NoError(t, err)
		assert.Equal(t, tt.limit, cfg.maxRestarts, "MaxRestarts %d", tt.field)
	}
}
