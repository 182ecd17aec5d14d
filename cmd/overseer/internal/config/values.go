package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"syscall"

	"github.com/overseer-go/overseer"
)

// checkName accepts the names overseer takes as ids, and says what is
// wrong with another, without the "invalid argument" of the sentinel: the
// file's error says that already.
func checkName(name string) error {
	if err := overseer.CheckID(name); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), overseer.ErrInvalid.Error()+": "))
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
	sig, err := overseer.ParseSignal(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a signal name (such as SIGTERM, SIGINT, HUP)", s)
	}
	return sig, nil
}
