package fsstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
	"github.com/lnkit/lnkit/persist/persisttest"
)

func openAt(t *testing.T, root string) *fsstore.Store {
	t.Helper()
	s, err := fsstore.Open(fsstore.Config{Root: root})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	roots := map[persist.KVStore]string{}
	persisttest.Run(t, persisttest.Factory{
		New: func(t *testing.T) persist.KVStore {
			root := t.TempDir()
			s := openAt(t, root)
			roots[s] = root
			return s
		},
		Reopen: func(t *testing.T, closed persist.KVStore) persist.KVStore {
			return openAt(t, roots[closed])
		},
	})
}
