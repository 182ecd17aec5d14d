//go:build linux

package overseer

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/overseer-go/overseer/internal/proc"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// newUsageOverseer is newTestOverseer with options.
func newUsageOverseer(t *testing.T, opts ...Option) *Overseer {
	t.Helper()
	o := NewOverseer(opts...)
	o.onIllegal = func(from, to State) {
		t.Errorf("illegal transition %v -> %v", from, to)
	}
	t.Cleanup(func() { o.StopAll() })
	return o
}

// firstSampleAfter waits for a sample of process id taken after t0, and
// returns the first one.
func firstSampleAfter(t *testing.T, o *Overseer, id string, t0 time.Time) Usage {
	t.Helper()
	var found Usage
	eventually(t, func() bool {
		h, err := o.UsageHistory(id)
		require.NoError(t, err)
		for _, u := range h {
			if u.Time.After(t0) {
				found = u
				return true
			}
		}
		return false
	}, "no sample of %s after %v", id, t0)
	return found
}

// A child that allocates and touches 200 MiB shows it in the first sample
// taken after it says so, in Status, JSON and the history; a reading on
// demand counts its descriptors too.
func TestUsageMemory(t *testing.T) {
	o := newUsageOverseer(t, WithUsageInterval(50*time.Millisecond))
	c := addChild(t, o, "mem", "alloc:200", "sleep")
	require.NoError(t, o.Start("mem"))
	waitLine(t, c, "allocated:200")
	u := firstSampleAfter(t, o, "mem", time.Now())
	const want = 190 << 20
	assert.GreaterOrEqual(t, u.Memory, uint64(want), "the first sample after the allocation: %+v", u)
	assert.Equal(t, 1, u.Tasks)
	assert.GreaterOrEqual(t, u.Threads, 1)
	assert.Equal(t, -1, u.FDs, "samples do not count descriptors")

	st := status(t, o, "mem")
	assert.GreaterOrEqual(t, st.Usage.Memory, uint64(want), "Status.Usage: %+v", st.Usage)
	assert.False(t, st.Usage.Time.Before(u.Time), "Status.Usage is the last sample")
	jp, err := o.ToJSON("mem")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, jp.Usage.MemoryBytes, uint64(want))
	assert.False(t, jp.Usage.Time.IsZero())
	assert.Equal(t, -1, jp.Usage.FDs)

	now, err := o.Usage("mem")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, now.Memory, uint64(want))
	assert.GreaterOrEqual(t, now.FDs, 3, "stdin, stdout, stderr at least")
	assert.Equal(t, 1, now.Tasks)

	require.NoError(t, o.Stop("mem"))
	assert.Zero(t, status(t, o, "mem").Usage, "no Usage at rest")
	_, err = o.Usage("mem")
	assert.ErrorIs(t, err, os.ErrProcessDone)
	h, err := o.UsageHistory("mem")
	require.NoError(t, err)
	assert.Nil(t, h, "no history at rest")
	_, err = o.Usage("nobody")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = o.UsageHistory("nobody")
	assert.ErrorIs(t, err, ErrNotFound)
}

// A child spinning on one core shows about 100% in its samples: at least
// 80 in one of them, and never more than all the cores give (with some
// slack: the CPU counts in hundredths of a second).
func TestUsageCPU(t *testing.T) {
	o := newUsageOverseer(t, WithUsageInterval(100*time.Millisecond))
	addChild(t, o, "spin", "spin")
	require.NoError(t, o.Start("spin"))
	var h []Usage
	eventually(t, func() bool {
		var err error
		h, err = o.UsageHistory("spin")
		require.NoError(t, err)
		for _, u := range h {
			if u.CPUPercent >= 80 && len(h) >= 5 {
				return true
			}
		}
		return false
	}, "no sample of the spinning child at 80%% or more, among 5 at least: %v", testbuild.Later(func() string { return cpuPercents(h) }))
	ceiling := float64(100*runtime.NumCPU() + 25)
	for i, u := range h {
		assert.LessOrEqual(t, u.CPUPercent, ceiling, "sample %d: %s", i, cpuPercents(h))
		if i > 0 {
			assert.GreaterOrEqual(t, u.CPU, h[i-1].CPU, "the CPU of one process only grows")
		}
	}
}

// cpuPercents lists the CPUPercent of samples, for a failure message.
func cpuPercents(h []Usage) string {
	var b strings.Builder
	for _, u := range h {
		fmt.Fprintf(&b, " %.0f", u.CPUPercent)
	}
	return b.String()
}

// The history grows with every sample, keeps the last 120, oldest first,
// and starts over with each run.
func TestUsageHistory(t *testing.T) {
	o := newUsageOverseer(t, WithUsageInterval(2*time.Millisecond))
	addChild(t, o, "h", "sleep")
	require.NoError(t, o.Start("h"))
	var h []Usage
	eventually(t, func() bool {
		var err error
		h, err = o.UsageHistory("h")
		require.NoError(t, err)
		return len(h) >= 2
	}, "no second sample")
	eventually(t, func() bool {
		h, _ = o.UsageHistory("h")
		return len(h) == usageHistoryLen
	}, "the history did not reach %d samples: %d", usageHistoryLen, testbuild.Later(func() string { return fmt.Sprint(len(h)) }))
	oldest := h[0].Time
	eventually(t, func() bool {
		h, _ = o.UsageHistory("h")
		require.LessOrEqual(t, len(h), usageHistoryLen)
		return h[0].Time.After(oldest)
	}, "the oldest sample was not dropped")
	for i := 1; i < len(h); i++ {
		require.True(t, h[i].Time.After(h[i-1].Time), "sample %d is not after sample %d", i, i-1)
	}

	require.NoError(t, o.Restart("h"))
	start := status(t, o, "h").StartTime
	h, err := o.UsageHistory("h")
	require.NoError(t, err)
	for _, u := range h {
		assert.False(t, u.Time.Before(start), "a sample of the former run is kept: %v before %v", u.Time, start)
	}
}

// A child growing past its MemoryLimit is stopped after two samples above
// it, and counts as a failed run: restarted, then, with no restart left,
// fatal. The reason is in the Event and in Status.Error, where
// errors.Is finds ErrMemoryLimit.
func TestMemoryLimitRestarts(t *testing.T) {
	o := newUsageOverseer(t, WithUsageInterval(20*time.Millisecond))
	useFakeTimer(o, false)
	log := watchEvents(t, o)
	c := addChild(t, o, "mem", "alloc:8", "sleepms:100", "alloc:64", "sleep")
	c.MemoryLimit = 32 << 20
	c.MaxRestarts = 1
	errc := goSupervise(context.Background(), o, "mem")
	require.ErrorIs(t, recvErr(t, errc, "Supervise"), ErrMemoryLimit, "it ends fatal: Supervise returns why")

	st := status(t, o, "mem")
	require.Equal(t, StateFatal, st.State, "%+v", st)
	assert.Equal(t, 1, st.Restarts)
	require.ErrorIs(t, st.Error, ErrMemoryLimit)
	var mle *MemoryLimitError
	require.ErrorAs(t, st.Error, &mle)
	assert.Equal(t, "mem", mle.Name)
	assert.Equal(t, int64(32<<20), mle.Limit)
	assert.Greater(t, mle.Memory, uint64(32<<20))
	assert.Contains(t, st.Error.Error(), "overseer: mem: memory ")
	assert.Contains(t, st.Error.Error(), " above its limit 32 MiB (two samples in a row)")

	log.close()
	assert.Equal(t, []string{
		"initial>starting", "starting>running", "running>stopping", "stopping>backoff",
		"backoff>starting", "starting>running", "running>stopping", "stopping>fatal",
	}, log.transitions("mem"))
	for _, ev := range log.of("mem") {
		if ev.To == StateBackoff || ev.To == StateFatal {
			assert.Contains(t, ev.Error, "above its limit 32 MiB (two samples in a row)", "%+v", ev)
		}
	}
}

// A run below its MemoryLimit goes on, sample after sample.
func TestMemoryLimitNotReached(t *testing.T) {
	o := newUsageOverseer(t, WithUsageInterval(10*time.Millisecond))
	c := addChild(t, o, "small", "alloc:8", "sleep")
	c.MemoryLimit = 256 << 20
	require.NoError(t, o.Start("small"))
	waitLine(t, c, "allocated:8")
	firstSampleAfter(t, o, "small", time.Now())
	eventually(t, func() bool {
		h, err := o.UsageHistory("small")
		require.NoError(t, err)
		return len(h) >= 10
	}, "fewer than 10 samples")
	st := status(t, o, "small")
	assert.Equal(t, StateRunning, st.State)
	assert.NoError(t, st.Error)
}

// With sampling off, Status.Usage stays zero and the history empty, no
// goroutine samples, a reading on demand still works, and a MemoryLimit
// is still checked on samples of its own (every 5 s; shortened here).
func TestUsageOff(t *testing.T) {
	o := newUsageOverseer(t, WithUsageInterval(0))
	o.usage.limitInterval = 20 * time.Millisecond
	addChild(t, o, "idle", "sleep")
	require.NoError(t, o.Start("idle"))
	o.usage.mu.Lock()
	loop := o.usage.loop
	o.usage.mu.Unlock()
	assert.Nil(t, loop, "a goroutine samples with sampling off, and no MemoryLimit")
	u, err := o.Usage("idle")
	require.NoError(t, err)
	assert.Equal(t, 1, u.Tasks)

	log := watchEvents(t, o)
	c := addChild(t, o, "mem", "alloc:64", "sleep")
	c.MemoryLimit = 32 << 20
	c.Restart = RestartNever
	require.NoError(t, o.Start("mem"))
	log.waitCount(t, "mem", StateFatal, 1)
	st := status(t, o, "mem")
	assert.ErrorIs(t, st.Error, ErrMemoryLimit)

	for _, id := range []string{"idle", "mem"} {
		st := status(t, o, id)
		assert.Zero(t, st.Usage, "%s: Status.Usage with sampling off", id)
		h, err := o.UsageHistory(id)
		require.NoError(t, err)
		assert.Nil(t, h, "%s: the history with sampling off", id)
	}
	jp, err := o.ToJSON("idle")
	require.NoError(t, err)
	assert.Zero(t, jp.Usage)
}

// The sampler's goroutine goes while runs do: once they have ended, none
// is left, under an Overseer and for a Cmd outside one.
func TestUsageSamplerEnds(t *testing.T) {
	o := newUsageOverseer(t, WithUsageInterval(5*time.Millisecond))
	for _, id := range []string{"a", "b", "c"} {
		addChild(t, o, id, "sleep")
		require.NoError(t, o.Start(id))
	}
	for _, id := range []string{"a", "b", "c"} {
		firstSampleAfter(t, o, id, time.Time{})
	}
	require.NoError(t, o.Stop("a"))
	firstSampleAfter(t, o, "b", time.Now()) // still sampling the others
	o.StopAll()
	o.usage.mu.Lock()
	assert.Nil(t, o.usage.loop)
	assert.Empty(t, o.usage.runs)
	o.usage.mu.Unlock()

	c, _ := newChild(t, "sleep")
	c.ownUsage = new(sampler)
	c.ownUsage.init(5*time.Millisecond, nil)
	require.NoError(t, c.Start())
	eventually(t, func() bool { return !c.Status().Usage.Time.IsZero() }, "no sample of a Cmd outside an Overseer")
	assert.NotEmpty(t, c.UsageHistory())
	u, err := c.Usage()
	require.NoError(t, err)
	assert.Equal(t, 1, u.Tasks)
	c.Stop()
	assert.Nil(t, c.ownUsage.loop)
	_, err = c.Usage()
	assert.ErrorIs(t, err, os.ErrProcessDone)

	goleak.VerifyNone(t, ignoreGuardian)
}

// A negative MemoryLimit is refused at the start.
func TestMemoryLimitInvalid(t *testing.T) {
	c, _ := newChild(t, "sleep")
	c.MemoryLimit = -1
	err := c.Start()
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "MemoryLimit")
}

// Two samples in a row above the limit fail the check, not two apart.
func TestMemoryCheckInARow(t *testing.T) {
	var m memoryCheck
	var got []bool
	for _, mem := range []uint64{150, 50, 150, 100, 150, 150, 150} {
		got = append(got, m.overLimit(mem, 100))
	}
	assert.Equal(t, []bool{false, false, false, false, false, true, true}, got)
}

func TestMemoryLimitError(t *testing.T) {
	err := error(&MemoryLimitError{Name: "web", Memory: 212<<20 + 300<<10, Limit: 200 << 20})
	assert.Equal(t, "overseer: web: memory 212.3 MiB above its limit 200 MiB (two samples in a row)", err.Error())
	assert.ErrorIs(t, fmt.Errorf("wrapped: %w", err), ErrMemoryLimit)
}

// The history keeps the last 120 samples, oldest first, in a ring that
// grows to 120 and no further.
func TestUsageRing(t *testing.T) {
	var u runUsage
	t0 := time.Unix(1_000_000, 0)
	for i := range 300 {
		u.record(Usage{Time: t0.Add(time.Duration(i) * time.Second), CPU: time.Duration(i), Memory: uint64(i), Tasks: 1, Threads: 2, CPUPercent: 50, FDs: -1})
		h := u.history()
		require.Len(t, h, min(i+1, usageHistoryLen))
		assert.LessOrEqual(t, cap(u.ring), usageHistoryLen)
		first := max(0, i+1-usageHistoryLen)
		for j, s := range h {
			require.Equal(t, Usage{Time: t0.Add(time.Duration(first+j) * time.Second), CPU: time.Duration(first + j),
				Memory: uint64(first + j), Tasks: 1, Threads: 2, CPUPercent: 50, FDs: -1}, s, "sample %d after %d", j, i+1)
		}
	}
	assert.Equal(t, Usage{Time: t0.Add(299 * time.Second), CPU: 299, Memory: 299, Tasks: 1, Threads: 2, CPUPercent: 50, FDs: -1}, u.last)
}

// CPUPercent is over the time since the last sample, or since the start.
func TestUsageCPUPercent(t *testing.T) {
	var u runUsage
	start := time.Unix(1_000_000, 0)
	first := u.reading(procUsage(500*time.Millisecond, start.Add(time.Second)), start)
	assert.InDelta(t, 50, first.CPUPercent, 1e-9)
	u.record(first)
	second := u.reading(procUsage(2500*time.Millisecond, start.Add(2*time.Second)), start)
	assert.InDelta(t, 200, second.CPUPercent, 1e-9)
	u.record(second)
	less := u.reading(procUsage(time.Second, start.Add(3*time.Second)), start)
	assert.Zero(t, less.CPUPercent, "a member gone with its CPU: no negative figure")
}

// procUsage is a reading of cpu alone, at at.
func procUsage(cpu time.Duration, at time.Time) proc.Usage {
	return proc.Usage{Time: at, CPU: cpu, FDs: -1}
}

// A sample counts every process of the run's group, and their threads:
// the leader and the copies it started.
func TestUsageWholeGroup(t *testing.T) {
	o := newUsageOverseer(t, WithUsageInterval(10*time.Millisecond))
	c := addChild(t, o, "tree", "spawn:2", "out:spawned", "sleep")
	require.NoError(t, o.Start("tree"))
	waitLine(t, c, "spawned")
	u := firstSampleAfter(t, o, "tree", time.Now())
	assert.Equal(t, 3, u.Tasks, "%+v", u)
	assert.GreaterOrEqual(t, u.Threads, 3)
	now, err := o.Usage("tree")
	require.NoError(t, err)
	assert.Equal(t, 3, now.Tasks)
	assert.GreaterOrEqual(t, now.FDs, 9, "three processes with stdin, stdout and stderr each")
}
