// Package notify is the child's side of an Overseer: a Go program run by
// one tells it when it is ready, what it is doing and that it is alive, and
// learns when it is asked to stop or when the supervisor is gone.
//
// It speaks systemd's protocols, so the same program works under systemd
// (Type=notify, WatchdogSec=) as under an Overseer, and it reads what the
// supervisor puts in the environment:
//
//   - NOTIFY_SOCKET: the unix datagram socket [Send] and the functions built
//     on it write to ("@" starts a name in Linux's abstract namespace). When
//     it is unset no one listens, and every send returns nil.
//   - WATCHDOG_USEC, WATCHDOG_PID: how often to call [Watchdog]; see
//     [WatchdogInterval].
//   - OVERSEER_STOP_SIGNAL: the number of the signal that asks the process
//     to stop (SIGTERM when unset), which [Context] catches.
//   - OVERSEER_LIFELINE_FD: an inherited pipe that reaches end of file when
//     the supervisor is gone, which [Context] watches.
//
// The package imports only the standard library (and the module's
// internal/sockets, which says which fd is which and imports only the
// standard library too) and keeps no state; it catches a signal only from
// a call of [Context] until its stop function.
//
// A server that says when it is ready and shuts down gracefully when it is
// told to (the package's Example has it in full):
//
//	ctx, stop := notify.Context(context.Background())
//	defer stop()
//	go func() {
//		<-ctx.Done()
//		stop() // a second stop signal kills the process again
//		notify.Stopping()
//		srv.Shutdown(context.Background())
//	}()
//	ln, err := net.Listen("tcp", srv.Addr)
//	if err != nil {
//		log.Fatal(err)
//	}
//	notify.Ready()
//	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
//		log.Fatal(err)
//	}
package notify
