//go:build unix

package overseer

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allStates = []State{
	StateInitial,
	StateStarting,
	StateRunning,
	StateStopping,
	StateBackoff,
	StateFinished,
	StateInterrupted,
	StateFatal,
}

func TestStateString(t *testing.T) {
	tests := []struct {
		state State
		want  string
	}{
		{StateInitial, "initial"},
		{StateStarting, "starting"},
		{StateRunning, "running"},
		{StateStopping, "stopping"},
		{StateBackoff, "backoff"},
		{StateFinished, "finished"},
		{StateInterrupted, "interrupted"},
		{StateFatal, "fatal"},
		{State(8), "State(8)"},
		{State(255), "State(255)"},
	}
	require.Len(t, tests, len(allStates)+2, "every state is listed")
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.state.String())
		assert.Equal(t, tt.want, fmt.Sprint(tt.state), "fmt uses String")
	}
	var zero State
	assert.Equal(t, StateInitial, zero, "the zero value is StateInitial")
}

func TestStateText(t *testing.T) {
	for _, s := range allStates {
		t.Run(s.String(), func(t *testing.T) {
			text, err := s.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, s.String(), string(text))

			got := State(200)
			require.NoError(t, got.UnmarshalText(text))
			assert.Equal(t, s, got)
		})
	}
}

func TestStateTextErrors(t *testing.T) {
	for _, s := range []State{8, 9, 255} {
		text, err := s.MarshalText()
		assert.ErrorIs(t, err, ErrInvalid, "MarshalText(%d)", uint8(s))
		assert.Nil(t, text)
	}
	for _, text := range []string{"", "Running", "RUNNING", "run", "running ", "State(8)", "stopped", "0"} {
		s := StateFatal
		err := s.UnmarshalText([]byte(text))
		require.Error(t, err, "UnmarshalText(%q)", text)
		assert.True(t, errors.Is(err, ErrInvalid), "UnmarshalText(%q): %v does not wrap ErrInvalid", text, err)
		assert.Equal(t, StateFatal, s, "UnmarshalText(%q) changed the state on error", text)
	}
}

// documentedTransitions is the table in State's doc comment, one pair per
// (from, to) it allows.
var documentedTransitions = []struct{ from, to State }{
	// initial, finished, interrupted, fatal -> starting: Start / Restart
	{StateInitial, StateStarting},
	{StateFinished, StateStarting},
	{StateInterrupted, StateStarting},
	{StateFatal, StateStarting},
	// starting -> running: exec succeeded
	{StateStarting, StateRunning},
	// starting -> backoff: exec failed, a restart is allowed
	{StateStarting, StateBackoff},
	// starting -> fatal: exec failed, no restart left
	{StateStarting, StateFatal},
	// running -> finished, interrupted: an exit the policy does not restart
	{StateRunning, StateFinished},
	{StateRunning, StateInterrupted},
	// running -> backoff: an exit the policy restarts, a restart left
	{StateRunning, StateBackoff},
	// running -> fatal: a failure with no restart left
	{StateRunning, StateFatal},
	// backoff -> starting: the delay is over
	{StateBackoff, StateStarting},
	// starting, running -> stopping: Stop / StopAll / ctx
	{StateStarting, StateStopping},
	{StateRunning, StateStopping},
	// backoff -> interrupted: Stop / StopAll / ctx
	{StateBackoff, StateInterrupted},
	// stopping -> interrupted: the process group is gone
	{StateStopping, StateInterrupted},
	// initial -> fatal: a process it depends on failed
	{StateInitial, StateFatal},
	// starting -> finished, interrupted: the run ended before it was ready
	// (backoff and fatal are listed above)
	{StateStarting, StateFinished},
	{StateStarting, StateInterrupted},
	// running -> running: a rolling restart's new run is ready
	{StateRunning, StateRunning},
	// stopping -> backoff, fatal: gone, not ready (or STOPPING=1 under
	// RestartAlways)
	{StateStopping, StateBackoff},
	{StateStopping, StateFatal},
	// stopping -> finished: gone after STOPPING=1
	{StateStopping, StateFinished},
}

func TestStateTransitions(t *testing.T) {
	allowed := make(map[[2]State]bool)
	for _, tr := range documentedTransitions {
		key := [2]State{tr.from, tr.to}
		require.False(t, allowed[key], "%v -> %v listed twice", tr.from, tr.to)
		allowed[key] = true
	}
	require.Len(t, allowed, 23)

	for _, from := range allStates {
		for _, to := range allStates {
			want := allowed[[2]State{from, to}]
			assert.Equal(t, want, canTransition(from, to), "canTransition(%v, %v)", from, to)
		}
	}
}

func TestStateTransitionsOutOfRange(t *testing.T) {
	for _, s := range allStates {
		for _, bad := range []State{8, 15, 16, 200, 255} {
			assert.False(t, canTransition(s, bad), "canTransition(%v, %v)", s, bad)
			assert.False(t, canTransition(bad, s), "canTransition(%v, %v)", bad, s)
		}
	}
}

func TestStateIsFinalAndActive(t *testing.T) {
	tests := []struct {
		state  State
		final  bool
		active bool
	}{
		{StateInitial, false, false},
		{StateStarting, false, true},
		{StateRunning, false, true},
		{StateStopping, false, true},
		{StateBackoff, false, true},
		{StateFinished, true, false},
		{StateInterrupted, true, false},
		{StateFatal, true, false},
		{State(8), false, false},
	}
	require.Len(t, tests, len(allStates)+1, "every state is listed")
	for _, tt := range tests {
		assert.Equal(t, tt.final, tt.state.IsFinal(), "%v.IsFinal()", tt.state)
		assert.Equal(t, tt.active, tt.state.active(), "%v.active()", tt.state)
	}
}

func TestRestartPolicyText(t *testing.T) {
	tests := []struct {
		policy RestartPolicy
		name   string
	}{
		{RestartNever, "never"},
		{RestartOnFailure, "on-failure"},
		{RestartAlways, "always"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.name, tt.policy.String())
			text, err := tt.policy.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.name, string(text))

			got := RestartPolicy(100)
			require.NoError(t, got.UnmarshalText(text))
			assert.Equal(t, tt.policy, got)
		})
	}
	var zero RestartPolicy
	assert.Equal(t, RestartOnFailure, zero, "the zero value is RestartOnFailure, the default")
}

func TestRestartPolicyTextErrors(t *testing.T) {
	for _, p := range []RestartPolicy{3, 4, 255} {
		assert.Equal(t, fmt.Sprintf("RestartPolicy(%d)", uint8(p)), p.String())
		text, err := p.MarshalText()
		assert.ErrorIs(t, err, ErrInvalid, "MarshalText(%d)", uint8(p))
		assert.Nil(t, text)
	}
	for _, text := range []string{"", "Never", "on_failure", "onfailure", "always ", "RestartPolicy(3)", "1"} {
		p := RestartAlways
		err := p.UnmarshalText([]byte(text))
		assert.ErrorIs(t, err, ErrInvalid, "UnmarshalText(%q)", text)
		assert.Equal(t, RestartAlways, p, "UnmarshalText(%q) changed the policy on error", text)
	}
}

func TestStreamText(t *testing.T) {
	tests := []struct {
		stream Stream
		name   string
	}{
		{StreamStdout, "stdout"},
		{StreamStderr, "stderr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.name, tt.stream.String())
			text, err := tt.stream.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.name, string(text))

			var got Stream
			require.NoError(t, got.UnmarshalText(text))
			assert.Equal(t, tt.stream, got)
		})
	}
}

func TestStreamTextErrors(t *testing.T) {
	// The zero Stream is not a stream.
	for _, s := range []Stream{0, 3, 255} {
		assert.Equal(t, fmt.Sprintf("Stream(%d)", uint8(s)), s.String())
		text, err := s.MarshalText()
		assert.ErrorIs(t, err, ErrInvalid, "MarshalText(%d)", uint8(s))
		assert.Nil(t, text)
	}
	for _, text := range []string{"", "Stdout", "STDERR", "out", "stdin", "stdout\n", "1"} {
		s := StreamStderr
		err := s.UnmarshalText([]byte(text))
		assert.ErrorIs(t, err, ErrInvalid, "UnmarshalText(%q)", text)
		assert.Equal(t, StreamStderr, s, "UnmarshalText(%q) changed the stream on error", text)
	}
}

func TestConditionText(t *testing.T) {
	for _, c := range []Condition{ConditionStarted, ConditionReady, ConditionCompleted, ConditionHealthy} {
		text, err := c.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, c.String(), string(text))
		got := Condition(100)
		require.NoError(t, got.UnmarshalText(text))
		assert.Equal(t, c, got)
	}
	assert.Equal(t, "Condition(4)", Condition(4).String())
	_, err := Condition(4).MarshalText()
	assert.ErrorIs(t, err, ErrInvalid)
	for _, text := range []string{"", "Ready", "done", "1"} {
		c := ConditionCompleted
		err := c.UnmarshalText([]byte(text))
		assert.ErrorIs(t, err, ErrInvalid, "UnmarshalText(%q)", text)
		assert.Equal(t, ConditionCompleted, c, "UnmarshalText(%q) changed the condition on error", text)
	}
}
