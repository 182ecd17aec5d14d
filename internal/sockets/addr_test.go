package sockets

import (
	"strings"
	"testing"
)

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Addr
		err  string
	}{
		{in: "tcp://127.0.0.1:8080", want: Addr{"tcp", "127.0.0.1:8080"}},
		{in: "tcp4://:0", want: Addr{"tcp4", ":0"}},
		{in: "tcp6://[::1]:65535", want: Addr{"tcp6", "[::1]:65535"}},
		{in: "tcp://localhost:80", want: Addr{"tcp", "localhost:80"}},
		{in: "unix:///run/x.sock", want: Addr{"unix", "/run/x.sock"}},
		{in: "127.0.0.1:80", err: "not network://address"},
		{in: "udp://127.0.0.1:80", err: `network "udp"`},
		{in: "tcp://127.0.0.1", err: "missing port"},
		{in: "tcp://127.0.0.1:65536", err: "not a number from 0 to 65535"},
		{in: "tcp://127.0.0.1:080", err: "not a number from 0 to 65535"},
		{in: "tcp://example.com:80", err: "not an IP address"},
		{in: "unix://relative.sock", err: "absolute path"},
		{in: "unix:///" + strings.Repeat("x", MaxUnixPath), err: "longer than 107"},
		{in: "unix:///a\x00b", err: "NUL byte"},
	} {
		got, err := ParseAddr(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseAddr(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAddr(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("ParseAddr(%q).String() = %q", tc.in, got.String())
		}
	}
}

func TestAddrTakes(t *testing.T) {
	for _, tc := range []struct {
		listener, target string
		want             bool
	}{
		{"tcp://127.0.0.1:8080", "127.0.0.1:8080", true},
		{"tcp://:8080", "localhost:8080", true},       // every address
		{"tcp://0.0.0.0:8080", "10.1.2.3:8080", true}, // every address
		{"tcp://[::1]:8080", "127.0.0.1:8080", true},  // both loopback
		{"tcp://127.0.0.1:8080", ":8080", true},       // no host: the local system
		{"tcp://localhost:8080", "[::1]:8080", true},
		{"tcp://127.0.0.1:8080", "127.0.0.1:8081", false},
		{"tcp://10.1.2.3:8080", "127.0.0.1:8080", false},
		{"tcp://127.0.0.1:8080", "10.1.2.3:8080", false},
		{"tcp://127.0.0.1:0", "127.0.0.1:0", false}, // port not chosen yet
		{"tcp://127.0.0.1:8080", "not an address", false},
		{"unix:///run/x.sock", "/run/x.sock", false},
	} {
		a, err := ParseAddr(tc.listener)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Takes(tc.target); got != tc.want {
			t.Errorf("%v.Takes(%q) = %v, want %v", a, tc.target, got, tc.want)
		}
	}
}
