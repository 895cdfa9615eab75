package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/internal/sqlrow"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Store is a persist.KVStore in a SQLite database file. It is safe for
// concurrent use.
type Store struct {
	writes sqlrow.Writer // Write, Remove and Apply, through commit

	path      string
	db        *sql.DB
	gate      sqlrow.Gate
	read      *sql.Stmt
	list      *sql.Stmt
	wconn     *sql.Conn         // the one connection writes use, by the committer only
	put       *sql.Stmt         // prepared on the pool, so a tx on wconn reuses its copy there
	del       *sql.Stmt         // likewise
	committer *sqlrow.Committer // every write goes through it (commit.go)
}

var _ persist.KVStore = (*Store)(nil)

// Open opens (creating when missing) the database at cfg.Path. A bad Config
// gives an error matching ErrInvalidConfig; a database written by a newer
// lnkit, ErrNewerSchema.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	path, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, configerr.New("sqlitestore", "Path", err.Error())
	}
	if err := createFile(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, cfg))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(cfg.MaxReaders + 1)
	db.SetMaxIdleConns(cfg.MaxReaders + 1)
	s := &Store{path: path, db: db}
	s.writes = sqlrow.Writer{Commit: s.commit}
	if err := s.init(ctx, path); err != nil {
		db.Close()
		return nil, err
	}
	s.committer = sqlrow.StartCommitter(s.commitGroup)
	return s, nil
}

// createFile creates the database file with mode 0600 when it is missing,
// so that SQLite (which gives its -wal and -shm files the database file's
// mode) never makes a file others can read.
func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: create %s: %w", path, err)
	}
	return f.Close()
}

// dsn is the driver's name for the database: a file: URI (so that no byte
// of the path is taken for a parameter) with the pragmas every connection
// runs. _txlock=immediate makes a transaction take the write lock at BEGIN,
// so that it never fails to upgrade a read lock halfway.
func dsn(path string, cfg Config) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(cfg.BusyTimeout.Milliseconds()))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	return (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String()
}

// init checks the journal mode, creates or checks the table, and prepares
// the statements.
func (s *Store) init(ctx context.Context, path string) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("sqlitestore: open %s: journal mode is %q, not wal", path, mode)
	}
	if err := migrate(ctx, s.db, path); err != nil {
		return err
	}
	var err error
	if s.wconn, err = s.db.Conn(ctx); err != nil {
		return fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		prep func(context.Context, string) (*sql.Stmt, error)
		sql  string
	}{
		{&s.read, s.db.PrepareContext, "SELECT value, sum FROM kv WHERE primary_ns = ? AND secondary_ns = ? AND key = ?"},
		{&s.list, s.db.PrepareContext, "SELECT key FROM kv WHERE primary_ns = ? AND secondary_ns = ? ORDER BY key"},
		{&s.put, s.db.PrepareContext, "INSERT INTO kv (primary_ns, secondary_ns, key, value, sum) VALUES (?, ?, ?, ?, ?) " +
			"ON CONFLICT (primary_ns, secondary_ns, key) DO UPDATE SET value = excluded.value, sum = excluded.sum"},
		{&s.del, s.db.PrepareContext, "DELETE FROM kv WHERE primary_ns = ? AND secondary_ns = ? AND key = ?"},
	} {
		if *p.stmt, err = p.prep(ctx, p.sql); err != nil {
			return fmt.Errorf("sqlitestore: open %s: prepare: %w", path, err)
		}
	}
	return nil
}

// Read implements persist.KVStore.
func (s *Store) Read(ctx context.Context, ns persist.Namespace, key string) ([]byte, error) {
	if err := persist.ValidateKey(ns, key); err != nil {
		return nil, err
	}
	if err := s.gate.Enter(ctx); err != nil {
		return nil, &persist.Error{Op: "read", NS: ns, Key: key, Err: err}
	}
	defer s.gate.Leave()
	var value []byte
	var sum int64
	err := s.read.QueryRowContext(ctx, ns.Primary, ns.Secondary, key).Scan(&value, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		err = persist.ErrNotFound
	}
	if err == nil {
		if value == nil {
			value = []byte{}
		}
		err = sqlrow.CheckRow(ns, key, value, sum)
	}
	if err != nil {
		return nil, &persist.Error{Op: "read", NS: ns, Key: key, Err: err}
	}
	return value, nil
}

// List implements persist.KVStore.
func (s *Store) List(ctx context.Context, ns persist.Namespace) ([]string, error) {
	if err := persist.ValidateNamespace(ns); err != nil {
		return nil, err
	}
	if err := s.gate.Enter(ctx); err != nil {
		return nil, &persist.Error{Op: "list", NS: ns, Err: err}
	}
	defer s.gate.Leave()
	keys, err := s.listKeys(ctx, ns)
	if err != nil {
		return nil, err
	}
	return keys, nil
}

func (s *Store) listKeys(ctx context.Context, ns persist.Namespace) ([]string, error) {
	rows, err := s.list.QueryContext(ctx, ns.Primary, ns.Secondary)
	if err != nil {
		return nil, &persist.Error{Op: "list", NS: ns, Err: err}
	}
	defer rows.Close()
	keys := []string{}
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, &persist.Error{Op: "list", NS: ns, Err: err}
		}
		if err := sqlrow.CheckListedKey(ns, key); err != nil {
			return nil, &persist.Error{Op: "list", NS: ns, Key: key, Err: err}
		}
		keys = append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return nil, &persist.Error{Op: "list", NS: ns, Err: err}
	}
	return keys, nil
}

// nonNil keeps an empty value a zero-length BLOB rather than NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Close implements persist.KVStore: it waits for running operations, then
// closes the database. Later calls return nil.
func (s *Store) Close() error {
	if !s.gate.Close() {
		return nil
	}
	s.committer.Stop()
	var errs []error
	for _, st := range []*sql.Stmt{s.read, s.list, s.put, s.del} {
		errs = append(errs, st.Close())
	}
	errs = append(errs, s.wconn.Close(), s.db.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlitestore: close: %w", err)
	}
	return nil
}

// Write implements persist.KVStore.
func (s *Store) Write(ctx context.Context, ns persist.Namespace, key string, value []byte) error {
	return s.writes.Write(ctx, ns, key, value)
}

// Remove implements persist.KVStore.
func (s *Store) Remove(ctx context.Context, ns persist.Namespace, key string) error {
	return s.writes.Remove(ctx, ns, key)
}

// Apply implements persist.KVStore: the ops commit together, in one
// transaction.
func (s *Store) Apply(ctx context.Context, ops []persist.Op) error {
	return s.writes.Apply(ctx, ops)
}
