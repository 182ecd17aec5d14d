package config

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/overseer-go/overseer"
)

// The YAML nodes WriteProcesses writes values as, each in the form the
// parser reads back. The encoder quotes a string that would read as
// another kind ("077", "true").

// str is a string.
func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// text is a string, or nil for "" (a key left out).
func text(s string) *yaml.Node {
	if s == "" {
		return nil
	}
	return str(s)
}

// integer is a whole number.
func integer(n int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(n, 10)}
}

// count is a whole number, or nil for 0 or def.
func count(n, def int) *yaml.Node {
	if n == 0 || n == def {
		return nil
	}
	return integer(int64(n))
}

// number is a number, as short as it reads back exactly ("0.5", "2").
func number(f float64) *yaml.Node {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	tag := "!!float"
	if !strings.Contains(s, ".") {
		tag = "!!int"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s}
}

// flag is true, or nil for false: the default of every boolean key but
// backoff's jitter (see boolean).
func flag(b bool) *yaml.Node {
	if !b {
		return nil
	}
	return boolean(true)
}

// boolean is true or false.
func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

// duration is a Go duration ("1m30s"), or nil for 0 or def.
func duration(d, def time.Duration) *yaml.Node {
	if d == 0 || d == def {
		return nil
	}
	return str(d.String())
}

// size is a size: a whole number of GiB, MiB or KiB ("4MiB"), else a
// number of bytes.
func size(n uint64) *yaml.Node {
	for _, u := range []struct {
		suffix string
		n      uint64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.n && n%u.n == 0 {
			return str(strconv.FormatUint(n/u.n, 10) + u.suffix)
		}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(n, 10)}
}

// sizeIf is a size, or nil for 0 or def.
func sizeIf(n, def int) *yaml.Node {
	if n <= 0 || n == def {
		return nil
	}
	return size(uint64(n))
}

// strList is a list of strings on one line ([a, b]), or nil for none.
func strList(items []string) *yaml.Node {
	if len(items) == 0 {
		return nil
	}
	l := flowList()
	for _, s := range items {
		l.Content = append(l.Content, str(s))
	}
	return l
}

// flowList is an empty list written on one line.
func flowList() *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
}

// mapping is a mapping of keys and values, in turn.
func mapping(kv ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: kv}
}

// signalNames are the names signalName looks signals up by, without SIG,
// those of POSIX and Linux: a name overseer.ParseSignal does not know here
// is passed over.
var signalNames = []string{
	"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
	"PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
	"XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS", "EMT", "INFO",
}

// signalName returns the name of sig, "SIGTERM", as stop_signal takes it.
func signalName(sig syscall.Signal) (string, error) {
	for _, name := range signalNames {
		if s, err := overseer.ParseSignal(name); err == nil && s == sig {
			return "SIG" + name, nil
		}
	}
	return "", fmt.Errorf("signal %d has no name a file can give", int(sig))
}
