package config

import (
	"strings"
	"time"
	_ "time/tzdata" // timezone: works on a host without a zone database (a scratch image)

	"github.com/robfig/cron/v3"
	yaml "go.yaml.in/yaml/v3"

	"github.com/overseer-go/overseer"
)

// scheduleKeys holds a process's keys schedule, timezone and run_on_start,
// read together once all its keys are known (schedule).
type scheduleKeys struct {
	schedule, timezone, runOnStart *setting
}

// add keeps e, one of the keys of scheduleKeys.
func (s *scheduleKeys) add(e setting) {
	switch e.key.Value {
	case "schedule":
		s.schedule = &e
	case "timezone":
		s.timezone = &e
	case "run_on_start":
		s.runOnStart = &e
	}
}

// text returns the values of schedule and timezone as written, trimmed
// ("" for a key left out), once schedule has read them without error.
func (s scheduleKeys) text() (expr, zone string) {
	if s.schedule != nil {
		expr = strings.TrimSpace(deref(s.schedule.value).Value)
	}
	if s.timezone != nil {
		zone = deref(s.timezone.value).Value
	}
	return expr, zone
}

// schedule sets cmd's Schedule and RunOnStart from the keys of process
// name: a 5-field cron expression or a descriptor (@every 10m, @hourly,
// @daily…), parsed by robfig/cron/v3, in the IANA zone of timezone (the
// host's without it). timezone and run_on_start without schedule are
// errors, as is a schedule with restart: always.
func (p *parser) schedule(name string, cmd *overseer.Cmd, s scheduleKeys) {
	var runOnStart bool
	if e := s.runOnStart; e != nil {
		p.file = e.file
		runOnStart = p.boolean(name+".run_on_start", e.value)
	}
	var zone string
	if e := s.timezone; e != nil {
		p.file = e.file
		zone = p.zone(name+".timezone", e.value)
	}
	if s.schedule == nil {
		for _, e := range []*setting{s.timezone, s.runOnStart} {
			if e != nil {
				p.errorIn(e.file, e.key.Line, name+"."+e.key.Value, "there is no schedule: set schedule too, or leave %s out", e.key.Value)
			}
		}
		return
	}
	p.file = s.schedule.file
	k := name + ".schedule"
	n := deref(s.schedule.value)
	before := p.n
	expr := strings.TrimSpace(p.text(k, n))
	if p.n != before {
		return
	}
	if zone != "" {
		if strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "TZ=") {
			p.errorf(n.Line, k, "%q names its zone, and timezone is set too: set it once", expr)
			return
		}
		expr = "CRON_TZ=" + zone + " " + expr
	}
	if every, ok := strings.CutPrefix(strings.TrimSpace(tzless(expr)), "@every "); ok {
		// robfig/cron runs @every on whole seconds from the start, in no
		// zone: say so rather than round or ignore what was written.
		if zone != "" || tzless(expr) != expr {
			p.errorf(n.Line, k, "%q: @every counts from the start, in no time zone: leave timezone out, or give times (\"30 2 * * *\")", s.schedule.value.Value)
			return
		}
		if d, err := time.ParseDuration(strings.TrimSpace(every)); err == nil && (d < time.Second || d%time.Second != 0) {
			p.errorf(n.Line, k, "%q: @every takes whole seconds, 1s or more", s.schedule.value.Value)
			return
		}
	}
	sched, err := cron.ParseStandard(expr)
	if err != nil {
		p.errorf(n.Line, k, "%q: %v (want 5 fields, minute hour day-of-month month day-of-week, or @every 10m, @hourly, @daily, @weekly, @monthly, @yearly)", s.schedule.value.Value, err)
		return
	}
	if cmd.Restart == overseer.RestartAlways {
		p.errorf(n.Line, k, "restart: always makes no sense with a schedule (a scheduled run must end by itself): use on-failure or never")
		return
	}
	cmd.Schedule, cmd.RunOnStart = sched, runOnStart
}

// zone reads an IANA time zone name ("Europe/Paris", "UTC").
func (p *parser) zone(key string, value *yaml.Node) string {
	n := deref(value)
	before := p.n
	name := p.text(key, n)
	if p.n != before {
		return ""
	}
	if name == "" || name == "Local" {
		p.errorf(n.Line, key, "%q: want an IANA time zone, as Europe/Paris or UTC", name)
		return ""
	}
	if _, err := time.LoadLocation(name); err != nil {
		p.errorf(n.Line, key, "%q: unknown time zone (want an IANA name, as Europe/Paris or UTC)", name)
		return ""
	}
	return name
}

// tzless returns a cron expression without its CRON_TZ= or TZ= prefix.
func tzless(expr string) string {
	if strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "TZ=") {
		if _, rest, ok := strings.Cut(expr, " "); ok {
			return rest
		}
	}
	return expr
}
