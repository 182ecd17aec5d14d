package sockets

import (
	"os"
	"slices"
	"strconv"
	"strings"
)

// The variables that describe a Layout to the child. LISTEN_FDS,
// LISTEN_FDNAMES and LISTEN_PID are systemd's socket activation protocol
// (sd_listen_fds(3)); LISTEN_PID, the child's own pid, is known only after
// the fork, so the supervisor's exec wrapper sets it.
const (
	ListenFDsEnv     = "LISTEN_FDS"
	ListenFDNamesEnv = "LISTEN_FDNAMES"
	ListenPIDEnv     = "LISTEN_PID"
	LifelineEnv      = "OVERSEER_LIFELINE_FD"
)

// FirstFD is the fd of a child's first inherited socket, after standard
// input, output and error (SD_LISTEN_FDS_START).
const FirstFD = 3

// Layout is the protocol by which a child finds the fds its supervisor
// hands it, the one place that says it: the listening sockets come first,
// from fd 3 (FirstFD) in order, as systemd orders them, named in
// LISTEN_FDNAMES and counted in LISTEN_FDS; the lifeline comes right
// after them, named by OVERSEER_LIFELINE_FD. The zero Layout has no
// sockets: the lifeline is fd 3.
type Layout struct {
	// Names are the sockets' names, one per socket, in order
	// (LISTEN_FDNAMES); none may hold ":".
	Names []string
}

// Listeners returns the number of sockets.
func (l Layout) Listeners() int { return len(l.Names) }

// ListenerFD returns the child's fd of socket i, from 0.
func (l Layout) ListenerFD(i int) int { return FirstFD + i }

// LifelineFD returns the child's fd of the lifeline.
func (l Layout) LifelineFD() int { return FirstFD + len(l.Names) }

// ExtraFiles returns the files of the layout in os/exec's Cmd.ExtraFiles
// order, whose entry i becomes the child's fd 3+i: listeners, which must
// be one per name, then lifeline.
func (l Layout) ExtraFiles(listeners []*os.File, lifeline *os.File) []*os.File {
	return append(slices.Clip(listeners), lifeline)
}

// Env returns the entries of the child's environment that describe the
// layout: LISTEN_FDS and LISTEN_FDNAMES when there are sockets, and
// OVERSEER_LIFELINE_FD. LISTEN_PID is the exec wrapper's to add.
func (l Layout) Env() []string {
	var env []string
	if len(l.Names) > 0 {
		env = append(env,
			ListenFDsEnv+"="+strconv.Itoa(len(l.Names)),
			ListenFDNamesEnv+"="+strings.Join(l.Names, ":"))
	}
	return append(env, LifelineEnv+"="+strconv.Itoa(l.LifelineFD()))
}

// LifelineFromEnv returns the fd of the lifeline as the child's
// environment, read by getenv (os.Getenv), names it; false when it names
// none. The fd may have been closed or reused since it was inherited: the
// caller checks what it is.
func LifelineFromEnv(getenv func(string) string) (int, bool) {
	fd, err := strconv.Atoi(getenv(LifelineEnv))
	if err != nil || fd < FirstFD {
		return 0, false
	}
	return fd, true
}
