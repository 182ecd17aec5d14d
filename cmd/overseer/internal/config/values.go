package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// maxNameBytes bounds the length of a process name, as overseer bounds ids.
const maxNameBytes = 256

// checkName accepts the names overseer takes as ids (its checkID): 1 to 256
// bytes of UTF-8 letters, digits and - _ . : @ +, other than "." and "..".
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty process name")
	case len(name) > maxNameBytes:
		return fmt.Errorf("process name of %d bytes (at most %d)", len(name), maxNameBytes)
	case !utf8.ValidString(name):
		return fmt.Errorf("process name %q is not UTF-8", name)
	case name == "." || name == "..":
		return fmt.Errorf("%q is not a process name", name)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.:@+", r) {
			return fmt.Errorf("process name %q has %q (letters, digits and - _ . : @ + only)", name, r)
		}
	}
	return nil
}

// parseSize reads a size in bytes: a number, with the suffix B, KiB, MiB or
// GiB if any ("4MiB", "4 MiB", "512").
func parseSize(s string) (int, error) {
	num := strings.TrimSpace(s)
	unit := 1
	for _, u := range []struct {
		suffix string
		n      int
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, unit = strings.TrimSpace(rest), u.n
			break
		}
	}
	n, err := strconv.ParseUint(num, 10, 63)
	if err != nil || n > math.MaxInt/uint64(unit) {
		return 0, fmt.Errorf("%q is not a size (a number of bytes, or one with B, KiB, MiB or GiB: 4MiB)", s)
	}
	return int(n) * unit, nil
}

// parseSignal reads a signal by name, with or without "SIG", in any case:
// "SIGINT", "INT", "sigint".
func parseSignal(s string) (syscall.Signal, error) {
	name := strings.ToUpper(strings.TrimSpace(s))
	name = strings.TrimPrefix(name, "SIG")
	if sig, ok := signalByName(name); ok {
		return sig, nil
	}
	return 0, fmt.Errorf("%q is not a signal name (such as SIGTERM, SIGINT, HUP)", s)
}
