//go:build unix

package config

import (
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// TestNamesAreOverseerIDs: a name is good exactly when overseer takes it as
// an id.
func TestNamesAreOverseerIDs(t *testing.T) {
	names := []string{
		"web", "web.1", "a-b_c.d:e@f+g", "über", "日本", "٣", "x", strings.Repeat("a", 256),
		"", ".", "..", "...", ".hidden", "a b", "a/b", "a\\b", "a\tb", "a=b", "a$b", "a#b", "a%b", "a?b",
		strings.Repeat("a", 257), "\xff", "a\x00", "é" + strings.Repeat("a", 255), "🙂", "a\u200bb",
	}
	for _, name := range names {
		_, addErr := overseer.NewOverseer().Add(name, "true")
		err := checkName(name)
		assert.Equal(t, addErr == nil, err == nil, "%q: overseer says %v, config says %v", name, addErr, err)
	}
}

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]syscall.Signal{
		"SIGTERM": syscall.SIGTERM, "TERM": syscall.SIGTERM, "term": syscall.SIGTERM, "SigTerm": syscall.SIGTERM,
		" SIGINT ": syscall.SIGINT, "HUP": syscall.SIGHUP, "SIGQUIT": syscall.SIGQUIT, "KILL": syscall.SIGKILL,
		"USR1": syscall.SIGUSR1, "SIGUSR2": syscall.SIGUSR2, "WINCH": syscall.SIGWINCH, "SIGCHLD": syscall.SIGCHLD,
	} {
		got, err := parseSignal(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "SIG", "15", "SIGSIGTERM", "TERMINATE", "SIGRTMIN", "SIG TERM", "-TERM"} {
		_, err := parseSignal(in)
		assert.Error(t, err, in)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int{
		"0": 0, "1": 1, "512B": 512, "512 B": 512, "4KiB": 4 << 10, "64 KiB": 64 << 10, "4MiB": 4 << 20,
		"1GiB": 1 << 30, "16GiB": 16 << 30, " 7 ": 7,
	} {
		got, err := parseSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "B", "MiB", "4MB", "4 mb", "4K", "1.5MiB", "-1", "+1", "0x10", "9223372036854775807KiB", "99999999999999999999"} {
		_, err := parseSize(in)
		assert.Error(t, err, in)
	}
}
