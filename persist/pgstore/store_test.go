package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/pgtest"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/internal/sqlrow"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// uniqueTable is a table name no other test uses, so that tests sharing
// the package's server do not see each other's rows.
func uniqueTable(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return "kv_" + hex.EncodeToString(b)
}

func openCfg(t testing.TB, cfg Config) *Store {
	t.Helper()
	s, err := Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newStore(t testing.TB) *Store {
	t.Helper()
	return openCfg(t, Config{ConnString: pgtest.ConnString(t), Table: uniqueTable(t)})
}

// rawConn is a connection of the test's own to the server.
func rawConn(t testing.TB) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), pgtest.ConnString(t))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func TestConformance(t *testing.T) {
	pgtest.ConnString(t) // skips the whole suite under -short
	persisttest.Run(t, persisttest.Factory{
		New: func(t *testing.T) persist.KVStore { return newStore(t) },
		Reopen: func(t *testing.T, closed persist.KVStore) persist.KVStore {
			return openCfg(t, closed.(*Store).cfg)
		},
	})
}

func TestOpenConfig(t *testing.T) {
	dsn := "postgres://u@127.0.0.1:1/db"
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"no conn string", Config{}, "ConnString"},
		{"bad conn string", Config{ConnString: "postgres://u:secret@host:notaport/db"}, "ConnString"},
		{"schema upper case", Config{ConnString: dsn, Schema: "Public"}, "Schema"},
		{"schema with a quote", Config{ConnString: dsn, Schema: `a"b`}, "Schema"},
		{"table starts with a digit", Config{ConnString: dsn, Table: "1kv"}, "Table"},
		{"table with a dot", Config{ConnString: dsn, Table: "a.b"}, "Table"},
		{"table too long", Config{ConnString: dsn, Table: "t234567890123456789012345678901234567890123456789012345678901234"}, "Table"},
		{"negative conns", Config{ConnString: dsn, MaxConns: -1}, "MaxConns"},
		{"negative timeout", Config{ConnString: dsn, Timeout: -time.Second}, "Timeout"},
		{"negative retries", Config{ConnString: dsn, MaxRetries: -1}, "MaxRetries"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
			var ce *ConfigError
			require.True(t, errors.As(err, &ce))
			require.Equal(t, tc.field, ce.Field)
			require.NotContains(t, err.Error(), "secret")
		})
	}
}

// TestOpenConcurrently: processes that open the same new schema and table
// at once all succeed (the advisory lock), and share the data.
func TestOpenConcurrently(t *testing.T) {
	cfg := Config{ConnString: pgtest.ConnString(t), Schema: "s_" + uniqueTable(t), Table: "kv"}
	stores := make([]*Store, 4)
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(context.Background(), cfg)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err)
		t.Cleanup(func() { stores[i].Close() })
	}
	ctx := context.Background()
	require.NoError(t, stores[0].Write(ctx, persist.Namespace{}, "k", []byte("v")))
	got, err := stores[3].Read(ctx, persist.Namespace{}, "k")
	require.NoError(t, err)
	require.Equal(t, []byte("v"), got)
}

func TestForeignAndNewerTables(t *testing.T) {
	c := rawConn(t)
	ctx := context.Background()
	foreign, newer := uniqueTable(t), uniqueTable(t)
	_, err := c.Exec(ctx, "CREATE TABLE "+foreign+" (a int)")
	require.NoError(t, err)
	_, err = Open(ctx, Config{ConnString: pgtest.ConnString(t), Table: foreign})
	require.ErrorIs(t, err, ErrForeignTable)

	s := openCfg(t, Config{ConnString: pgtest.ConnString(t), Table: newer})
	require.NoError(t, s.Close())
	_, err = c.Exec(ctx, "COMMENT ON TABLE "+newer+" IS 'lnkit persist kv v2'")
	require.NoError(t, err)
	_, err = Open(ctx, Config{ConnString: pgtest.ConnString(t), Table: newer})
	require.ErrorIs(t, err, ErrNewerSchema)
}

func TestCorruptRows(t *testing.T) {
	ns := persist.Namespace{Primary: "mon"}
	tests := []struct {
		name    string
		tamper  string
		listErr bool
	}{
		{"flipped value", "UPDATE %s SET value = '\\x00'::bytea || substring(value from 2) WHERE key = 'k'", false},
		{"truncated value", "UPDATE %s SET value = substring(value from 1 for 3) WHERE key = 'k'", false},
		{"wrong sum", "UPDATE %s SET sum = sum + 1 WHERE key = 'k'", false},
		{"row moved to another key", "UPDATE %[1]s SET value = o.value, sum = o.sum FROM %[1]s o WHERE %[1]s.key = 'k' AND o.key = 'other'", false},
		{"foreign key name", "INSERT INTO %s VALUES ('mon', '', 'bad/key', '\\x01', 0)", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			ctx := context.Background()
			require.NoError(t, s.Write(ctx, ns, "k", []byte("channel state")))
			require.NoError(t, s.Write(ctx, ns, "other", []byte("another state")))
			_, err := rawConn(t).Exec(ctx, fmt.Sprintf(tc.tamper, s.cfg.Table))
			require.NoError(t, err)
			if tc.listErr {
				_, err := s.List(ctx, ns)
				require.ErrorIs(t, err, persist.ErrCorrupt)
				require.ErrorContains(t, err, "bad/key")
				return
			}
			_, err = s.Read(ctx, ns, "k")
			require.ErrorIs(t, err, persist.ErrCorrupt)
			var pe *persist.Error
			require.True(t, errors.As(err, &pe))
			require.Equal(t, "k", pe.Key)
			got, err := s.Read(ctx, ns, "other")
			require.NoError(t, err, "the other key is untouched")
			require.Equal(t, []byte("another state"), got)
		})
	}
}

// TestConcurrentBatchesSameKeys: writers of two stores on one table (two
// processes, each with its own committer), whose batches overwrite the same
// keys in different orders, all succeed, PostgreSQL's serialization aborts
// retried, and every key ends with the value of the same batch: no batch
// was applied in part.
func TestConcurrentBatchesSameKeys(t *testing.T) {
	s := newStore(t)
	stores := []*Store{s, openCfg(t, s.cfg)}
	ctx := context.Background()
	ns := persist.Namespace{Primary: "chan"}
	keys := []string{"a", "b", "c", "d", "e"}
	const writers, rounds = 8, 15
	errs := make(chan error, writers*rounds)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				v := []byte(fmt.Sprintf("w%d-r%d", w, r))
				ops := make([]persist.Op, len(keys))
				for i := range keys {
					k := keys[(i+w)%len(keys)] // each writer its own order
					ops[i] = persist.WriteOp(ns, k, v)
				}
				errs <- stores[w%2].Apply(ctx, ops)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	first, err := s.Read(ctx, ns, keys[0])
	require.NoError(t, err)
	for _, k := range keys[1:] {
		got, err := s.Read(ctx, ns, k)
		require.NoError(t, err)
		require.Equal(t, string(first), string(got), "key %s", k)
	}
}

// TestDeadline: a write blocked by another transaction's row lock gives up
// at its context's deadline, or at Config.Timeout, and the store stays
// usable.
func TestDeadline(t *testing.T) {
	cfg := Config{ConnString: pgtest.ConnString(t), Table: uniqueTable(t)}
	s := openCfg(t, cfg)
	s.cfg.Timeout = 300 * time.Millisecond // after Open, which a loaded machine may take longer for
	ctx := context.Background()
	ns := persist.Namespace{}
	require.NoError(t, s.Write(ctx, ns, "k", []byte("v1")))

	c := rawConn(t)
	tx, err := c.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "SELECT 1 FROM "+cfg.Table+" WHERE key = 'k' FOR UPDATE")
	require.NoError(t, err)

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.Write(short, ns, "k", []byte("v2")), context.DeadlineExceeded, "caller's deadline")
	require.ErrorIs(t, s.Write(ctx, ns, "k", []byte("v2")), context.DeadlineExceeded, "Config.Timeout")
	require.ErrorIs(t, s.Apply(ctx, []persist.Op{persist.WriteOp(ns, "k", []byte("v2"))}), context.DeadlineExceeded, "apply")

	require.NoError(t, tx.Rollback(ctx))
	require.NoError(t, s.Write(ctx, ns, "k", []byte("v3")))
	got, err := s.Read(ctx, ns, "k")
	require.NoError(t, err)
	require.Equal(t, []byte("v3"), got)
}

// TestConnectionsKilled: when the server drops the store's connections
// (a restart, a failover), the pool connects again and the store goes on.
func TestConnectionsKilled(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ns := persist.Namespace{}
	require.NoError(t, s.Write(ctx, ns, "k", []byte("v")))
	var killed int
	require.NoError(t, rawConn(t).QueryRow(ctx,
		"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'").Scan(&killed))
	require.Positive(t, killed)
	// A use of a dead connection may fail once; the pool then drops that
	// connection. It holds at most DefaultMaxConns of them.
	for _, op := range []func() error{
		func() error { _, err := s.Read(ctx, ns, "k"); return err },
		func() error { return s.Write(ctx, ns, "k2", []byte("v")) },
	} {
		var err error
		for range DefaultMaxConns + 1 {
			if err = op(); err == nil {
				break
			}
		}
		require.NoError(t, err)
	}
}

// TestSynchronousCommitForcedOn: a connection string that turns
// synchronous_commit off does not make Write return before the commit is
// durable.
func TestSynchronousCommitForcedOn(t *testing.T) {
	dsn := pgtest.ConnString(t) + "&options=-c%20synchronous_commit%3Doff"
	s := openCfg(t, Config{ConnString: dsn, Table: uniqueTable(t)})
	var setting string
	require.NoError(t, s.pool.QueryRow(context.Background(), "SHOW synchronous_commit").Scan(&setting))
	require.Equal(t, "on", setting)
}

// TestClosePool: Close while readers and batches run waits for them; each
// call succeeds or returns ErrClosed, and the pool's connections are gone
// from the server afterwards.
func TestClosePool(t *testing.T) {
	s := newStore(t)
	ns := persist.Namespace{Primary: "p"}
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, ns, "k", []byte("v")))
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				var err error
				if w%2 == 0 {
					_, err = s.Read(ctx, ns, "k")
				} else {
					err = s.Apply(ctx, []persist.Op{persist.WriteOp(ns, fmt.Sprintf("b%d", i), nil), persist.WriteOp(ns, "k", []byte("v"))})
				}
				if errors.Is(err, persist.ErrClosed) {
					return
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, s.Close())
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// A backend leaves pg_stat_activity a moment after its client hung up.
	raw := rawConn(t)
	require.Eventually(t, func() bool {
		var conns int
		err := raw.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "+
			"AND backend_type = 'client backend' AND query LIKE '%"+s.cfg.Table+"%'").Scan(&conns)
		return err == nil && conns == 0
	}, 10*time.Second, 20*time.Millisecond, "connections of the closed pool remain")
}

// TestGroupFailureIsolated: when a group commit fails for one call's ops,
// each call is committed alone: the failing call gets its error, the
// others commit.
func TestGroupFailureIsolated(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ns := persist.Namespace{Primary: "p"}
	// A trigger refuses key "bad", as a constraint or a full disk would.
	c := rawConn(t)
	_, err := c.Exec(ctx, `CREATE FUNCTION `+s.cfg.Table+`_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.key = 'bad' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`)
	require.NoError(t, err)
	_, err = c.Exec(ctx, "CREATE TRIGGER refuse BEFORE INSERT ON "+s.cfg.Table+" FOR EACH ROW EXECUTE FUNCTION "+s.cfg.Table+"_refuse()")
	require.NoError(t, err)
	good := sqlrow.NewRequest([]persist.Op{persist.WriteOp(ns, "good", []byte("1"))})
	bad := sqlrow.NewRequest([]persist.Op{persist.WriteOp(ns, "also", []byte("2")), persist.WriteOp(ns, "bad", []byte("3"))})
	after := sqlrow.NewRequest([]persist.Op{persist.RemoveOp(ns, "good"), persist.WriteOp(ns, "last", []byte("4"))})
	s.commitGroup([]*sqlrow.Request{good, bad, after})
	require.NoError(t, <-good.Done)
	require.ErrorContains(t, <-bad.Done, "refused")
	require.NoError(t, <-after.Done)
	keys, err := s.List(ctx, ns)
	require.NoError(t, err)
	require.Equal(t, []string{"last"}, keys, "bad's batch left nothing, after's applied")
}

// TestSerializationFailureRetried: a batch whose row another transaction
// changed after the batch's snapshot fails with a serialization failure in
// PostgreSQL, and the store retries it to success.
func TestSerializationFailureRetried(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ns := persist.Namespace{}
	require.NoError(t, s.Write(ctx, ns, "a", []byte("0")))
	c := rawConn(t)
	tx, err := c.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "UPDATE "+s.cfg.Table+" SET value = value WHERE key = 'a'")
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() {
		done <- s.Apply(ctx, []persist.Op{persist.WriteOp(ns, "a", []byte("1")), persist.WriteOp(ns, "b", []byte("1"))})
	}()
	// Wait until the batch's transaction is blocked on row a, then let
	// the other transaction commit under it.
	watch := rawConn(t)
	require.Eventually(t, func() bool {
		var waiting int
		err := watch.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE NOT granted").Scan(&waiting)
		return err == nil && waiting > 0
	}, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, tx.Commit(ctx))
	require.NoError(t, <-done)
	require.Positive(t, s.retries.Load(), "the batch was retried")
	got, err := s.Read(ctx, ns, "a")
	require.NoError(t, err)
	require.Equal(t, []byte("1"), got)
}
