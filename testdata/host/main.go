// Command host is a host program for the tests of what happens around the
// host's own life: its death, its signals, its adopted orphans. It runs the
// command given as arguments as process "c" under an Overseer, and
//
//   - prints "leader:PID" once the process runs, then every line of its
//     output as "out:TEXT" as it comes;
//   - on "stop" from stdin, stops it, prints every line the process left
//     ("line:TEXT") and "stopped";
//   - on SIGINT, prints "host:interrupt", then does as for "stop" and exits;
//   - at end of stdin, stops everything and exits.
//
// With -subreaper the Overseer is made WithSubreaper; with -cgroups=off,
// WithCgroups(CgroupOff). With -n N (N > 1) it
// runs N copies of the command instead, "c0" to "cN-1", all started at once,
// prints "leader:PID" as each starts, and waits for end of stdin: a host
// killed while most of them start. With -user NAME the command runs as
// that user (Cmd.User); with -nofile N, with that RLIMIT_NOFILE (Cmd.Limits);
// with -nice N, with that niceness.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"

	"github.com/overseer-go/overseer"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "host:", err)
		os.Exit(1)
	}
}

func run() error {
	subreaper := flag.Bool("subreaper", false, "make the Overseer WithSubreaper")
	copies := flag.Int("n", 1, "run this many copies, started at once")
	cgroups := flag.String("cgroups", "auto", "auto, or off: process groups alone")
	asUser := flag.String("user", "", "run the command as this user")
	nofile := flag.Uint64("nofile", 0, "run the command with this RLIMIT_NOFILE")
	nice := flag.Int("nice", 0, "run the command with this niceness")
	flag.Parse()
	var opts []overseer.Option
	if *subreaper {
		opts = append(opts, overseer.WithSubreaper())
	}
	if *cgroups == "off" {
		opts = append(opts, overseer.WithCgroups(overseer.CgroupOff))
	}
	o := overseer.NewOverseer(opts...)
	if *copies > 1 {
		return startMany(o, *copies)
	}
	c := overseer.NewCmd(flag.Arg(0), flag.Args()[1:]...)
	c.Restart = overseer.RestartNever
	c.User, c.Nice = *asUser, *nice
	if *nofile > 0 {
		c.Limits = map[overseer.Resource]uint64{overseer.ResourceNOFILE: *nofile}
	}
	if err := o.AddCmd("c", c); err != nil {
		return err
	}
	lines := make(chan overseer.Line, 1024)
	stopLines := o.WatchLogs(lines)
	relayed := make(chan struct{})
	go func() {
		defer close(relayed)
		for l := range lines {
			fmt.Printf("out:%s\n", l.Text)
		}
	}()
	if err := o.Start("c"); err != nil {
		return err
	}
	fmt.Printf("leader:%d\n", c.Status().PID)

	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, syscall.SIGINT)
	commands := make(chan string)
	go func() {
		defer close(commands)
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			commands <- sc.Text()
		}
	}()
	stop := func() {
		_ = o.Stop("c")
		for _, l := range c.Lines(0) {
			fmt.Printf("line:%s\n", l.Text)
		}
		fmt.Println("stopped")
	}
	for {
		select {
		case <-interrupt:
			fmt.Println("host:interrupt")
			stop()
			return nil
		case cmd, ok := <-commands:
			if !ok {
				o.StopAll()
				stopLines()
				close(lines)
				<-relayed
				return nil
			}
			if cmd == "stop" {
				stop()
			}
		}
	}
}

// startMany starts n copies of the command at once, and stops them at end
// of stdin.
func startMany(o *overseer.Overseer, n int) error {
	for i := range n {
		c := overseer.NewCmd(flag.Arg(0), flag.Args()[1:]...)
		c.Restart = overseer.RestartNever
		if err := o.AddCmd("c"+strconv.Itoa(i), c); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	var out sync.Mutex
	for i := range n {
		wg.Go(func() {
			id := "c" + strconv.Itoa(i)
			err := o.Start(id)
			out.Lock()
			defer out.Unlock()
			if err != nil {
				fmt.Printf("error:%s: %v\n", id, err)
				return
			}
			st, _ := o.Status(id) // it exists: added above
			fmt.Printf("leader:%d\n", st.PID)
		})
	}
	wg.Wait()
	_, _ = io.Copy(io.Discard, os.Stdin) // until end of stdin; an error ends the wait as well
	o.StopAll()
	return nil
}
