package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// deadAddr returns a 127.0.0.1 address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestFailedStartLeavesNoSeed: a start that cannot reach the chain daemon
// creates no seed, and removes a data directory it created itself; one
// that existed stays.
func TestFailedStartLeavesNoSeed(t *testing.T) {
	tests := []struct {
		name   string
		exists bool
	}{
		{"new data directory", false},
		{"existing data directory", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "node")
			if tc.exists {
				require.NoError(t, os.Mkdir(dir, 0o700))
			}
			var stderr bytes.Buffer
			args := []string{"u:p@" + deadAddr(t), dir, "0"}
			require.Equal(t, 1, run(context.Background(), args, strings.NewReader(""), io.Discard, &stderr))
			require.Contains(t, stderr.String(), "chain RPC")
			_, err := os.Stat(filepath.Join(dir, seedFileName))
			require.ErrorIs(t, err, os.ErrNotExist, "no seed")
			_, err = os.Stat(dir)
			if tc.exists {
				require.NoError(t, err, "an existing data directory is kept")
			} else {
				require.ErrorIs(t, err, os.ErrNotExist, "the data directory this start created is removed")
			}
		})
	}
}

// TestHTTPSWithoutRPCCert: a TLS server (as btcd's RPC is) asked in plain
// HTTP answers 400; the node says to add --rpccert.
func TestHTTPSWithoutRPCCert(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "https://")
	var stderr bytes.Buffer
	args := []string{"u:p@" + host, filepath.Join(t.TempDir(), "node"), "0"}
	require.Equal(t, 1, run(context.Background(), args, strings.NewReader(""), io.Discard, &stderr))
	require.Contains(t, stderr.String(), "HTTP 400")
	require.Contains(t, stderr.String(), "add --rpccert")
	require.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
}
