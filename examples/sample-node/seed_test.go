package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
)

func TestLoadOrCreateSeed(t *testing.T) {
	dir := t.TempDir()
	seed, created, err := loadOrCreateSeed(dir)
	require.NoError(t, err)
	require.True(t, created)
	path := filepath.Join(dir, "keys_seed")
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	again, created, err := loadOrCreateSeed(dir)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, seed, again)
	require.Equal(t, keys.NewManager(seed, keys.Config{}).NodeID(), keys.NewManager(again, keys.Config{}).NodeID())
}

func TestLoadOrCreateSeedRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		mode os.FileMode
		err  error
	}{
		{"readable by others", make([]byte, 32), 0o644, keys.ErrSeedFilePermissions},
		{"too short", make([]byte, 31), 0o600, keys.ErrSeedFileSize},
		{"too long", make([]byte, 33), 0o600, keys.ErrSeedFileSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "keys_seed")
			require.NoError(t, os.WriteFile(path, tt.data, tt.mode))
			require.NoError(t, os.Chmod(path, tt.mode))
			_, _, err := loadOrCreateSeed(dir)
			require.ErrorIs(t, err, tt.err)
			// The bad file is left alone: never overwrite a seed.
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tt.data, b)
		})
	}
}
