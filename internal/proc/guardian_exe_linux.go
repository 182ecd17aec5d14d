package proc

// executable is the file the guardian runs: on Linux the host's own
// executable through /proc/self/exe, which stays the same file even when a
// deploy has replaced or deleted the path it was started from.
func executable() (string, error) { return "/proc/self/exe", nil }
