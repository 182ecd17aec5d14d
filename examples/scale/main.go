//go:build linux

// Command scale starts N sleeping children under overseer and under plain
// os/exec, each in a fresh process of its own, and prints what they cost
// the host side by side: the time to start them one after the other, host
// RSS per child, OS threads, ToJSONAll over all of them, the time to stop
// them all with SIGTERM, and the host CPU per second they cost while idle.
//
//	go run ./examples/scale -n 1000
//
// The children are "sleep 3600" (coreutils). os/exec runs them the way a
// program that reads their output does: Stdout and Stderr set to writers,
// and a goroutine in Wait per child.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"text/tabwriter"
	"time"

	"github.com/overseer-go/overseer/benchmarks"
)

func main() {
	// A fresh process started by run makes one measurement and exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if served, err := benchmarks.ServeJob(ctx, benchmarks.Contenders()); served {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	n := flag.Int("n", 1000, "how many children")
	idle := flag.Duration("idle", 2*time.Second, "how long to measure the idle CPU")
	flag.Parse()
	if *n < 1 {
		return fmt.Errorf("scale: -n must be at least 1")
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		return err
	}
	argv := []string{sleep, "3600"}
	contenders := []string{"os-exec", "overseer"}
	var scale, idleCPU [2]benchmarks.Figures
	for i, name := range contenders {
		fmt.Printf("measuring %s with %d children…\n", name, *n)
		job := benchmarks.Job{Kind: "scale", Contender: name, N: *n, Argv: argv}
		if scale[i], err = benchmarks.RunFresh(ctx, job); err != nil {
			return err
		}
		job = benchmarks.Job{Kind: "idle", Contender: name, N: min(*n, 100), Argv: argv, Window: int64(*idle)}
		if idleCPU[i], err = benchmarks.RunFresh(ctx, job); err != nil {
			return err
		}
	}

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Println()
	fmt.Fprintf(w, "%d children\t%s\t%s\toverseer / os-exec\t\n", *n, contenders[0], contenders[1])
	row := func(what string, a, b float64, unit string) {
		fmt.Fprintf(w, "%s\t%.4g %s\t%.4g %s\t%.2f×\t\n", what, a, unit, b, unit, b/a)
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	row("start all", ms(scale[0].Start), ms(scale[1].Start), "ms")
	row("host RSS per child", float64(scale[0].RSSPerChild)/1024, float64(scale[1].RSSPerChild)/1024, "KB")
	row("OS threads", float64(scale[0].Threads), float64(scale[1].Threads), "")
	row("stop all (SIGTERM)", ms(scale[0].Stop), ms(scale[1].Stop), "ms")
	row(fmt.Sprintf("idle CPU, %d children", min(*n, 100)), ms(idleCPU[0].IdleCPU), ms(idleCPU[1].IdleCPU), "ms/s")
	fmt.Fprintf(w, "ToJSONAll\t-\t%.4g µs\t\t\n", float64(scale[1].ToJSONAll)/float64(time.Microsecond))
	return w.Flush()
}
