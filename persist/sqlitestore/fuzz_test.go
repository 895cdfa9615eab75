package sqlitestore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/internal/sqlrow"
)

// FuzzHostileRow puts an arbitrary row into the table, as another program
// or a damaged disk could, and reads it back through the store: a valid
// row reads as itself; anything else gives an error matching
// persist.ErrCorrupt (or, for a key the store would never ask for, is just
// not found); nothing panics.
func FuzzHostileRow(f *testing.F) {
	ns := persist.Namespace{Primary: "mon", Secondary: "x"}
	f.Add("mon", "x", "k", []byte("state"), int64(sqlrow.Sum(ns, "k", []byte("state"))))
	f.Add("mon", "x", "k", []byte("state"), int64(0))
	f.Add("mon", "x", "a/b", []byte{}, int64(0))
	f.Add("mon", "", "k", []byte{1, 2, 3}, int64(-1))
	f.Add("", "x", "k\x00", []byte(nil), int64(1<<40))
	path := filepath.Join(f.TempDir(), "kv.db")
	s, err := Open(context.Background(), Config{Path: path})
	require.NoError(f, err)
	defer s.Close()
	raw, err := sql.Open("sqlite", path)
	require.NoError(f, err)
	defer raw.Close()
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, primary, secondary, key string, value []byte, sum int64) {
		if value == nil {
			value = []byte{}
		}
		_, err := raw.Exec("INSERT OR REPLACE INTO kv VALUES (?, ?, ?, ?, ?)", primary, secondary, key, value, sum)
		require.NoError(t, err)
		defer func() {
			_, err := raw.Exec("DELETE FROM kv")
			require.NoError(t, err)
		}()
		rowNS := persist.Namespace{Primary: primary, Secondary: secondary}
		if persist.ValidateNamespace(rowNS) == nil {
			keys, err := s.List(ctx, rowNS)
			if persist.ValidateKey(rowNS, key) == nil {
				require.NoError(t, err)
				require.Equal(t, []string{key}, keys)
			} else {
				require.ErrorIs(t, err, persist.ErrCorrupt)
			}
		}
		if persist.ValidateKey(rowNS, key) != nil {
			return
		}
		got, err := s.Read(ctx, rowNS, key)
		if sum == int64(sqlrow.Sum(rowNS, key, value)) {
			require.NoError(t, err)
			require.Equal(t, value, got)
			return
		}
		require.ErrorIs(t, err, persist.ErrCorrupt)
		var pe *persist.Error
		require.ErrorAs(t, err, &pe)
		require.Equal(t, key, pe.Key)
	})
}
