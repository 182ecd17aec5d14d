//go:build unix

package overseer_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"
	_ "time/tzdata" // Europe/Paris wherever the example runs

	"github.com/robfig/cron/v3"

	"github.com/overseer-go/overseer"
)

func ExampleNewCmd() {
	cmd := overseer.NewCmd("sh", "-c", "echo hello; echo oops >&2; exit 3")
	fmt.Println(cmd.Args[0], cmd.StopSignal, cmd.StopTimeout, cmd.BufferLines, cmd.MaxLineBytes)
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return
	}
	st := cmd.Wait()
	fmt.Println(st.State, st.Exit, st.Error)
	fmt.Println(st.Stdout, st.Stderr)
	// Output:
	// sh terminated 10s 1000 65536
	// finished 3 <nil>
	// [hello] [oops]
}

func ExampleCmd_Stop() {
	cmd := overseer.NewCmd("sh", "-c", "sleep 60 & sleep 60 & wait")
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return
	}
	// Stop sends SIGTERM to the whole process group, the two sleeps
	// included, and returns once the run is over.
	cmd.Stop()
	st := cmd.Status()
	fmt.Println(st.State, st.Exit)
	fmt.Println(st.Error)
	// Output:
	// interrupted -1
	// overseer: killed by signal 15 (terminated)
}

func ExampleCmd_Lines() {
	cmd := overseer.NewCmd("sh", "-c", "echo one; echo two; echo three")
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return
	}
	cmd.Wait()
	// A reader remembers the last Seq it saw and asks only for what came
	// after it.
	var seen uint64
	for _, line := range cmd.Lines(seen) {
		fmt.Println(line.Seq, line.Stream, line.Text)
		seen = line.Seq
	}
	fmt.Println(len(cmd.Lines(seen)), "new lines")
	// Output:
	// 1 stdout one
	// 2 stdout two
	// 3 stdout three
	// 0 new lines
}

func ExampleCmd_Start_error() {
	cmd := overseer.NewCmd("overseer-no-such-program")
	err := cmd.Start()
	fmt.Println(err)
	fmt.Println(errors.Is(err, exec.ErrNotFound), cmd.Status().State)
	// Output:
	// overseer: start "overseer-no-such-program": exec: "overseer-no-such-program": executable file not found in $PATH
	// true fatal
}

func ExampleOverseer_SuperviseAll() {
	ovr := overseer.NewOverseer()
	cmd, err := ovr.Add("flaky", "sh", "-c", "echo trying; exit 1")
	if err != nil {
		fmt.Println(err)
		return
	}
	cmd.MaxRestarts = 2 // three runs, then fatal
	cmd.Backoff = overseer.Backoff{Min: time.Millisecond, Max: 10 * time.Millisecond, Factor: 2}

	events := make(chan overseer.Event, 100)
	stop := ovr.Watch(events)
	err = ovr.SuperviseAll(context.Background())
	stop() // no send to events after this: closing it is safe
	close(events)

	for ev := range events {
		fmt.Printf("%s: %s -> %s\n", ev.ID, ev.From, ev.To)
	}
	fmt.Println(err)
	st, _ := ovr.Status("flaky")
	fmt.Println(st.State, st.Exit, st.Restarts, st.Stdout)
	// Output:
	// flaky: initial -> starting
	// flaky: starting -> running
	// flaky: running -> backoff
	// flaky: backoff -> starting
	// flaky: starting -> running
	// flaky: running -> backoff
	// flaky: backoff -> starting
	// flaky: starting -> running
	// flaky: running -> fatal
	// overseer: flaky: gave up after 2 restarts in a row: last exit code 1
	// fatal 1 2 [trying trying trying]
}

func ExampleOverseer_NewLogReader() {
	ovr := overseer.NewOverseer()
	if _, err := ovr.Add("greeter", "sh", "-c", "echo hello; echo world"); err != nil {
		fmt.Println(err)
		return
	}
	r := ovr.NewLogReader(overseer.LogReaderConfig{}) // every line of every process, from now on
	defer r.Close()
	if err := ovr.SuperviseAll(context.Background()); err != nil {
		fmt.Println(err)
		return
	}

	// The processes are done: a done context makes Next drain what is left,
	// then return the context's error instead of waiting.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for {
		batch, err := r.Next(ctx)
		if err != nil {
			break
		}
		for _, m := range batch.Missed {
			fmt.Printf("%s: %d lines missed\n", m.ID, m.Count)
		}
		for _, l := range batch.Lines {
			fmt.Printf("%s %d %s | %s\n", l.ID, l.Seq, l.Stream, l.Text)
		}
	}
	// Output:
	// greeter 1 stdout | hello
	// greeter 2 stdout | world
}

// A batch job on a schedule: cron.ParseStandard of robfig/cron/v3 makes an
// overseer.Schedule from a 5-field cron expression or a descriptor
// ("@every 10m", "@daily"), in the zone CRON_TZ= names. RunOnStart runs it
// once at once too; after each run the supervision waits for the next
// tick, and Status.NextRun shows it.
func ExampleCmd_schedule() {
	o := overseer.NewOverseer()
	job, err := o.Add("report", "sh", "-c", "echo report done")
	if err != nil {
		fmt.Println(err)
		return
	}
	sched, err := cron.ParseStandard("CRON_TZ=Europe/Paris 30 2 * * *") // 02:30 every day, Paris time
	if err != nil {
		fmt.Println(err)
		return
	}
	job.Schedule = sched
	job.RunOnStart = true

	events := make(chan overseer.Event, 16)
	stop := o.Watch(events)
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Supervise(ctx, "report") }()
	for ev := range events {
		if ev.To == overseer.StateFinished {
			break
		}
	}
	st := job.Status()
	paris, err := time.LoadLocation("Europe/Paris")
	if err == nil {
		fmt.Println(st.State, st.Stdout, st.NextRun.In(paris).Format("15:04"))
	}
	cancel() // ends the wait for the next tick at once
	fmt.Println(<-done)
	// Output:
	// finished [report done] 02:30
	// <nil>
}
