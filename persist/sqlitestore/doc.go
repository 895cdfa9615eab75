// Package sqlitestore is a persist.KVStore kept in one SQLite database file,
// through modernc.org/sqlite (SQLite translated to Go: lnkit stays free of
// cgo). Only this package imports the driver, so an application that uses
// another store does not link it.
//
// The database is in WAL mode with synchronous=FULL: a Write or Apply that
// returns nil has been fsynced to the write-ahead log. Everything lives in
// one table:
//
//	CREATE TABLE kv (
//		primary_ns   TEXT NOT NULL,
//		secondary_ns TEXT NOT NULL,
//		key          TEXT NOT NULL,
//		value        BLOB NOT NULL,
//		sum          INTEGER NOT NULL,
//		PRIMARY KEY (primary_ns, secondary_ns, key)
//	) STRICT
//
// sum is a CRC-32C of the names and the value (see persist/internal/sqlrow):
// a row whose value does not match it, or a row under a key no store could
// have written, is reported with an error matching persist.ErrCorrupt that
// names the key. The schema version is kept in PRAGMA user_version (1); a
// database of a newer version is refused (ErrNewerSchema).
//
// A batch is one transaction. One goroutine, the committer, does every
// write of the store on one connection (group commit): it takes the writes
// waiting when it is free, up to 128 Write, Remove or Apply calls, and
// commits them in one transaction, each inside its own savepoint (a call
// whose statement fails is rolled back alone). Writers arriving during a
// commit's fsync so share the next one, and no call returns before its
// commit is durable. A call waits for the committer no longer than its
// context allows; once taken, it waits for the commit's outcome. SQLite's
// busy handler only comes into play against another process using the same
// file, for up to Config.BusyTimeout. Readers run beside the writer (WAL).
//
// A new database file is created with mode 0600; SQLite gives its -wal and
// -shm files the same mode.
package sqlitestore
