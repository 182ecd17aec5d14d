//go:build unix && !linux

package proc

// sweepStarts would kill what the starts in pending began; finding them
// takes /proc, so outside Linux a host killed during a start can leave that
// start's process behind (see "The start window" in guardian_unix.go).
func sweepStarts(map[string][]string) {}

// endCgroups does nothing: control groups are Linux's.
func endCgroups(string) {}
