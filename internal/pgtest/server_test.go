package pgtest

import (
	"net"
	"os"
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
	dir, err := findBinDir()
	require.NoError(t, err, "PostgreSQL must be installed (make pgserver)")
	require.FileExists(t, dir+"/postgres")
	require.FileExists(t, dir+"/initdb")
}
