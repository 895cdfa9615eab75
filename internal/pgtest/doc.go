// Package pgtest starts a private PostgreSQL server for tests: the server
// persist/pgstore's tests (and any other package's) run against, started by
// the project itself so that CI needs nothing but Debian's postgresql
// package (the Makefile's pgserver target installs it when missing).
//
// Start finds Debian's binaries (/usr/lib/postgresql/<version>/bin, the
// newest version), runs initdb for a new cluster in a temporary directory
// (trust authentication, user postgres, locale C) and starts postgres on
// 127.0.0.1 on a free port, with its unix socket in the same directory.
// PostgreSQL refuses to run as root: when the test runs as root, initdb and
// postgres run as the unprivileged system user lnkit-pg, created with
// useradd when missing, and the directory is handed to that user. The
// server runs with fsync on (a store's durability claims and its benchmarks
// are real); initdb skips its own fsyncs, as the cluster is thrown away.
//
// Stop ends exactly that process: SIGINT (PostgreSQL's fast shutdown, which
// disconnects clients; its SIGTERM would wait for them), then SIGKILL after a
// grace period; and the kernel kills it if the test binary dies first
// (Pdeathsig). On failure the tail of the server's log is printed.
//
// One server serves a whole test package: its TestMain calls Main, and tests
// call ConnString. Main passes the server's address to the tests through the
// process environment (LNKIT_PGTEST_DSN) rather than a package variable.
// Under -short no server starts and ConnString skips the test; otherwise a
// server that cannot start fails the package, never skips it.
package pgtest
