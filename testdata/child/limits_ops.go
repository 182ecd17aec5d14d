package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// limitsOp runs the operations that show what the child was given before
// its first instruction (Cmd.Limits, Nice, Umask, User):
//
//	ids           print "uid:U gid:G groups:G1,G2"
//	limit:NAME    print the line of /proc/self/limits that starts with
//	              NAME ("Max open files"), its spaces squeezed
//	nice          print "nice:N", N from /proc/self/stat
//	newfile:FILE  create FILE with mode 0666 and print "mode:0MODE", as the
//	              umask left it
func limitsOp(name, arg string) error {
	switch name {
	case "ids":
		groups, err := syscall.Getgroups()
		if err != nil {
			return err
		}
		g := make([]string, len(groups))
		for i, id := range groups {
			g[i] = fmt.Sprint(id)
		}
		fmt.Printf("uid:%d gid:%d groups:%s\n", os.Getuid(), os.Getgid(), strings.Join(g, ","))
		return nil
	case "limit":
		data, err := os.ReadFile("/proc/self/limits")
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, arg) {
				fmt.Println(strings.Join(strings.Fields(line), " "))
				return nil
			}
		}
		return fmt.Errorf("no limit %q in /proc/self/limits", arg)
	case "nice":
		data, err := os.ReadFile("/proc/self/stat")
		if err != nil {
			return err
		}
		// The fields after the command's name, which is in parentheses:
		// state is field 3, nice field 19.
		rest := string(data[strings.LastIndexByte(string(data), ')')+2:])
		fmt.Printf("nice:%s\n", strings.Fields(rest)[16])
		return nil
	case "newfile":
		f, err := os.OpenFile(arg, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o666)
		if err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		fmt.Printf("mode:%#o\n", fi.Mode().Perm())
		return f.Close()
	}
	return livenessOp(name, arg)
}
