package overseer

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blockedStart registers n processes (not started) and starts the first,
// whose exec blocks until release is called: it returns once the start
// hangs, holding the Cmd's lock as a hung exec (a Dir on a dead mount)
// does. The start's error comes on errc.
func blockedStart(tb testing.TB, o *Overseer, n int) (c *Cmd, release func(), errc <-chan error) {
	tb.Helper()
	for i := range n {
		if _, err := o.Add(fmt.Sprintf("p%04d", i), childPath, "sleep"); err != nil {
			tb.Fatal(err)
		}
	}
	c, err := o.Cmd("p0000")
	if err != nil {
		tb.Fatal(err)
	}
	entered, unblock := make(chan struct{}), make(chan struct{})
	c.beforeExec = func() { close(entered); <-unblock }
	ch := make(chan error, 1)
	go func() { ch <- o.Start("p0000") }()
	<-entered
	return c, func() { close(unblock) }, ch
}

// Observers answer while a start hangs in exec: they read the snapshot the
// Cmd published when it became starting, and take no lock the start holds.
// On code where they take the Cmd's lock, they hang here until release.
func TestObserversDoNotWaitOnAStart(t *testing.T) {
	o := newTestOverseer(t)
	c, release, errc := blockedStart(t, o, 1000)
	released := false
	defer func() {
		if !released {
			release()
		}
	}()

	all := o.ToJSONAll()
	require.Len(t, all, 1000)
	assert.Equal(t, StateStarting, all[0].State)
	assert.Equal(t, StateInitial, all[1].State)
	assert.Equal(t, StateStarting, c.Status().State)
	st, err := o.Status("p0000")
	require.NoError(t, err)
	assert.Equal(t, StateStarting, st.State)
	jp, err := o.ToJSON("p0000")
	require.NoError(t, err)
	assert.Equal(t, StateStarting, jp.State)
	assert.Len(t, o.ListAll(), 1000)
	assert.True(t, o.HasProc("p0999"))
	assert.Equal(t, []string{childPath}, c.WatchedFiles())

	release()
	released = true
	require.NoError(t, recvErr(t, errc, "Start"))
	waitState(t, o, "p0000", StateRunning)
}

// BenchmarkToJSONAll is the baseline of BenchmarkToJSONAllWhileStartBlocked:
// 1,000 registered processes, none starting.
func BenchmarkToJSONAll(b *testing.B) {
	o := NewOverseer()
	for i := range 1000 {
		if _, err := o.Add(fmt.Sprintf("p%04d", i), childPath, "sleep"); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if len(o.ToJSONAll()) != 1000 {
			b.Fatal("not 1000")
		}
	}
}

// BenchmarkToJSONAllRunning is ToJSONAll over 1,000 running processes (100
// with -short), as a dashboard polls them.
func BenchmarkToJSONAllRunning(b *testing.B) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	o := NewOverseer()
	defer o.StopAll()
	for i := range n {
		id := fmt.Sprintf("p%04d", i)
		if _, err := o.Add(id, childPath, "sleep"); err != nil {
			b.Fatal(err)
		}
		if err := o.Start(id); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if len(o.ToJSONAll()) != n {
			b.Fatalf("not %d", n)
		}
	}
	b.StopTimer()
}

// BenchmarkToJSONAllWhileStartBlocked is ToJSONAll over 1,000 processes
// while the exec of one of them hangs.
func BenchmarkToJSONAllWhileStartBlocked(b *testing.B) {
	o := NewOverseer()
	_, release, errc := blockedStart(b, o, 1000)
	b.ResetTimer()
	for b.Loop() {
		if all := o.ToJSONAll(); len(all) != 1000 || all[0].State != StateStarting {
			b.Fatal("not 1000, or p0000 not starting")
		}
	}
	b.StopTimer()
	release()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	o.StopAll()
}
