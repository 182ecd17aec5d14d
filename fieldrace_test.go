package overseer

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The field contract (see Cmd): a caller may write the exported fields of
// a Cmd at rest while observers run, since no background goroutine reads
// them. Under -race these tests fail on code where an observer reads a
// field (json.go read Group, WatchedFiles read Args and WatchFiles,
// SuperviseAll read every DependsOn, a rolling Upgrade wrote Args).

// observer runs look in a goroutine, over and over, as a dashboard or
// metrics scrape does, until stop is closed or it has run max times. After
// each pass it offers a token on passes, so that a writer can wait for
// passes that began after its write: the token goes from the observer to
// the writer only, so it orders nothing the writer did before the observer.
type observer struct {
	passes chan struct{}
	stop   chan struct{}
	done   chan struct{}
}

func observe(t *testing.T, look func()) *observer {
	t.Helper()
	ob := &observer{passes: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(ob.done)
		for range 1_000_000 {
			select {
			case <-ob.stop:
				return
			default:
			}
			look()
			select {
			case ob.passes <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(ob.end)
	return ob
}

// after waits until a whole pass of the observer has run since the call,
// or until the observer has ended.
func (ob *observer) after() {
	for range 2 { // the first may have begun before the call
		select {
		case <-ob.passes:
		case <-ob.done:
			return
		}
	}
}

func (ob *observer) end() {
	select {
	case <-ob.stop:
	default:
		close(ob.stop)
	}
	<-ob.done
}

// The program: ToJSONAll in a loop, then Add and a Group written,
// as Add's doc invites.
func TestGroupWrittenWhileObserved(t *testing.T) {
	o := newTestOverseer(t)
	ob := observe(t, func() {
		o.ToJSONAll()
		o.ListGroup("g")
		o.ListAll()
	})
	for i := range 10 {
		c, err := o.Add(fmt.Sprintf("a%d", i), childPath, "exit:0")
		require.NoError(t, err)
		c.Group = "g"
		c.Dir = t.TempDir()
		c.Args = append(c.Args, "more")
		ob.after()
	}
	ob.end()

	// Observers show the fields as registered until the next start.
	assert.Empty(t, o.ListGroup("g"))
	jp, err := o.ToJSON("a0")
	require.NoError(t, err)
	assert.Equal(t, childPath+" exit:0", jp.Cmd)
	assert.Empty(t, jp.Group)

	// From the start on, they show what runs.
	require.NoError(t, o.Supervise(context.Background(), "a0"))
	jp, err = o.ToJSON("a0")
	require.NoError(t, err)
	assert.Equal(t, "g", jp.Group)
	assert.Equal(t, childPath+" exit:0 more", jp.Cmd)
	assert.Equal(t, []string{"a0"}, o.ListGroup("g"))
}

// WatchedFiles, as package watch calls it from its own goroutine, while the
// caller sets WatchFiles and Args.
func TestWatchFilesWrittenWhileObserved(t *testing.T) {
	o := newTestOverseer(t)
	var cs []*Cmd
	ob := observe(t, func() {
		for _, c := range o.cmds() {
			c.WatchedFiles()
		}
	})
	for i := range 10 {
		c, err := o.Add(fmt.Sprintf("w%d", i), childPath, "exit:0")
		require.NoError(t, err)
		c.WatchFiles = []string{"/etc/hostname"}
		c.Args = []string{childPath, "exit:1"}
		cs = append(cs, c)
		ob.after()
	}
	ob.end()

	assert.Equal(t, []string{childPath}, cs[0].WatchedFiles(), "as registered, until the next start")
	require.NoError(t, cs[0].Start())
	wait(t, cs[0])
	assert.Equal(t, []string{childPath, "/etc/hostname"}, cs[0].WatchedFiles())
}

// A caller configures a process at rest (ended, so SuperviseAll does not
// run it again) while SuperviseAll checks the DependsOn of processes added
// late against every registered one.
func TestDependsOnWrittenWhileSupervised(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "anchor", "sleep")
	x := addChild(t, o, "x", "exit:0")
	x.Restart = RestartNever
	ctx, cancel := context.WithCancel(context.Background())
	errc := goSuperviseAll(ctx, o)
	t.Cleanup(func() {
		cancel()
		recvErr(t, errc, "SuperviseAll")
	})
	waitState(t, o, "anchor", StateRunning)
	waitState(t, o, "x", StateFinished)

	// The adder registers processes, each configured before AddCmd, that
	// wait for anchor to complete: SuperviseAll checks each against the
	// whole registry.
	added := make(chan struct{})
	go func() {
		defer close(added)
		for i := range 10 {
			c := NewCmd(childPath, "sleep")
			c.DependsOn = []Dependency{{ID: "anchor", Condition: ConditionCompleted}}
			id := fmt.Sprintf("late%d", i)
			if err := o.AddCmd(id, c); err != nil {
				t.Error(err)
				return
			}
			eventually(t, func() bool { st, _ := o.Status(id); return st.StatusText != "" }, "%s is not waiting", id)
		}
	}()
	deps := [][]Dependency{{{ID: "anchor"}}, nil}
	for i := 0; ; i++ {
		select {
		case <-added:
		default:
			x.DependsOn = deps[i%2] // x is at rest: the caller's to change
			continue
		}
		break
	}
	x.DependsOn = []Dependency{{ID: "late0"}}
	// What SuperviseAll found of x is what it had when SuperviseAll began.
	assert.Empty(t, x.dependsOn())
	assert.True(t, slices.Equal(o.ListAll(), []string{"anchor", "late0", "late1", "late2", "late3", "late4", "late5", "late6", "late7", "late8", "late9", "x"}))
}
