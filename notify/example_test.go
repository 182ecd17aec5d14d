package notify_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/overseer-go/overseer/notify"
)

// A server that tells its supervisor when it is ready, and shuts down
// gracefully when it is asked to stop or the supervisor is gone.
func Example() {
	ctx, stop := notify.Context(context.Background())
	defer stop()

	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: http.NotFoundHandler()}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		log.Fatal(err)
	}
	shut := make(chan error, 1)
	go func() {
		<-ctx.Done()
		stop() // from now on, a second stop signal kills the process
		_ = notify.Stopping()
		log.Printf("shutting down: %v", context.Cause(ctx))
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shut <- srv.Shutdown(sctx)
	}()

	// Serving starts once the listener is open: the supervisor may send
	// requests as soon as it reads READY=1.
	if err := notify.Ready(); err != nil {
		log.Print(err)
	}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	if err := <-shut; err != nil {
		log.Fatal(err)
	}
}

// Sending WATCHDOG=1 at half the interval the supervisor asks for, until
// ctx is done.
func ExampleWatchdogInterval() {
	ctx, stop := notify.Context(context.Background())
	defer stop()

	interval, ok := notify.WatchdogInterval()
	if !ok {
		return // no watchdog for this process
	}
	tick := time.NewTicker(interval / 2)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := notify.Watchdog(); err != nil {
				log.Print(err)
			}
		case <-ctx.Done():
			return
		}
	}
}

// Telling why the context is done.
func ExampleContext() {
	parent, cancel := context.WithCancel(context.Background())
	ctx, stop := notify.Context(parent)
	defer stop()

	cancel() // in a real program: the supervisor's stop signal, say
	<-ctx.Done()
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, notify.ErrStopSignal):
		fmt.Println("asked to stop")
	case errors.Is(cause, notify.ErrSupervisorGone):
		fmt.Println("supervisor gone")
	default:
		fmt.Println("done:", cause)
	}
	// Output: done: context canceled
}
