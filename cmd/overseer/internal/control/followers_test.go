//go:build linux

package control

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// Clients following logs have their own places: with as many as are
// allowed, and one more refused, stop and status still get through.
func TestFollowersDoNotStarveRequests(t *testing.T) {
	o := newOverseer(t)
	path := socketDir(t) + "/c.sock"
	start(t, &Server{Path: path}, o)

	var clients []*Client
	ended := make(chan error, defaultMaxFollowers)
	following := make(chan struct{}, defaultMaxFollowers)
	defer func() {
		for _, c := range clients {
			_ = c.Close() // ends its Logs, waited for below
		}
		for range clients {
			select {
			case <-ended:
			case <-time.After(10 * time.Second):
				t.Fatal("a follower did not end")
			}
		}
	}()
	for range defaultMaxFollowers {
		c, err := Dial(path)
		require.NoError(t, err)
		clients = append(clients, c)
		go func() {
			first := true
			ended <- c.Logs(context.Background(), Request{ID: "web", Follow: true}, eachLine(func(overseer.Line) error {
				if first { // the kept line "hello": it follows
					first = false
					following <- struct{}{}
				}
				return nil
			}))
		}()
	}
	for i := range defaultMaxFollowers {
		select {
		case <-following:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d followers of %d follow", i, defaultMaxFollowers)
		}
	}

	c, err := Dial(path)
	require.NoError(t, err)
	err = c.Logs(context.Background(), Request{ID: "web", Follow: true}, eachLine(func(overseer.Line) error { return nil }))
	_ = c.Close()
	var remote *RemoteError
	require.ErrorAs(t, err, &remote)
	assert.Equal(t, fmt.Sprintf(`overseer: control: too many clients following logs (%d): end one ("logs -f") and try again`, defaultMaxFollowers), remote.Msg)

	resp, err := Do(path, Request{Op: OpStatus})
	require.NoError(t, err)
	require.Len(t, resp.Processes, 1)
	resp, err = Do(path, Request{Op: OpStop, ID: "web"})
	require.NoError(t, err)
	assert.Equal(t, overseer.StateInterrupted, resp.Process.State)
	// Logs without -f is a request, not a follower.
	c, err = Dial(path)
	require.NoError(t, err)
	require.NoError(t, c.Logs(context.Background(), Request{ID: "web"}, eachLine(func(overseer.Line) error { return nil })))
	_ = c.Close()
}
