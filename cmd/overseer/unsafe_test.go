//go:build linux

package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A socket in a directory of another user (nobody) is refused: the client
// says why, sends nothing and exits 2; serve says whose the directory is
// and what to do, and exits 2 before starting anything.
func TestUnsafeSocketRefused(t *testing.T) {
	testbuild.NeedRoot(t)
	dir := filepath.Join(shortDir(t), "taken")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.Chown(dir, 65534, 65534))
	sock := filepath.Join(dir, "c.sock")
	// A server there (nobody's, as far as the directory tells) that
	// answers ok and keeps what it is sent.
	ln, err := net.Listen("unix", sock)
	require.NoError(t, err)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		received bytes.Buffer
	)
	defer wg.Wait()
	defer ln.Close()
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed at the end of the test
			}
			_, _ = io.WriteString(c, `{"ok":true}`+"\n") // to a client that may be gone
			data, _ := io.ReadAll(c)
			_ = c.Close()
			mu.Lock()
			received.Write(data)
			mu.Unlock()
		}
	})

	for _, args := range [][]string{{"status"}, {"stop", "web"}, {"upgrade", "web", "--", "/bin/app", "--password=secret"}} {
		code, out, errOut := ask(t, sock, args[0], args[1:]...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
		assert.Empty(t, out)
		assert.Equal(t, "overseer: control: unsafe socket "+sock+": its directory "+dir+
			" belongs to uid 65534, neither you (uid 0) nor root: that user can replace the socket; use a directory of yours\n", errOut)
	}

	t.Setenv(socketEnv, sock) // checked as -socket is
	code, _, errOut := client(t, "status")
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "overseer: control: unsafe socket "+sock+": its directory "+dir+" belongs to uid 65534")

	// "overseer start NAME" does not ask that server, and says why before
	// it runs the file here in the foreground.
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile("Procfile", []byte("web: exec "+prog+" out:here\n"), 0o600))
	var startOut, startErr bytes.Buffer
	code = run([]string{"start", "web"}, &startOut, &startErr)
	assert.Equal(t, 0, code, startErr.String())
	assert.Contains(t, startErr.String(), "overseer start: not asking the server (overseer: control: unsafe socket "+sock)
	assert.Contains(t, startOut.String(), "web | here")

	file := writeFile(t, "Procfile", "web: exec "+prog+" out:never\n")
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"serve", "-f", file, "-socket", sock}, &stdout, &stderr))
	assert.True(t, strings.HasPrefix(stderr.String(), "overseer: control: unsafe socket "+sock+": its directory "+dir+" belongs to uid 65534"), stderr.String())
	assert.NotContains(t, stdout.String(), "never")

	require.NoError(t, ln.Close())
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, received.String(), "the server of another user was told")
}

// The security review's attack on serve: nobody links, from a directory of
// theirs, to a directory of root's; serve -socket through the link is
// refused before anything starts, and nothing is made where it leads.
func TestServeThroughLinkOfAnotherUserRefused(t *testing.T) {
	testbuild.NeedRoot(t)
	base := shortDir(t)
	require.NoError(t, os.Chmod(base, 0o755))
	od, nob := filepath.Join(base, "od"), filepath.Join(base, "nob")
	require.NoError(t, os.Mkdir(od, 0o700))
	require.NoError(t, os.Mkdir(nob, 0o755))
	require.NoError(t, os.Chown(nob, 65534, 65534))
	out, err := exec.Command("runuser", "-u", "nobody", "--", "ln", "-s", od, filepath.Join(nob, "l")).CombinedOutput()
	require.NoError(t, err, string(out))
	sock := filepath.Join(nob, "l", "c.sock")

	file := writeFile(t, "Procfile", "web: exec "+prog+" out:never\n")
	var stdout, stderr bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- run([]string{"serve", "-f", file, "-socket", sock}, &stdout, &stderr) }()
	select {
	case c := <-code:
		assert.Equal(t, 2, c)
	case <-time.After(20 * time.Second): // a bound for a failure only: refusing takes no time
		t.Fatal("serve listened through the link (it is left running)")
	}
	assert.True(t, strings.HasPrefix(stderr.String(), "overseer: control: unsafe socket "+sock+": directory "+nob+" above it belongs to uid 65534"), stderr.String())
	assert.NotContains(t, stdout.String(), "never")
	entries, err := os.ReadDir(od)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing made in root's directory")
}
