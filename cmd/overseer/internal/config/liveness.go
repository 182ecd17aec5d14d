package config

import (
	"fmt"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/overseer-go/overseer"
)

// livenessKeys are the keys of a liveness mapping: one kind of probe, as
// in ready, and when and how often it tries.
var livenessKeys = []string{"line", "tcp", "http", "command", "period", "timeout", "failures", "successes", "initial_delay"}

// livenessSpellings are the names process-compose and Kubernetes give
// what a liveness key sets, each with the key overseer takes for it, for
// the error about an unknown key.
var livenessSpellings = map[string]string{
	"http_get":              "http",
	"tcp_socket":            "tcp",
	"exec":                  "command",
	"period_seconds":        "period",
	"timeout_seconds":       "timeout",
	"failure_threshold":     "failures",
	"success_threshold":     "successes",
	"initial_delay_seconds": "initial_delay",
}

// processSpellings are the names process-compose gives the probe keys of
// a process, each with the key overseer takes for it.
var processSpellings = map[string]string{
	"liveness_probe":  "liveness",
	"readiness_probe": "ready",
	"scale":           "replicas", // Docker Compose's
}

// suggestProcessKey returns what to say of key, unknown in a process: the
// key overseer takes for process-compose's name of it, else a key a slip
// away, else the list (see suggest).
func suggestProcessKey(key string) string {
	if ours, ok := processSpellings[key]; ok {
		return fmt.Sprintf(" (did you mean %s?)", ours)
	}
	return suggest(key, processKeys)
}

// Liveness's defaults, as overseer.Liveness documents them, to check a
// timeout against the period it is left with.
const defaultLivenessPeriod = 10 * time.Second

// liveness reads a liveness probe: a mapping with exactly one of line, tcp,
// http and command, as ready takes them, and the timing of the tries.
func (p *parser) liveness(key string, value *yaml.Node) overseer.Liveness {
	var l overseer.Liveness
	n := deref(value)
	if n.Kind != yaml.MappingNode {
		p.errorf(n.Line, key, "want a mapping with one of %s, not %s", strings.Join(readyKinds, ", "), describe(n))
		return l
	}
	before := p.n
	var kind, kindValue, periodKey, timeoutKey *yaml.Node
	for _, e := range p.entries(n, key) {
		k := key + "." + e.key.Value
		switch e.key.Value {
		case "period":
			periodKey, l.Period = e.key, p.positiveDuration(k, e.value)
		case "timeout":
			timeoutKey, l.Timeout = e.key, p.positiveDuration(k, e.value)
		case "failures":
			l.Failures = p.positive(k, e.value, p.integer)
		case "successes":
			l.Successes = p.positive(k, e.value, p.integer)
		case "initial_delay":
			l.InitialDelay = p.duration(k, e.value)
		case "line", "tcp", "http", "command":
			p.probeKind(&kind, &kindValue, e, k)
		default:
			p.errorf(e.key.Line, k, "unknown key%s", suggestLiveness(e.key.Value))
		}
	}
	if kind == nil {
		p.noProbe(n, key, before)
		return overseer.Liveness{}
	}
	period := l.Period
	if periodKey == nil {
		period = defaultLivenessPeriod
	}
	switch {
	case kind.Value == "line" && timeoutKey != nil:
		p.errorf(timeoutKey.Line, key+".timeout", "a line probe does not wait (it passes when a line matched since the try before: period is how often one must come)")
	case timeoutKey != nil && l.Timeout > period && p.n == before:
		at := "period"
		if periodKey == nil {
			at = "the default period"
		}
		p.errorf(timeoutKey.Line, key+".timeout", "%v is above %s %v (a try ends before the next begins)", l.Timeout, at, period)
	}
	check := p.probe(key+"."+kind.Value, kind.Value, kindValue, 0, 0)
	if p.n > before {
		return overseer.Liveness{}
	}
	l.Check = check
	return l
}

// suggestLiveness returns what to say of key, unknown in a liveness
// mapping: the key overseer takes for another tool's name of it, else a
// key a slip away, else the list (see suggest).
func suggestLiveness(key string) string {
	if ours, ok := livenessSpellings[key]; ok {
		return fmt.Sprintf(" (did you mean %s? overseer takes %s)", ours, livenessHint(ours))
	}
	return suggest(key, livenessKeys)
}

// livenessHint says what value key of liveness takes.
func livenessHint(key string) string {
	switch key {
	case "period", "timeout", "initial_delay":
		return "a duration, such as 10s"
	case "failures", "successes":
		return "a number of tries in a row"
	case "http":
		return "a URL"
	case "tcp":
		return "host:port"
	}
	return "a shell line"
}
