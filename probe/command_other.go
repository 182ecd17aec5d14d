//go:build !unix

package probe

import "os/exec"

// Without process groups, a try's Cancel kills the program alone (os/exec's
// default), and whatever it started may outlive it.

func ownGroup(*exec.Cmd) {}

func killGroup(int) {}
