// Package linebuf turns the bytes of an output stream into lines and keeps
// the latest of them: a Splitter cuts a stream into lines of bounded length
// without allocating, and a Ring keeps the newest lines of one stream within
// a bound of lines and bytes, in memory the garbage collector never scans.
//
// It knows nothing of processes: the overseer package numbers the lines,
// stamps them with a time and a process id, and locks the Ring.
package linebuf
