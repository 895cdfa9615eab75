package fsstore_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
)

// writeLegacyKeyFile writes the key file an earlier version wrote for key
// in ns under root, and returns its path.
func writeLegacyKeyFile(t *testing.T, root string, ns persist.Namespace, key, value string) string {
	t.Helper()
	name, b := fsstore.LegacyKeyFile(root, ns, key, []byte(value))
	require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o700))
	require.NoError(t, os.WriteFile(name, b, 0o600))
	return name
}

// TestLegacyKeyFiles opens a store an earlier version left (a key file
// per key): its keys read and list, a key written or removed goes to a
// pack and its key file goes once the pack is durable, the others stay
// readable; a key file a pack has the key of (a crash between the two)
// is removed by Open, the pack's value winning.
func TestLegacyKeyFiles(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	ns := persist.Namespace{Primary: "chan", Secondary: "c1"}
	files := map[string]string{}
	for _, k := range []string{"a", "b", "c", "Mixed"} {
		files[k] = writeLegacyKeyFile(t, root, ns, k, "legacy "+k)
	}
	s := openAt(t, root)
	keys, err := s.List(ctx, ns)
	require.NoError(t, err)
	require.Equal(t, []string{"Mixed", "a", "b", "c"}, keys)
	got, err := s.Read(ctx, ns, "Mixed")
	require.NoError(t, err)
	require.Equal(t, "legacy Mixed", string(got))
	require.NoError(t, s.Write(ctx, ns, "a", []byte("new a")))
	require.NoError(t, s.Remove(ctx, ns, "b"))
	require.NoError(t, s.Write(ctx, ns, "d", []byte("new d")))
	require.NoError(t, s.Close()) // checkpoints

	for k, gone := range map[string]bool{"a": true, "b": true, "c": false, "Mixed": false} {
		_, err := os.Stat(files[k])
		if gone {
			require.ErrorIs(t, err, fs.ErrNotExist, k)
		} else {
			require.NoError(t, err, k)
		}
	}
	want := map[string]string{"a": "new a", "b": "", "c": "legacy c", "d": "new d", "Mixed": "legacy Mixed"}
	check := func(s *fsstore.Store) {
		t.Helper()
		keys, err := s.List(ctx, ns)
		require.NoError(t, err)
		require.Equal(t, []string{"Mixed", "a", "c", "d"}, keys)
		for k, v := range want {
			got, err := s.Read(ctx, ns, k)
			if v == "" {
				require.ErrorIs(t, err, persist.ErrNotFound)
				continue
			}
			require.NoError(t, err)
			require.Equal(t, v, string(got), k)
		}
	}
	s = openAt(t, root)
	check(s)
	require.NoError(t, s.Close())

	// A crash after a checkpoint's pack, before the key files went.
	writeLegacyKeyFile(t, root, ns, "a", "stale a")
	writeLegacyKeyFile(t, root, ns, "b", "stale b")
	s = openAt(t, root)
	check(s)
	for _, k := range []string{"a", "b"} {
		_, err := os.Stat(files[k])
		require.ErrorIs(t, err, fs.ErrNotExist, k)
	}
}
