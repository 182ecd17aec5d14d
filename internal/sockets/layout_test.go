package sockets

import (
	"os"
	"slices"
	"testing"
)

func TestLayout(t *testing.T) {
	var none Layout
	if none.Listeners() != 0 || none.LifelineFD() != 3 {
		t.Errorf("zero Layout: %d listeners, lifeline %d; want 0, 3", none.Listeners(), none.LifelineFD())
	}
	if got, want := none.Env(), []string{"OVERSEER_LIFELINE_FD=3"}; !slices.Equal(got, want) {
		t.Errorf("zero Layout: Env() = %q, want %q", got, want)
	}

	l := Layout{Names: []string{"web", "admin"}}
	if l.Listeners() != 2 || l.ListenerFD(0) != 3 || l.ListenerFD(1) != 4 || l.LifelineFD() != 5 {
		t.Errorf("%v: listeners %d, fds %d %d, lifeline %d; want 2, 3 4, 5",
			l, l.Listeners(), l.ListenerFD(0), l.ListenerFD(1), l.LifelineFD())
	}
	want := []string{"LISTEN_FDS=2", "LISTEN_FDNAMES=web:admin", "OVERSEER_LIFELINE_FD=5"}
	if got := l.Env(); !slices.Equal(got, want) {
		t.Errorf("Env() = %q, want %q", got, want)
	}

	// ExtraFiles puts file i at fd 3+i, as the fds above say.
	a, b, life := new(os.File), new(os.File), new(os.File) // told apart by address only
	listeners := make([]*os.File, 2, 8)                    // room to append: the caller's slice must not change
	listeners[0], listeners[1] = a, b
	files := l.ExtraFiles(listeners, life)
	if !slices.Equal(files, []*os.File{a, b, life}) {
		t.Errorf("ExtraFiles = %v", files)
	}
	if files[l.ListenerFD(1)-3] != b || files[l.LifelineFD()-3] != life {
		t.Errorf("ExtraFiles disagrees with ListenerFD or LifelineFD")
	}
	if listeners[:3][2] != nil {
		t.Errorf("ExtraFiles wrote into the caller's slice")
	}
}

func TestLifelineFromEnv(t *testing.T) {
	for _, tc := range []struct {
		value string
		fd    int
		ok    bool
	}{
		{"5", 5, true},
		{"3", 3, true},
		{"", 0, false},
		{"2", 0, false}, // standard error is never a lifeline
		{"-1", 0, false},
		{"x", 0, false},
	} {
		getenv := func(key string) string {
			if key == LifelineEnv {
				return tc.value
			}
			return ""
		}
		fd, ok := LifelineFromEnv(getenv)
		if fd != tc.fd || ok != tc.ok {
			t.Errorf("OVERSEER_LIFELINE_FD=%q: %d, %v; want %d, %v", tc.value, fd, ok, tc.fd, tc.ok)
		}
	}
	// The layout's own entry reads back.
	l := Layout{Names: []string{"a"}}
	env := l.Env()
	fd, ok := LifelineFromEnv(func(key string) string {
		for _, kv := range env {
			if len(kv) > len(key) && kv[:len(key)] == key && kv[len(key)] == '=' {
				return kv[len(key)+1:]
			}
		}
		return ""
	})
	if !ok || fd != l.LifelineFD() {
		t.Errorf("LifelineFromEnv(%q) = %d, %v; want %d", env, fd, ok, l.LifelineFD())
	}
}
