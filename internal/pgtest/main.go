package pgtest

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// envDSN carries the server's connection string from Main to the tests of
// the same process.
const envDSN = "LNKIT_PGTEST_DSN"

// logTailLines is how much of the server's log a failure prints.
const logTailLines = 60

// Main runs a test package whose tests need PostgreSQL: it starts one
// server for the package, runs the tests, stops the server and returns the
// exit code. Use it as the package's TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Under -short it starts nothing (ConnString skips). A server that cannot
// start fails the package with the reason and the server's log.
func Main(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	srv, err := StartServer()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	if err := os.Setenv(envDSN, srv.ConnString()); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: pgtest: %v\n", err)
		srv.Stop()
		return 1
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "pgtest: last %d lines of the server log:\n%s\n", logTailLines, srv.LogTail(logTailLines))
	}
	if err := srv.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		code = 1
	}
	return code
}

// ConnString returns the connection string of the server Main started for
// this test package. Under -short it skips the test; without a server (no
// TestMain calling Main) it fails it.
func ConnString(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("integration: needs the PostgreSQL server pgtest starts; run without -short")
	}
	dsn := os.Getenv(envDSN)
	if dsn == "" {
		tb.Fatal("pgtest: no server: the test package's TestMain must call pgtest.Main")
	}
	return dsn
}

// Start starts a server of the test's own, stopped by the test's clean-up
// (which prints the log tail if the test failed). The test fails if the
// server cannot start.
func Start(tb testing.TB) *Server {
	tb.Helper()
	if testing.Short() {
		tb.Skip("integration: starts PostgreSQL; run without -short")
	}
	srv, err := StartServer()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("pgtest: last %d lines of the server log:\n%s", logTailLines, srv.LogTail(logTailLines))
		}
		if err := srv.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return srv
}
