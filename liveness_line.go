package overseer

// matchAfter reports whether a Line of run pid kept with Seq > seq matches,
// and returns the Seq of the output it read up to, for the next call.
func (o *output) matchAfter(pid int, seq uint64, match func(Line) bool) (uint64, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	found := false
	for _, l := range o.appendAfterLocked(nil, seq, readBounds{lines: -1, bytes: -1}) {
		if l.PID == pid && match(l) {
			found = true
			break
		}
	}
	return o.seq, found
}
