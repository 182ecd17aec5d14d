package probe_test

import (
	"regexp"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/probe"
)

// A web server is ready when it accepts connections on its port.
func ExampleTCP() {
	o := overseer.NewOverseer()
	c, err := o.Add("web", "./web", "-addr", "127.0.0.1:8080")
	if err != nil {
		panic(err)
	}
	c.Ready = &probe.TCP{Addr: "127.0.0.1:8080", Period: 100 * time.Millisecond}
	c.ReadyTimeout = 30 * time.Second
	if err := o.Start("web"); err != nil {
		panic(err)
	}
}

// A database is ready when it says so in its log.
func ExampleLine() {
	o := overseer.NewOverseer()
	c, err := o.Add("db", "postgres", "-D", "/var/lib/postgres")
	if err != nil {
		panic(err)
	}
	c.Ready = probe.Line(regexp.MustCompile(`ready to accept connections`))
	if err := o.Start("db"); err != nil {
		panic(err)
	}
}
