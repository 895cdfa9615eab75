package pgstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SchemaVersion is the version of the table layout this package writes,
// kept in the table's comment as commentPrefix + version.
const SchemaVersion = 1

const commentPrefix = "lnkit persist kv v"

// ErrNewerSchema: the table was made by a newer lnkit whose layout this
// version does not know.
var ErrNewerSchema = errors.New("pgstore: table schema is newer than this version of lnkit")

// ErrForeignTable: a table of the configured name exists and is not one an
// lnkit store made.
var ErrForeignTable = errors.New("pgstore: table exists and is not lnkit's")

// ErrNotDurable: the server runs with fsync off, so a commit is not on disk.
var ErrNotDurable = errors.New("pgstore: server runs with fsync off: commits are not durable")

const createTable = `CREATE TABLE %s (
	primary_ns   text COLLATE "C" NOT NULL,
	secondary_ns text COLLATE "C" NOT NULL,
	key          text COLLATE "C" NOT NULL,
	value        bytea NOT NULL,
	sum          bigint NOT NULL,
	PRIMARY KEY (primary_ns, secondary_ns, key)
)`

// migrate creates or checks the table (see the package doc) in one
// transaction holding an advisory lock named after the table.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema, table string) error {
	var fsync string
	if err := pool.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil {
		return err
	}
	if fsync != "on" {
		return ErrNotDurable
	}
	qualified := pgx.Identifier{schema, table}.Sanitize()
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey(qualified)); err != nil {
			return err
		}
		var comment *string
		var exists bool
		err := tx.QueryRow(ctx,
			"SELECT to_regclass($1) IS NOT NULL, obj_description(to_regclass($1), 'pg_class')", qualified).Scan(&exists, &comment)
		if err != nil {
			return err
		}
		if !exists {
			return create(ctx, tx, schema, qualified)
		}
		version, ok := parseComment(comment)
		switch {
		case !ok:
			return fmt.Errorf("%w: %s", ErrForeignTable, qualified)
		case version > SchemaVersion:
			return fmt.Errorf("%w: %s is version %d, this version knows %d", ErrNewerSchema, qualified, version, SchemaVersion)
		}
		// Version 1 is the only one so far: nothing to migrate. Check the
		// columns the statements use.
		_, err = tx.Exec(ctx, "SELECT primary_ns, secondary_ns, key, value, sum FROM "+qualified+" LIMIT 0")
		return err
	})
}

func create(ctx context.Context, tx pgx.Tx, schema, qualified string) error {
	var schemaExists bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&schemaExists); err != nil {
		return err
	}
	if !schemaExists {
		if _, err := tx.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, fmt.Sprintf(createTable, qualified)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, fmt.Sprintf("COMMENT ON TABLE %s IS '%s%d'", qualified, commentPrefix, SchemaVersion))
	return err
}

func parseComment(c *string) (int, bool) {
	if c == nil || !strings.HasPrefix(*c, commentPrefix) {
		return 0, false
	}
	v, err := strconv.Atoi(strings.TrimPrefix(*c, commentPrefix))
	return v, err == nil && v > 0
}

// lockKey is the advisory lock that serialises Opens of one table.
func lockKey(qualified string) int64 {
	h := fnv.New64a()
	h.Write([]byte("lnkit persist schema " + qualified))
	return int64(h.Sum64())
}
