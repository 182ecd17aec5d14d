//go:build unix

package main

import "os"

// socketEnv names the environment variable that gives the control socket's
// path when -socket does not; it is checked as -socket's is.
const socketEnv = "OVERSEER_SOCKET"

// socketPath returns the control socket's path: flag (-socket), else
// $OVERSEER_SOCKET, else "", which means control.DefaultPath.
func socketPath(flag string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(socketEnv)
}
