//go:build unix

package overseer

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// FuzzStateMachine drives an Overseer of four processes with any sequence of
// operations — starts, stops, restarts, signals, supervisions cut short,
// StopAll — against children that sleep, exit at once with 0 or 1, or ignore
// SIGTERM, with backoffs that end at once. Whatever the sequence, every
// change keeps to the transition table (newTestOverseer fails the test on an
// illegal one), each process's events chain (From is the previous To), and
// after StopAll nothing is left running or supervised.
//
//	go test -run '^$' -fuzz FuzzStateMachine -fuzztime 10s .
func FuzzStateMachine(f *testing.F) {
	f.Add([]byte{0, 4, 1, 5, 2, 6, 3, 7})
	f.Add([]byte{8, 9, 10, 11, 12, 16, 20, 24})
	f.Add([]byte{0, 0, 8, 8, 16, 28, 24, 2, 6})
	f.Add([]byte{3, 7, 11, 15, 19, 23, 27, 31})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 16 {
			ops = ops[:16]
		}
		o := newTestOverseer(t)
		useFakeTimer(o, false)
		log := watchEvents(t, o)
		ids := []string{"sleeper", "finisher", "failer", "stubborn"}
		addChild(t, o, "sleeper", "sleep")
		finisher := addChild(t, o, "finisher", "exit:0")
		finisher.Restart, finisher.MaxRestarts = RestartAlways, 2
		addChild(t, o, "failer", "exit:1").MaxRestarts = 1
		addChild(t, o, "stubborn", "ignore:TERM", "sleep").StopTimeout = 20 * time.Millisecond

		for _, op := range ops {
			id := ids[int(op)%len(ids)]
			var err error
			switch op / 4 % 8 {
			case 0:
				err = o.Start(id)
			case 1:
				err = o.Stop(id)
			case 2:
				err = o.Restart(id)
			case 3:
				err = o.Signal(id, syscall.SIGKILL)
			case 4:
				err = o.Signal(id, syscall.SIGTERM)
			case 5:
				ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
				err = o.Supervise(ctx, id)
				cancel()
			case 6:
				o.StopAll()
			case 7:
				_, err = o.Status(id)
			}
			if err != nil && !errors.Is(err, ErrRunning) && !errors.Is(err, os.ErrProcessDone) && op/4%8 != 5 {
				t.Fatalf("op %d on %s: %v", op, id, err)
			}
		}
		o.StopAll()
		log.close()
		for _, id := range ids {
			st, err := o.Status(id)
			if err != nil {
				t.Fatal(err)
			}
			if st.State.active() {
				t.Errorf("%s is %v after StopAll", id, st.State)
			}
			prev := StateInitial
			for _, ev := range log.of(id) {
				if ev.From != prev {
					t.Errorf("%s: event %v>%v after %v", id, ev.From, ev.To, prev)
				}
				prev = ev.To
			}
		}
	})
}
