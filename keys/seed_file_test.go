package keys

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeedFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed")
	seed := GenerateSeed(NewDeterministicEntropy([32]byte{6}))
	require.NoError(t, WriteSeedFile(path, seed))

	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, int64(32), info.Size())
	if runtime.GOOS != "windows" {
		require.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
	}

	got, err := ReadSeedFile(path)
	require.NoError(t, err)
	require.Equal(t, seed, got)

	// Never overwrites.
	err = WriteSeedFile(path, Seed{1})
	require.ErrorIs(t, err, fs.ErrExist)
	got, err = ReadSeedFile(path)
	require.NoError(t, err)
	require.Equal(t, seed, got)
}

func TestReadSeedFileErrors(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix permissions")
	}
	dir := t.TempDir()
	write := func(name string, data []byte, mode fs.FileMode) string {
		t.Helper()

		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, mode))
		require.NoError(t, os.Chmod(p, mode))
		return p
	}
	tests := []struct {
		name string
		path string
		want error
	}{
		{"group readable", write("g", make([]byte, 32), 0o640), ErrSeedFilePermissions},
		{"world readable", write("w", make([]byte, 32), 0o604), ErrSeedFilePermissions},
		{"world writable", write("ww", make([]byte, 32), 0o602), ErrSeedFilePermissions},
		{"short", write("short", make([]byte, 31), 0o600), ErrSeedFileSize},
		{"long", write("long", make([]byte, 33), 0o600), ErrSeedFileSize},
		{"empty", write("empty", nil, 0o600), ErrSeedFileSize},
		{"directory", dir, ErrSeedFilePermissions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSeedFile(tc.path)
			require.ErrorIs(t, err, tc.want)
			var sfe *SeedFileError
			require.True(t, errors.As(err, &sfe))
			require.Equal(t, tc.path, sfe.Path)
		})
	}
	// A read-only owner file is fine.
	p := write("ro", make([]byte, 32), 0o400)
	_, err := ReadSeedFile(p)
	require.NoError(t, err)

	_, err = ReadSeedFile(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestWriteSeedFileMissingDir(t *testing.T) {
	err := WriteSeedFile(filepath.Join(t.TempDir(), "no", "such", "seed"), Seed{})
	require.ErrorIs(t, err, fs.ErrNotExist)
}
