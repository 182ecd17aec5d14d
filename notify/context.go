package notify

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
)

// stopSignalEnv is the variable an Overseer gives its children with the
// number of their stop signal. The lifeline's variable is part of the fd
// layout, internal/sockets.Layout.
const stopSignalEnv = "OVERSEER_STOP_SIGNAL"

// ErrSupervisorGone is the cause of a [Context] cancelled because the
// supervisor is gone: its end of the lifeline was closed.
var ErrSupervisorGone = errors.New("notify: supervisor gone")

// ErrStopSignal is the cause of a [Context] cancelled because the process
// received its stop signal.
var ErrStopSignal = errors.New("notify: stop signal received")

// Context returns a copy of parent that is done when the supervisor asks
// the process to stop or goes away, when parent is done, or when the
// returned stop function is called, whichever happens first. It is modelled
// on [signal.NotifyContext]; [context.Cause] tells why it is done:
// [ErrStopSignal] after the stop signal (OVERSEER_STOP_SIGNAL, SIGTERM when
// unset or not a number), [ErrSupervisorGone] at end of file on the lifeline
// (OVERSEER_LIFELINE_FD), the parent's cause after parent, and
// [context.Canceled] after stop.
//
// From the call of Context until stop the stop signal is caught, so it no
// longer kills the process: the program is expected to shut itself down,
// gracefully, once the context is done. The stop function ends the goroutines Context
// started, waits for them, and undoes the signal handling, which restores
// the signal's default action unless something else catches it; calling it
// as soon as the context is done lets a second stop signal kill the process.
// Call stop when the context is no longer needed; it may be called more
// than once.
//
// Without OVERSEER_LIFELINE_FD, or if it does not name an inherited pipe,
// Context watches only the signal. Context works on a duplicate of the
// lifeline's fd and leaves the inherited fd open, so it may be called any
// number of times.
func Context(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, stopSignal())
	lifeline := openLifeline()

	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case <-sig:
			cancel(ErrStopSignal)
		case <-ctx.Done():
		}
		if lifeline != nil {
			_ = lifeline.Close() // ends the read below
		}
	})
	if lifeline != nil {
		wg.Go(func() {
			if waitEOF(lifeline) {
				cancel(ErrSupervisorGone)
			}
		})
	}

	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			cancel(nil)
			wg.Wait()
			signal.Stop(sig)
		})
	}
}

// stopSignal returns the signal the supervisor sends to stop the process.
func stopSignal() syscall.Signal {
	n, err := strconv.Atoi(os.Getenv(stopSignalEnv))
	if err != nil || n <= 0 {
		return syscall.SIGTERM
	}
	return syscall.Signal(n)
}

// waitEOF reads f until end of file, reporting true, or until an error,
// such as f being closed, reporting false. Nothing is written to a
// lifeline, but bytes that come are skipped.
func waitEOF(f *os.File) bool {
	var buf [64]byte
	for {
		_, err := f.Read(buf[:])
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			return false
		}
	}
}
