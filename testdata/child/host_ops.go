package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// hostOp runs the operations that test what happens around the host's life:
//
//	setsid:OPS    start one copy of itself in a new session (out of reach of
//	              group signals) that runs OPS ("+"-separated), its output
//	              to /dev/null, and print "pid:PID"
//	setsidout:OPS as setsid, sharing stdout: it holds the pipe open
//	setsidscrub:OPS
//	              as setsidout, with no OVERSEER_ variable in its
//	              environment (as a daemon that writes its process title
//	              over its environment shows it)
//	lifeline:FILE start one copy of itself in a new session that inherits
//	              the lifeline and, when it reaches end of file, writes
//	              "eof" to FILE and exits; print "pid:PID"
//	awaiteof:FILE (that copy) wait for end of file on the lifeline
//	lifelinefd    print "lifeline:FD:KIND", FD from OVERSEER_LIFELINE_FD and
//	              KIND "pipe" when that fd is a pipe
//	getenv:KEY    print "KEY=value", or "KEY unset"
//	stdoutkind    print "stdout:terminal" when stdout is a character
//	              device (a terminal, under PTY), else "stdout:other"
//	trapint:TEXT  on SIGINT, print TEXT (and go on)
func hostOp(name, arg string) error {
	switch name {
	case "setsid", "setsidout", "setsidscrub", "lifeline":
		ops := strings.Split(arg, "+")
		var extra []*os.File
		if name == "lifeline" {
			f, err := lifeline()
			if err != nil {
				return err
			}
			ops, extra = []string{"awaiteof:" + arg}, []*os.File{f}
		}
		c := exec.Command(os.Args[0], ops...)
		c.ExtraFiles = extra // fd 3 in the copy, as OVERSEER_LIFELINE_FD says
		if name == "setsidout" || name == "setsidscrub" {
			c.Stdout = os.Stdout
		}
		if name == "setsidscrub" {
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "OVERSEER_") {
					c.Env = append(c.Env, kv)
				}
			}
		}
		c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := c.Start(); err != nil {
			return err
		}
		fmt.Printf("pid:%d\n", c.Process.Pid)
		return nil
	case "awaiteof":
		f, err := lifeline()
		if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, f); err != nil {
			return err
		}
		return os.WriteFile(arg, []byte("eof"), 0o644)
	case "lifelinefd":
		value := os.Getenv("OVERSEER_LIFELINE_FD")
		kind := "other"
		if fd, err := strconv.Atoi(value); err == nil {
			var st syscall.Stat_t
			if syscall.Fstat(fd, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFIFO {
				kind = "pipe"
			}
		}
		fmt.Printf("lifeline:%s:%s\n", value, kind)
		return nil
	case "stdoutkind":
		kind := "other"
		if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			kind = "terminal"
		}
		fmt.Printf("stdout:%s\n", kind)
		return nil
	case "getenv":
		if value, ok := os.LookupEnv(arg); ok {
			fmt.Printf("%s=%s\n", arg, value)
		} else {
			fmt.Printf("%s unset\n", arg)
		}
		return nil
	case "trapint":
		printOn(syscall.SIGINT, arg)
		return nil
	}
	return systemdOp(name, arg)
}

// lifeline returns the lifeline named by OVERSEER_LIFELINE_FD.
func lifeline() (*os.File, error) {
	fd, err := strconv.Atoi(os.Getenv("OVERSEER_LIFELINE_FD"))
	if err != nil {
		return nil, fmt.Errorf("OVERSEER_LIFELINE_FD: %w", err)
	}
	return os.NewFile(uintptr(fd), "lifeline"), nil
}
