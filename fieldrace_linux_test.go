//go:build linux

package overseer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A rolling Upgrade hands the new arguments to the new run: a caller
// reading Args meanwhile sees no temporary value, and a failed Upgrade
// leaves Args as they were.
func TestRollingUpgradeLeavesArgs(t *testing.T) {
	o := newTestOverseer(t)
	web := addChild(t, o, "web", "serve:v1")
	web.Listeners = []string{"tcp://127.0.0.1:0"}
	require.NoError(t, o.Start("web"))
	before := waitState(t, o, "web", StateRunning)
	want := []string{childPath, "serve:v1"}

	errc := make(chan error, 1)
	go func() { errc <- o.Upgrade("web", "/nonexistent/prog") }()
	var err error
	for reads := 0; ; reads++ {
		select {
		case err = <-errc:
		default:
			assert.Equal(t, want, web.Args) // the caller's own read
			continue
		}
		break
	}
	require.ErrorIs(t, err, ErrNotReady)
	assert.Equal(t, want, web.Args)
	after := status(t, o, "web")
	assert.Equal(t, before.PID, after.PID, "the old run goes on")

	// A rolling Upgrade that succeeds: observers see the new command line
	// once the new run has taken over, and Args holds it for later restarts.
	web2 := addChild(t, o, "web2", "serve:v1")
	web2.Listeners = []string{"tcp://127.0.0.1:0"}
	web2.Ready = Notified()
	web2.ReadyTimeout = time.Minute
	require.NoError(t, o.Start("web2"))
	waitState(t, o, "web2", StateRunning)
	ob := observe(t, func() { o.ToJSONAll() })
	require.NoError(t, o.Upgrade("web2", childPath, "serve:v2"))
	ob.end()
	jp, err := o.ToJSON("web2")
	require.NoError(t, err)
	assert.Equal(t, childPath+" serve:v2", jp.Cmd)
	assert.Equal(t, []string{childPath, "serve:v2"}, web2.Args)
}
