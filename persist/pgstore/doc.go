// Package pgstore is a persist.KVStore in a PostgreSQL table, through
// github.com/jackc/pgx/v5 (a pgxpool connection pool). It is the store for
// a node that outgrows one machine: an LSP back end on a replicated
// PostgreSQL. Only this package imports pgx, so an application that uses
// another store does not link it.
//
// Everything lives in one table, by default public.lnkit_kv (Config.Schema,
// Config.Table):
//
//	CREATE TABLE lnkit_kv (
//		primary_ns   text COLLATE "C" NOT NULL,
//		secondary_ns text COLLATE "C" NOT NULL,
//		key          text COLLATE "C" NOT NULL,
//		value        bytea NOT NULL,
//		sum          bigint NOT NULL,
//		PRIMARY KEY (primary_ns, secondary_ns, key)
//	)
//
// The "C" collation makes List's order byte order, whatever the database's
// locale. sum is a CRC-32C of the names and the value (see
// persist/internal/sqlrow): a row whose value does not match it, or a row
// under a key no store could have written, is reported with an error
// matching persist.ErrCorrupt that names the key.
//
// # Schema and migration
//
// Open creates the schema (when missing) and the table (when missing) in one
// transaction under an advisory lock, so that several processes opening at
// once do not race; it is idempotent. The table's comment records the
// layout's version ("lnkit persist kv v1"). A table without that comment is
// not lnkit's and is refused; a newer version is refused with
// ErrNewerSchema. A later version migrates in Open, under the same lock,
// with ALTER statements guarded by the version it starts from, then updates
// the comment.
//
// # Durability and concurrency
//
// A Write or Apply returns nil only after PostgreSQL committed it: with
// synchronous_commit on (a connection whose setting is off gets it turned
// on) and fsync on (Open refuses a server running with fsync off), a commit
// is on disk, and on a replicated server with synchronous standbys it is on
// them too.
//
// One goroutine, the committer, does every write of a store (group
// commit): it takes the calls waiting when it is free, up to 128 Write,
// Remove or Apply calls, and commits their operations together, reduced to
// the last one per key and sent in key order in one round trip, in one
// SERIALIZABLE transaction (or as one statement when a single operation is
// left). Writers arriving during a commit's WAL flush so share the next one.
// When PostgreSQL aborts the transaction for a serialization failure or a
// deadlock against another process's writer, it is retried
// (Config.MaxRetries); when it fails otherwise, each call of the group is
// committed alone, so that a call fails only for its own operations. A call
// waits for the committer no longer than its context allows (bounded by
// Config.Timeout); once taken, it waits for the commit, which runs until the
// latest deadline among its group's callers. Reads use the pool's other
// connections.
// pgx prepares each statement once per connection and reuses it.
package pgstore
