package overseer

import "sync"

// Stop ends the Cmd: it cancels its supervision, if any (a pending restart
// is dropped at once), sends StopSignal to the process group of the current
// run, waits up to StopTimeout for the run to end, then sends SIGKILL to the
// group. It returns once the run has ended and its output has been read. On
// a Cmd that is not running it does nothing. A Stop that comes while the
// program is being executed is acted on as soon as the exec returns.
//
// Stop has no error result: it cannot fail. A signal that finds the group
// gone means the run has ended, which is what Stop waits for, and SIGKILL
// cannot be refused.
func (c *Cmd) Stop() {
	c.mu.Lock()
	sup := c.sup
	if sup != nil {
		sup.cancel()
	}
	req := c.requestStopLocked()
	c.unlock()

	req.wait()
	if sup != nil {
		<-sup.done
	}
}

// stopRequest is what a stop waits for: the current run, or the start
// whose exec is in progress, and the new run of a rolling restart. The
// first request for each sends it StopSignal, and SIGKILL after
// StopTimeout; every request waits for its end.
type stopRequest struct {
	runs     []*run    // ended by this request (first) or waited for
	first    []bool    // runs[i] is this request's to end
	launches []*launch // execs in progress: their runs, once started, are ended
	lfirst   []bool
}

// requestStopLocked marks what is going as stopped on request (the state
// stopping) and returns what the stop waits for, to be waited for without
// c.mu. c.mu is held.
func (c *Cmd) requestStopLocked() stopRequest {
	var req stopRequest
	if n := c.next; n != nil { // the new run of a rolling restart goes too
		req.add(n)
	}
	switch {
	case c.run != nil:
		req.addRun(c.run)
	case c.launching != nil:
		req.add(c.launching)
	default:
		return req
	}
	if c.state != StateStopping { // it may be: not ready, or STOPPING=1
		c.setState(StateStopping)
	}
	return req
}

// addRun adds run r, marked as stopped on request. c.mu is held.
func (req *stopRequest) addRun(r *run) {
	req.runs, req.first = append(req.runs, r), append(req.first, !r.stopRequested)
	r.stopRequested = true
}

// add adds the run of launch l, marked as stopped on request: the run
// itself once the exec has returned, else the launch, whose run is marked
// when the exec returns. c.mu is held.
func (req *stopRequest) add(l *launch) {
	first := !l.stopRequested
	l.stopRequested = true
	if first {
		close(l.interrupt) // ends a PreStart command in progress
	}
	if l.r != nil {
		req.addRun(l.r)
		return
	}
	req.launches, req.lfirst = append(req.launches, l), append(req.lfirst, first)
}

// wait ends what the request holds, all at once, and returns when all of
// it has ended. c.mu is not held.
func (req stopRequest) wait() {
	var wg sync.WaitGroup
	for i, r := range req.runs {
		wg.Go(func() { r.stop(req.first[i]) })
	}
	for i, l := range req.launches {
		wg.Go(func() {
			<-l.execd // l.r is written before execd is closed
			if l.r != nil {
				l.r.stop(req.lfirst[i])
			}
		})
	}
	wg.Wait()
}
