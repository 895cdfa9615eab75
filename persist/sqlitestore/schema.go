package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SchemaVersion is the version of the table layout this package writes,
// kept in the database's PRAGMA user_version.
const SchemaVersion = 1

// ErrNewerSchema: the database was written by a newer lnkit whose table
// layout this version does not know.
var ErrNewerSchema = errors.New("sqlitestore: database schema is newer than this version of lnkit")

const createTable = `CREATE TABLE IF NOT EXISTS kv (
	primary_ns   TEXT NOT NULL,
	secondary_ns TEXT NOT NULL,
	key          TEXT NOT NULL,
	value        BLOB NOT NULL,
	sum          INTEGER NOT NULL,
	PRIMARY KEY (primary_ns, secondary_ns, key)
) STRICT`

// migrate brings the database to SchemaVersion in one transaction: a new
// (version 0) database gets the table; a version-1 one is checked to have
// it. A later version adds its steps here, each guarded by the version it
// starts from.
func migrate(ctx context.Context, db *sql.DB, path string) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
			err = fmt.Errorf("sqlitestore: open %s: %w", path, err)
		}
	}()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	switch {
	case version > SchemaVersion:
		return fmt.Errorf("%w: user_version %d, this version knows %d", ErrNewerSchema, version, SchemaVersion)
	case version == 0:
		if _, err := tx.ExecContext(ctx, createTable); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion)); err != nil {
			return err
		}
	}
	// The table has the columns the statements use (a foreign database
	// that happens to have a kv table fails here, not on the first read).
	if _, err := tx.ExecContext(ctx, "SELECT primary_ns, secondary_ns, key, value, sum FROM kv LIMIT 0"); err != nil {
		return fmt.Errorf("table kv is not lnkit's: %w", err)
	}
	return tx.Commit()
}
