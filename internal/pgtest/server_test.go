package pgtest

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStartStop starts a server, talks to its port, stops it and checks
// that exactly that process is gone and its directory removed.
func TestStartStop(t *testing.T) {
	srv := Start(t)
	c, err := net.DialTimeout("tcp", srv.addr(), time.Second)
	require.NoError(t, err)
	c.Close()
	if os.Geteuid() == 0 {
		fi, err := os.Stat(srv.dataDir())
		require.NoError(t, err)
		require.NotEqual(t, uint32(0), fi.Sys().(*syscall.Stat_t).Uid, "postgres must not run as root")
	}
	pid := srv.PID()
	require.NoError(t, srv.Stop())
	require.True(t, srv.exited())
	require.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "postgres pid %d still exists", pid)
	_, err = os.Stat(srv.Dir())
	require.ErrorIs(t, err, os.ErrNotExist)
	require.NoError(t, srv.Stop(), "a second Stop")
}

func TestFindBinDir(t *testing.T) {
	dir, err := findBinDir(debianRoot)
	require.NoError(t, err, "PostgreSQL must be installed (make pgserver)")
	require.FileExists(t, filepath.Join(dir, "postgres"))
	require.FileExists(t, filepath.Join(dir, "initdb"))

	// The newest complete version wins; a missing one is an error that
	// says how to install it.
	root := t.TempDir()
	for _, f := range []string{"9.6/bin/postgres", "9.6/bin/initdb", "15/bin/postgres", "15/bin/initdb", "16/bin/postgres"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, f), nil, 0o755))
	}
	dir, err = findBinDir(root)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(root, "15", "bin"), dir)
	_, err = findBinDir(t.TempDir())
	require.ErrorContains(t, err, "make pgserver")
}
