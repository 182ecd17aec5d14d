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
//	GET  /api/processes/{id}/logs.txt     the same lines as a text file to save (Content-Disposition:
//	                                      attachment; filename="ID.log"), one line of output a line,
//	                                      the Partial pieces of a line joined
//	GET  /api/logs                        the lines every process keeps, in the order they were
//	                                      read: {"lines": [...]}; ?limit=N only the newest N
//	GET  /api/processes/{id}/usage        the samples of the process's Usage kept (Overseer.UsageHistory:
//	                                      its run in progress), oldest first: {"id": ..., "samples": [...]},
//	                                      each an overseer.JSONUsage; ?since=TIME only those taken after
//	                                      TIME (RFC 3339)
//	GET  /api/usage                       the same of every process that has samples, by id:
//	                                      {"time": ..., "processes": {"web": [...]}}, time the server's
//	                                      clock; ?since=TIME as above
//	POST /api/processes/{id}/start        Overseer.Start
//	POST /api/processes/{id}/stop         Overseer.Stop
//	POST /api/processes/{id}/restart      Overseer.Restart
//	POST /api/processes/{id}/signal       Overseer.Forward, the signal named by the JSON body
//	                                      {"signal": "TERM"} or the form value signal=TERM
//	GET  /api/events                      the event stream (below)
//	GET  /                                the page
//
// A line is {"id", "stream", "seq", "pid", "time", "text", "partial"}: the
// fields of overseer.Line, stream as "stdout" or "stderr", pid that of the
// run that wrote it. Text that is not UTF-8 has its invalid bytes replaced
// by U+FFFD, as encoding/json does, and the line has a field "bytes" with
// its exact bytes in base64, as overseer.Line.MarshalJSON writes it (and
// UnmarshalJSON reads it back). In GET /api/logs the lines of each
// process keep their Seq order; its two streams are read apart, so a line
// may come a little after one of another process read just before it.
//
// The four POST requests answer once the Overseer call has returned, with
// 200 and the process as it is then: a stop waits until the process has
// ended (up to its StopTimeout and a little more), a restart until the new
// run is ready (running), or fails with the reason it is not (an error
// wrapping overseer.ErrNotReady). Meanwhile the event stream shows the
// process stopping and starting. Stopping a process that does not run is
// not an error. A signal is named, with or without "SIG", in any case
// (TERM, SIGHUP, usr1); numbers are refused, since they differ between
// systems.
//
// A signal is passed on as a supervisor passes on one it was sent
// (Overseer.Forward): a signal that ends, suspends or resumes a process
// (TERM, INT, QUIT, KILL, ABRT, STOP, TSTP, CONT, TTIN, TTOU), and the
// process's own StopSignal, reach its whole process group; every other one
// (HUP, USR1, USR2, WINCH, ALRM...), which programs take as "reload",
// "reopen your logs" or "resize", reaches its main process alone: the one
// it named with MAINPID= (see overseer.Cmd.Notify), else the first one. So
// a HUP makes a server reload without killing the workers it started,
// which keep HUP's default action. The answer to a signal is the process
// with two more fields: "signal", the signal's name ("SIGHUP"), and
// "reached", "group" or "main process".
//
// Errors are JSON, {"error": "..."}, with these status codes: 400 for a bad
// signal, since or limit, or a request the Overseer refuses as invalid
// (overseer.ErrInvalid); 403 for a mutating request without the token, or
// any request whose Host is not a loopback name under WithLoopbackOnly;
// 404 for an unknown process (overseer.ErrNotFound) or path; 405 for a
// method a path does not take (the Allow header lists those it takes); 409
// for a process that runs when it must not (overseer.ErrRunning) or that
// does not run when a signal is sent to it (os.ErrProcessDone); 501 for
// what the system cannot do (errors.ErrUnsupported); 503 for the event
// stream of a closed Handler, or past WithMaxStreams streams (64 by
// default); 500 for any other failure, such as a restart
// whose new run did not become ready.
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
//	snapshot  {"processes": [...],                 every process, as GET /api/processes,
//	           "warnings": {id: text}}             and the warnings told of them (left out if none)
//	state     {"id", "from", "to", "time", "pid", "exitCode", "error", "restarts",
//	           "statusText", "warning", "nextRun" (a scheduled process's),
//	           "process": {...}}                   an overseer.Event, with the process as it is after it
//	lines     {"lines": [...]}                     lines of any processes, in Seq order for each
//
// A new stream starts with a snapshot. Changes of state are numbered by
// one counter of the Handler and kept in a bounded replay buffer
// (WithReplay), which one goroutine of the Handler fills from the
// Overseer's Watch. Lines are not in it: each stream reads them with a
// Lossy overseer.LogReader of its own, straight from the processes' rings
// (Cmd.BufferLines, BufferBytes), which are the only buffer. A lines event
// holds one batch read, at most 512 lines or 128 KiB of text; after a
// small one (under 64 lines) the stream waits 25 ms before it reads
// again, so that a trickle of lines makes a few dozen events a second. A
// change of state is put after the lines read before it and before those
// read after it.
//
// A stream that falls behind a process's rings (a slow client, a burst)
// is never waited for, not even under overseer.WithLogBackpressure, and
// keeps nothing for its client but the batch it is writing: it skips the
// lines the rings let go, and the next line it gives of that process says
// how many, in a field "missed" (the lines of Seq seq-missed to seq-1 of
// its process). They count in Overseer.Dropped too.
//
// Every event has an id, "TAG-N" or "TAG-N;PLACES": N is the counter of the
// last change of state the stream sent (lines events carry that of the
// change before them), TAG tells the Handler apart from another one (a
// restarted host), and PLACES, "ID=SEQ,..." with each ID query-escaped,
// is the Seq of the last line the stream gave of each process (left out
// past 4 KiB). A client that reconnects with a Last-Event-ID the buffer
// still follows gets the changes of state it missed, and the lines after
// its places that the rings still keep, without duplicates (the gap said
// by "missed"); of a process it has no place in, every line kept. One
// whose id is older than the buffer, of another Handler, or malformed gets
// a snapshot instead, and so does a client that falls so far behind that
// the buffer has moved past it. A snapshot's id is that of the last event
// it covers. A comment line is sent every 15 seconds on a quiet stream so
// that dead clients are found. Each write to a client, of a stream or of a
// logs answer, must go through within 10 seconds, or the client is
// dropped; a stream stuck writing holds at most about 64 KiB of the
// buffer's events, or a batch of lines. The logs answers are written as
// they are read, a page of lines at a time, so that a client that does not
// read holds up a page (256 KiB of text) and not the whole answer; lines
// that the process drops meanwhile are left out.
//
// The Overseer tells an Event.Warning (a process that seems to have gone
// to the background) once, in one state event; the Handler keeps the last
// one of each process, until a new process of the same id starts, and
// gives them in every snapshot, so that a page opened later shows them.
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
// table of the processes and a pane with their output. It uses relative
// URLs, so the Handler can be mounted under a prefix with
// http.StripPrefix.
//
// The pane opens on the output of all processes together (GET /api/logs,
// then the stream), each line as "name | text"; a click on a process, or
// on a name in the pane, shows that process alone, and "All processes"
// goes back. Every line starts with the time it was read, as the server's
// clock reads it (HH:MM:SS). A mark "— run N started (pid P) —" comes
// before the first line of each new run of a process, when the page sees
// a state event to running with a new pid (a start, a restart, or a
// rolling restart's new run, running to running), or a line with a pid
// other than those shown of the process. Runs are counted from the
// process's restarts: the run after n restarts is run n+1, and a run the
// page sees begin is one more than the last it numbered (so that a start
// after a stop, which is not a restart, counts too); runs of the past,
// met in the lines fetched, are numbered back from the current one.
//
// A filter box over the pane shows only the lines with its text, in any
// case, or, written /RE/ or /RE/FLAGS, those that match the regular
// expression RE (in any case unless FLAGS are given); an invalid one
// marks the box (aria-invalid, its error as the title) and every line
// shows. It tests the text of a line as shown, its Partial pieces joined,
// its name in the combined output included; marks always show. Each
// process has a "Log" link, in its row and above its pane, that saves what
// it keeps (logs.txt). Where the stream missed lines of a process, the
// pane says "— N lines not shown —", with a button that fetches those the
// process still keeps.
//
// The columns cpu and memory show the last sample of each run's usage
// (overseer.Usage: the CPU over the last interval as a percentage of one
// core, with one decimal; the resident memory in B, KiB, MiB or GiB),
// "–" for none, and beside each a sparkline of the run's last 60 samples
// (five minutes at the default interval), CPU on a scale of at least
// 100%, memory from 0 to its highest. Their titles tell the CPU seconds,
// the processes, threads and open files. The page fetches GET /api/usage
// once, then, every sampling interval as the samples' times tell it (5 s
// until they do; within 1 s to 1 min), the samples since its last
// answer; not while the tab is hidden. A line under the table says how
// the runs in progress are tracked, "runs tracked by control groups" or
// "by process groups" (JSONProcess.Cgroup), and a pid's title names its
// control group.
//
// A process in a crash loop shows as such, not as up: a "restarting"
// badge, its restarts in a warning colour and a mark down the left of its
// row, while it waits to be restarted (backoff) and for a minute after a
// failed run was restarted (on the first sight of a process, a restart
// younger than a minute counts as one). A warning of a process shows as a
// sign by its name, with the text as its title, and as a line in its
// output. The buttons start, stop and restart a process; "Signal" opens a
// menu of signals, and the notice tells what the signal reached. Under
// 960 px of width each process is a card of two lines, so that every
// column and button stays in reach.
//
// The pane keeps the newest 2,000 lines, joins the Partial pieces of long
// or unfinished lines (at most 10,000 characters of each, then an
// ellipsis; never across runs, nor across lines missed), starts a
// line afresh at a carriage return, as a terminal does (a progress bar
// redrawn with \r shows its last state), converts ANSI colour sequences (SGR) to styles and drops the
// other escape sequences and control characters. Everything a process or
// the server says (output, ids, STATUS= text, errors, warnings) goes into
// the page as text, never as HTML.
//
// # Goroutines
//
// New starts one goroutine and one subscription of the Overseer (Watch);
// each event stream has a LogReader, closed when it ends. Close ends them,
// ends every event stream and waits for their handlers to return. The Handler logs nothing unless given a logger (WithLogger).
package dashboard
