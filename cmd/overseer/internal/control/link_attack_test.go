//go:build linux

package control

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// linkOfNobody makes, in a new directory nobody can reach, a directory of
// root's only (od) and one of nobody's (nob) where nobody puts a link l to
// od; it returns od and the link.
func linkOfNobody(t *testing.T) (od, nob, link string) {
	t.Helper()
	base := socketDir(t)
	require.NoError(t, os.Chmod(base, 0o755))
	od, nob = filepath.Join(base, "od"), filepath.Join(base, "nob")
	require.NoError(t, os.Mkdir(od, 0o700))
	require.NoError(t, os.Mkdir(nob, 0o755))
	require.NoError(t, os.Chown(nob, 65534, 65534))
	link = filepath.Join(nob, "l")
	out, err := exec.Command("runuser", "-u", "nobody", "--", "ln", "-s", od, link).CombinedOutput()
	require.NoError(t, err, string(out))
	return od, nob, link
}

// The security review's attack: nobody links, from a directory of theirs,
// to a directory of root's. The directories the link leads to are root's,
// but nobody chose them: the server refuses to listen there, makes
// nothing there, and a client refuses to connect, even to root's own
// server at the end of the link.
func TestAttackLinkInDirOfAnotherUser(t *testing.T) {
	testbuild.NeedRoot(t)
	od, nob, link := linkOfNobody(t)
	want := "directory " + nob + " above it belongs to uid 65534, neither you (uid 0) nor root"
	for _, path := range []string{filepath.Join(link, "c.sock"), filepath.Join(link, "new", "c.sock")} {
		err := (&Server{Path: path}).Listen()
		require.ErrorIs(t, err, ErrUnsafe)
		assert.ErrorContains(t, err, "unsafe socket "+path+": "+want)
	}
	entries, err := os.ReadDir(od)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing made in root's directory")

	start(t, &Server{Path: filepath.Join(od, "c.sock")}, overseer.NewOverseer())
	_, err = Do(filepath.Join(link, "c.sock"), Request{Op: OpStatus})
	require.ErrorIs(t, err, ErrUnsafe)
	assert.ErrorContains(t, err, want)
}

// A link of root's, in a directory of root's, to another directory of
// root's is followed, by the server and the client.
func TestLinkInTrustedDirFollowed(t *testing.T) {
	base := socketDir(t)
	od := filepath.Join(base, "od")
	require.NoError(t, os.Mkdir(od, 0o700))
	link := filepath.Join(base, "l")
	require.NoError(t, os.Symlink("od", link))
	path := filepath.Join(link, "c.sock")
	start(t, &Server{Path: path}, overseer.NewOverseer())
	_, err := os.Lstat(filepath.Join(od, "c.sock"))
	require.NoError(t, err, "the socket is where the link leads")
	_, err = Do(path, Request{Op: OpStatus})
	assert.NoError(t, err)
}

// A link in a sticky directory others can write to (as /tmp) is followed
// only if it is the caller's or root's.
func TestAttackLinkOfAnotherUserInStickyDir(t *testing.T) {
	testbuild.NeedRoot(t)
	tmp := tmpLike(t)
	od := filepath.Join(socketDir(t), "od")
	require.NoError(t, os.Mkdir(od, 0o700))
	theirs := filepath.Join(tmp, "theirs")
	require.NoError(t, os.Symlink(od, theirs))
	require.NoError(t, os.Lchown(theirs, 65534, 65534))
	err := (&Server{Path: filepath.Join(theirs, "c.sock")}).Listen()
	require.ErrorIs(t, err, ErrUnsafe)
	assert.ErrorContains(t, err, "symbolic link "+theirs+" on its way belongs to uid 65534")

	roots := filepath.Join(tmp, "roots")
	require.NoError(t, os.Symlink(od, roots))
	start(t, &Server{Path: filepath.Join(roots, "c.sock")}, overseer.NewOverseer())
}
