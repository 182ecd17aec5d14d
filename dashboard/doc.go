// Package dashboard serves a web dashboard for an overseer.Overseer: a JSON
// API, a stream of Server-Sent Events and one page that shows the processes
// and follows their output live.
//
//	ovr := overseer.NewOverseer()
//	// ... Add processes ...
//	dash := dashboard.New(ovr, dashboard.WithLoopbackOnly())
//	defer dash.Close()
//	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: dash}
//	go srv.ListenAndServe()
//	err := ovr.SuperviseAll(ctx)
//
// # The JSON API
//
//	GET  /api/processes                   every process (overseer.JSONProcess), sorted by id
//	GET  /api/processes/{id}              one process
//	GET  /api/processes/{id}/logs         the lines the process keeps: {"id": ..., "lines": [...]}
//	                                      ?since=SEQ only the lines after Seq SEQ (default 0: all)
//	                                      ?limit=N   only the newest N of them
//	POST /api/processes/{id}/start        Overseer.Start
//	POST /api/processes/{id}/stop         Overseer.Stop
//	POST /api/processes/{id}/restart      Overseer.Restart
//	POST /api/processes/{id}/signal       Overseer.Signal, the signal named by the JSON body
//	                                      {"signal": "TERM"} or the form value signal=TERM
//	GET  /api/events                      the event stream (below)
//	GET  /                                the page
//
// A line is {"id", "stream", "seq", "time", "text", "partial"}: the fields
// of overseer.Line, stream as "stdout" or "stderr". Text that is not UTF-8
// has its invalid bytes replaced by U+FFFD, as encoding/json does.
//
// The four POST requests answer once the Overseer call has returned, with
// 200 and the process as it is then: a stop waits until the process has
// ended (up to its StopTimeout and a little more), a restart until the old
// run has ended (the new one starts right after). Meanwhile the event
// stream shows the process stopping. Stopping a process that does not run is not an
// error. A signal is named, with or without "SIG", in any case (TERM, SIGHUP,
// usr1); numbers are refused, since they differ between systems.
//
// Errors are JSON, {"error": "..."}, with these status codes: 400 for a bad
// signal, since or limit, or a request the Overseer refuses as invalid
// (overseer.ErrInvalid); 403 for a mutating request without the token, or
// any request whose Host is not a loopback name under WithLoopbackOnly;
// 404 for an unknown process (overseer.ErrNotFound) or path; 405 for a
// method a path does not take (the Allow header lists those it takes); 409
// for a process that runs when it must not (overseer.ErrRunning) or that
// does not run when a signal is sent to it (os.ErrProcessDone); 503 for the
// event stream of a closed Handler.
//
// # Security
//
// Reading (GET) needs no token. Every POST needs the Handler's token (see Token and WithToken) in the
// header X-Overseer-Token; without it the answer is 403 and nothing
// changes. A web page of another site can send a POST to the dashboard but
// cannot set that header without the dashboard's consent, which it never
// gives (there are no CORS headers). No command is ever built from a
// request: the API only starts, stops and signals processes registered by
// the host program.
//
// With WithLoopbackOnly, for a dashboard that listens on a loopback
// address, a request whose Host header is not localhost, an address in
// 127.0.0.0/8 or ::1 (with or without a port) gets 403: a site whose name
// an attacker has pointed at 127.0.0.1 (DNS rebinding) cannot read the
// dashboard. Only then does the page carry the token in a meta tag, so that
// its buttons work. Without WithLoopbackOnly the page gets no token: it
// reads one from its URL's fragment, as in http://host:8080/#token=TOKEN,
// and is read-only without it. The fragment never reaches the server.
//
// # The event stream
//
// GET /api/events is a stream of Server-Sent Events, read by the page with
// an EventSource. Its events are
//
//	snapshot  {"processes": [...]}                 every process, as GET /api/processes
//	state     {"id", "from", "to", "time", "pid", "exitCode", "error", "restarts",
//	           "process": {...}}                   an overseer.Event, with the process as it is after it
//	lines     {"lines": [...]}                     lines of any processes, in Seq order for each
//
// A new stream starts with a snapshot. Every state and lines event has an
// id, "TAG-N", where N comes from one counter of the Handler and TAG tells
// the Handler apart from another one (a restarted host). One goroutine of
// the Handler reads the Overseer's Watch and WatchLogs subscriptions and
// appends the events to a bounded replay buffer (WithReplay); lines are
// gathered for up to 25 ms (at most 2,000 of them, or 256 KiB of text) into
// one lines event, and a change of state is put after the lines read
// before it and before those read after it. Each stream
// writes from the buffer, so a slow client holds up no one else. A client
// that reconnects with a Last-Event-ID the buffer still follows gets what
// it missed, without duplicates; one whose id is older than the buffer, of
// another Handler, or malformed gets a snapshot instead, and so does a
// client that falls so far behind that the buffer has moved past it. A
// snapshot's id is that of the last event it covers. A comment line is
// sent every 15 seconds on a quiet stream so that dead clients are found.
//
// Lines are not in snapshots: a client that needs the output of a process
// fetches GET /api/processes/{id}/logs and then keeps the lines of greater
// Seq from the stream. A process added to the Overseer, or removed from
// it, shows in the stream at its next change of state, or in the next
// snapshot.
//
// # The page
//
// GET / serves one page, embedded in the binary (no build step, no CDN): a
// table of the processes and a pane with the output of the selected one.
// It uses relative URLs, so the Handler can be mounted under a prefix with
// http.StripPrefix. Its log pane keeps the newest 2,000 lines, joins the
// Partial pieces of long lines, converts ANSI colour sequences (SGR) to
// styles and drops the other escape sequences and control characters.
//
// # Goroutines
//
// New starts one goroutine and two subscriptions of the Overseer; Close
// ends them, ends every event stream and waits for their handlers to
// return. The Handler logs nothing unless given a logger (WithLogger).
package dashboard
