package overseer

// execHooked executes the start of launch l without c.mu: its PreStart
// commands one after the other, then its program (startRun). A PreStart
// command that fails, or is still going after ReadyTimeout (then killed),
// fails the start with its error, and the program is not executed; a Stop during them (see stopRequest.add) ends the one
// running, and the start returns errHookStopped.
func (c *Cmd) execHooked(l *launch) (*run, error) {
	if pre := l.cfg.hooks.pre(); len(pre) > 0 {
		for i, args := range pre {
			h := hookCmd{kind: HookPreStart, index: i, args: args}
			if err := c.runHook(h, l.cfg, l.env, l.interrupt, l.cfg.readyTimeout); err != nil {
				return nil, err
			}
		}
		select {
		case <-l.interrupt: // a Stop after the last one: the program is not executed
			return nil, errHookStopped
		default:
		}
	}
	r, err := c.startRun(l.cfg, l.env, l.done)
	if err == nil && l.cfg.hooks.keepsEnv() {
		r.hooks.env = l.env // for StopCommand and PostStop
	}
	return r, err
}
