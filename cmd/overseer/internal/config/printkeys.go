package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/overseer-go/overseer"
)

// A writer returns the value of one key of a process for WriteProcesses,
// or nil to leave the key out (its value is the default).
type writer func(s subject) (*yaml.Node, error)

// writers write the keys of processKeys, by key. Every key of processKeys
// is here or in notWritten (TestWritersCoverKeys).
var writers = map[string]writer{
	"command": func(s subject) (*yaml.Node, error) {
		if line, ok := shellLine(s.cmd.Args); ok {
			return str(escapeVars(line)), nil
		}
		return nil, nil
	},
	"args": func(s subject) (*yaml.Node, error) {
		if _, ok := shellLine(s.cmd.Args); ok {
			return nil, nil
		}
		if len(s.cmd.Args) == 0 || s.cmd.Args[0] == "" {
			return nil, errors.New("no program")
		}
		items := make([]string, len(s.cmd.Args))
		for i, a := range s.cmd.Args {
			items[i] = escapeVars(a)
		}
		return strList(items), nil
	},
	"dir":   func(s subject) (*yaml.Node, error) { return text(escapeVars(s.cmd.Dir)), nil },
	"env":   envNode,
	"group": func(s subject) (*yaml.Node, error) { return text(s.cmd.Group), nil },
	"restart": func(s subject) (*yaml.Node, error) {
		if s.cmd.Restart == s.def.Restart {
			return nil, nil
		}
		name, err := s.cmd.Restart.MarshalText()
		return str(string(name)), err
	},
	"max_restarts": func(s subject) (*yaml.Node, error) {
		switch n := s.cmd.MaxRestarts; {
		case n == 0 || n == s.def.MaxRestarts:
			return nil, nil
		case n == overseer.NoRestarts:
			return integer(0), nil
		case n < 0:
			return integer(-1), nil
		default:
			return integer(int64(n)), nil
		}
	},
	"reset_after": func(s subject) (*yaml.Node, error) { return duration(s.cmd.ResetAfter, s.def.ResetAfter), nil },
	"backoff":     backoffNode,
	"start_delay": func(s subject) (*yaml.Node, error) { return duration(s.cmd.StartDelay, s.def.StartDelay), nil },
	"stop_signal": func(s subject) (*yaml.Node, error) {
		if sig := s.cmd.StopSignal; sig != 0 && sig != s.def.StopSignal {
			name, err := signalName(sig)
			return str(name), err
		}
		return nil, nil
	},
	"stop_timeout":   func(s subject) (*yaml.Node, error) { return duration(s.cmd.StopTimeout, s.def.StopTimeout), nil },
	"buffer_lines":   func(s subject) (*yaml.Node, error) { return count(s.cmd.BufferLines, s.def.BufferLines), nil },
	"buffer_bytes":   func(s subject) (*yaml.Node, error) { return sizeIf(s.cmd.BufferBytes, s.def.BufferBytes), nil },
	"max_line_bytes": func(s subject) (*yaml.Node, error) { return sizeIf(s.cmd.MaxLineBytes, s.def.MaxLineBytes), nil },
	"success_codes": func(s subject) (*yaml.Node, error) {
		if len(s.cmd.SuccessCodes) == 0 {
			return nil, nil
		}
		l := flowList()
		for _, c := range s.cmd.SuccessCodes {
			l.Content = append(l.Content, integer(int64(c)))
		}
		return l, nil
	},
	"log":            func(s subject) (*yaml.Node, error) { return text(escapeVars(s.p.Log)), nil },
	"log_timestamps": func(s subject) (*yaml.Node, error) { return flag(s.p.LogTimestamps), nil },
	"pty":            func(s subject) (*yaml.Node, error) { return flag(s.cmd.PTY), nil },
	"listeners":      func(s subject) (*yaml.Node, error) { return strList(s.cmd.Listeners), nil },
	"ready":          readyNode,
	"ready_timeout":  func(s subject) (*yaml.Node, error) { return duration(s.cmd.ReadyTimeout, s.def.ReadyTimeout), nil },
	"notify":         func(s subject) (*yaml.Node, error) { return flag(s.cmd.Notify), nil },
	"watchdog":       func(s subject) (*yaml.Node, error) { return duration(s.cmd.Watchdog, s.def.Watchdog), nil },
	"liveness":       livenessNode,
	"watch_files": func(s subject) (*yaml.Node, error) {
		if len(s.cmd.WatchFiles) == 0 {
			return nil, nil
		}
		l := strList(s.cmd.WatchFiles)
		l.Style = 0 // long paths: one a line
		return l, nil
	},
	"depends_on": func(s subject) (*yaml.Node, error) {
		if len(s.cmd.DependsOn) == 0 {
			return nil, nil
		}
		m := mapping()
		for _, d := range s.cmd.DependsOn {
			cond, err := d.Condition.MarshalText()
			if err != nil {
				return nil, err
			}
			v := mapping(str("condition"), str(string(cond)))
			if d.Restart {
				v.Content = append(v.Content, str("restart"), boolean(true))
			}
			v.Style = yaml.FlowStyle
			m.Content = append(m.Content, str(d.ID), v)
		}
		return m, nil
	},
	"memory_limit": func(s subject) (*yaml.Node, error) {
		if s.cmd.MemoryLimit <= 0 {
			return nil, nil
		}
		return size(uint64(s.cmd.MemoryLimit)), nil
	},
	"cpu_quota": func(s subject) (*yaml.Node, error) {
		if s.cmd.CPUQuota == 0 {
			return nil, nil
		}
		return number(s.cmd.CPUQuota), nil
	},
	"tasks_max": func(s subject) (*yaml.Node, error) { return count(s.cmd.TasksMax, 0), nil },
	"limits":    limitsNode,
	"nice": func(s subject) (*yaml.Node, error) {
		if s.cmd.Nice == 0 {
			return nil, nil
		}
		return integer(int64(s.cmd.Nice)), nil
	},
	"umask": func(s subject) (*yaml.Node, error) {
		switch m := s.cmd.Umask; {
		case m == 0:
			return nil, nil
		case m == overseer.UmaskNone:
			return str("000"), nil
		case m > 0o777:
			return nil, fmt.Errorf("%#o is not a mask (0 to 777)", uint32(m))
		default:
			return str(fmt.Sprintf("%03o", uint32(m))), nil
		}
	},
	"user":       func(s subject) (*yaml.Node, error) { return text(s.cmd.User), nil },
	"user_group": func(s subject) (*yaml.Node, error) { return text(s.cmd.UserGroup), nil },
	"schedule": func(s subject) (*yaml.Node, error) {
		switch {
		case s.cmd.Schedule == nil:
			return nil, nil
		case s.p.schedule == "":
			return nil, errors.New("a schedule not read from a file: its cron expression is not known")
		}
		return str(s.p.schedule), nil
	},
	"timezone": func(s subject) (*yaml.Node, error) {
		if s.cmd.Schedule == nil {
			return nil, nil
		}
		return text(s.p.timezone), nil
	},
	"run_on_start": func(s subject) (*yaml.Node, error) { return flag(s.cmd.Schedule != nil && s.cmd.RunOnStart), nil },
	"pre_start":    func(s subject) (*yaml.Node, error) { return hookList(s.cmd.PreStart), nil },
	"post_stop":    func(s subject) (*yaml.Node, error) { return hookList(s.cmd.PostStop), nil },
	"stop_command": func(s subject) (*yaml.Node, error) {
		if s.cmd.StopCommand == nil {
			return nil, nil
		}
		return hookCommand(s.cmd.StopCommand), nil
	},
}

// notWritten are the keys WriteProcesses never writes, each with the
// reason: what they set is written by other keys, or is not a process
// that runs. replicas, disabled and include are keys being added (issue
// 18); they are listed here so that the table says what becomes of them.
var notWritten = map[string]string{
	"env_file": "its variables are written in env, with those of the other env files",
	"replicas": "each instance is written as a process of its own, NAME-1 … NAME-N",
	"disabled": "a disabled process does not run, and is not written",
	"include":  "the processes of an included file are written with the others",
}

// backoffNode writes the fields of the backoff that are not the default.
func backoffNode(s subject) (*yaml.Node, error) {
	b, d := s.cmd.Backoff, s.def.Backoff
	m := mapping()
	if v := duration(b.Min, d.Min); v != nil {
		m.Content = append(m.Content, str("min"), v)
	}
	if v := duration(b.Max, d.Max); v != nil {
		m.Content = append(m.Content, str("max"), v)
	}
	if b.Factor != 0 && b.Factor != d.Factor {
		m.Content = append(m.Content, str("factor"), number(b.Factor))
	}
	if b.NoJitter {
		m.Content = append(m.Content, str("jitter"), boolean(false))
	}
	if len(m.Content) == 0 {
		return nil, nil
	}
	m.Style = yaml.FlowStyle
	return m, nil
}

// limitsNode writes the resource limits, in the order of overseer's
// Resource constants.
func limitsNode(s subject) (*yaml.Node, error) {
	if len(s.cmd.Limits) == 0 {
		return nil, nil
	}
	rs := make([]overseer.Resource, 0, len(s.cmd.Limits))
	for r := range s.cmd.Limits {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	m := mapping()
	for _, r := range rs {
		name, err := r.MarshalText()
		if err != nil {
			return nil, err
		}
		var v *yaml.Node
		switch n := s.cmd.Limits[r]; {
		case n == overseer.Unlimited:
			v = str("unlimited")
		case slices.Contains(byteLimits, r):
			v = size(n)
		default:
			v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(n)}
		}
		m.Content = append(m.Content, str(strings.ToLower(string(name))), v)
	}
	m.Style = yaml.FlowStyle
	return m, nil
}
