package fsstore

import (
	"context"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

// heldReadFS holds the first pack read once armed, until released.
type heldReadFS struct {
	OSFS
	armed, reached, release chan struct{}
	once                    sync.Once
}

type heldReader struct {
	FileReader
	fs *heldReadFS
}

func (h *heldReadFS) Open(name string) (FileReader, error) {
	r, err := h.OSFS.Open(name)
	if err != nil {
		return nil, err
	}
	return &heldReader{r, h}, nil
}

func (r *heldReader) ReadAt(p []byte, off int64) (int, error) {
	select {
	case <-r.fs.armed:
		r.fs.once.Do(func() { close(r.fs.reached); <-r.fs.release })
	default:
	}
	return r.FileReader.ReadAt(p, off)
}

// A Read in its pread of a pack when Close runs gets its value: Close
// closes the packs only once no Read is in one; a Read after Close is
// persist.ErrClosed.
func TestReadRacingClose(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	h := &heldReadFS{armed: make(chan struct{}), reached: make(chan struct{}), release: make(chan struct{})}
	s, err := Open(Config{Root: root, FS: h})
	require.NoError(t, err)
	ns := persist.Namespace{Primary: "p"}
	require.NoError(t, s.Write(ctx, ns, "k", []byte("v")))
	require.NoError(t, s.Close()) // the value goes to a pack
	s, err = Open(Config{Root: root, FS: h})
	require.NoError(t, err)
	close(h.armed)
	type result struct {
		v   []byte
		err error
	}
	read := make(chan result, 1)
	go func() {
		v, err := s.Read(ctx, ns, "k")
		read <- result{v, err}
	}()
	<-h.reached
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	close(h.release)
	r := <-read
	require.NoError(t, r.err)
	require.Equal(t, []byte("v"), r.v)
	require.NoError(t, <-closed)
	_, err = s.Read(ctx, ns, "k")
	require.ErrorIs(t, err, persist.ErrClosed)
}

// A merge the replay of the log starts at Open runs inside Open: none is
// under way when Open returns (one that outlived a failed Open could write
// into a root another Store holds by then).
func TestOpenMergesInline(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, err := OpenInline(Config{Root: root, CheckpointBytes: 1 << 30})
	require.NoError(t, err)
	ns := persist.Namespace{Primary: "p"}
	require.NoError(t, s.Write(ctx, ns, "k0", []byte("a")))
	require.NoError(t, s.checkpoint()) // pack 1
	require.NoError(t, s.Write(ctx, ns, "k1", []byte("b")))
	crashed := filepath.Join(t.TempDir(), "copy")
	require.NoError(t, exec.Command("cp", "-a", root, crashed).Run()) // a crash: pack 1 and the log
	require.NoError(t, s.Close())

	s, err = Open(Config{Root: crashed})
	require.NoError(t, err)
	defer s.Close()
	require.Nil(t, s.merging, "no merge left running by Open")
	for k, want := range map[string]string{"k0": "a", "k1": "b"} {
		v, err := s.Read(ctx, ns, k)
		require.NoError(t, err)
		require.Equal(t, want, string(v))
	}
}
