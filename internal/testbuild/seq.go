package testbuild

// SeqRange returns the Seqs first, first+1, …, last (none when last is
// below first).
func SeqRange(first, last uint64) []uint64 {
	var out []uint64
	for i := first; i <= last; i++ {
		out = append(out, i)
	}
	return out
}
