package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/internal/sqlrow"
	"github.com/lnkit/lnkit/persist/persisttest"
)

func openAt(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Config{Path: path})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newStore(t testing.TB) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "kv.db"))
}

func TestConformance(t *testing.T) {
	persisttest.Run(t, persisttest.Factory{
		New: func(t *testing.T) persist.KVStore { return newStore(t) },
		Reopen: func(t *testing.T, closed persist.KVStore) persist.KVStore {
			return openAt(t, closed.(*Store).path)
		},
	})
}

func TestOpenConfig(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"no path", Config{}, "Path"},
		{"negative busy timeout", Config{Path: filepath.Join(dir, "a"), BusyTimeout: -time.Second}, "BusyTimeout"},
		{"busy timeout under 1ms", Config{Path: filepath.Join(dir, "a"), BusyTimeout: time.Microsecond}, "BusyTimeout"},
		{"negative readers", Config{Path: filepath.Join(dir, "a"), MaxReaders: -1}, "MaxReaders"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
			var ce *ConfigError
			require.True(t, errors.As(err, &ce))
			require.Equal(t, tc.field, ce.Field)
		})
	}
}

func TestFileModeAndPragmas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kv.db")
	s := openAt(t, path)
	require.NoError(t, s.Write(context.Background(), persist.Namespace{}, "k", []byte("v")))
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), p)
	}
	var mode string
	var sync, version int
	require.NoError(t, s.db.QueryRow("PRAGMA journal_mode").Scan(&mode))
	require.NoError(t, s.db.QueryRow("PRAGMA synchronous").Scan(&sync))
	require.NoError(t, s.db.QueryRow("PRAGMA user_version").Scan(&version))
	require.Equal(t, "wal", mode)
	require.Equal(t, 2, sync, "synchronous=FULL")
	require.Equal(t, SchemaVersion, version)
}

// rawDB opens the store's file beside it, as another program would.
func rawDB(t *testing.T, s *Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", s.path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestCorruptRows(t *testing.T) {
	ns := persist.Namespace{Primary: "mon"}
	tests := []struct {
		name    string
		tamper  string
		listErr bool
	}{
		{"flipped value", "UPDATE kv SET value = CAST(X'00' || substr(value, 2) AS BLOB) WHERE key = 'k'", false},
		{"truncated value", "UPDATE kv SET value = substr(value, 1, 3) WHERE key = 'k'", false},
		{"wrong sum", "UPDATE kv SET sum = sum + 1 WHERE key = 'k'", false},
		{"row moved to another key", "UPDATE kv SET value = (SELECT value FROM kv WHERE key = 'other'), sum = (SELECT sum FROM kv WHERE key = 'other') WHERE key = 'k'", false},
		{"foreign key name", "INSERT INTO kv VALUES ('mon', '', 'bad/key', X'01', 0)", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			ctx := context.Background()
			require.NoError(t, s.Write(ctx, ns, "k", []byte("channel state")))
			require.NoError(t, s.Write(ctx, ns, "other", []byte("another state")))
			_, err := rawDB(t, s).Exec(tc.tamper)
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

func TestNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kv.db")
	require.NoError(t, os.WriteFile(path, []byte("this is not a SQLite database, just text long enough to fill a header page......."), 0o600))
	_, err := Open(context.Background(), Config{Path: path})
	require.Error(t, err)
	require.ErrorContains(t, err, "sqlitestore: open")
}

func TestForeignTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kv.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE kv (a TEXT)")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = Open(context.Background(), Config{Path: path})
	require.ErrorContains(t, err, "table kv is not lnkit's")
}

func TestNewerSchemaRefused(t *testing.T) {
	s := newStore(t)
	_, err := rawDB(t, s).Exec("PRAGMA user_version = 2")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(context.Background(), Config{Path: s.path})
	require.ErrorIs(t, err, ErrNewerSchema)
}

// TestTwoStoresOneFile has two Stores (two connection pools, as two
// processes would have) write to one file at once: SQLite's busy handling
// must queue them, not fail them.
func TestTwoStoresOneFile(t *testing.T) {
	a := newStore(t)
	b := openAt(t, a.path)
	ctx := context.Background()
	ns := persist.Namespace{Primary: "p"}
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for i, s := range []*Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 25 {
				key := fmt.Sprintf("w%d-%d", i, j)
				errs <- s.Write(ctx, ns, key, []byte(key))
				errs <- s.Apply(ctx, []persist.Op{persist.WriteOp(ns, key+"b", nil), persist.RemoveOp(ns, key)})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	keys, err := b.List(ctx, ns)
	require.NoError(t, err)
	require.Len(t, keys, 100)
}

// TestBusy: while another process holds the write lock, a write fails
// after Config.BusyTimeout, and the store works again once the lock is
// released. (That a call waiting for a busy committer gives up at its
// context's deadline is sqlrow's TestCommitter.)
func TestBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kv.db")
	s, err := Open(context.Background(), Config{Path: path, BusyTimeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	other, err := rawDB(t, s).Conn(ctx)
	require.NoError(t, err)
	defer other.Close()
	_, err = other.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)

	err = s.Write(ctx, persist.Namespace{}, "a", []byte("v"))
	require.ErrorContains(t, err, "database is locked")
	var pe *persist.Error
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "a", pe.Key)

	_, err = other.ExecContext(ctx, "ROLLBACK")
	require.NoError(t, err)
	require.NoError(t, s.Write(ctx, persist.Namespace{}, "a", []byte("v")))
	require.NoError(t, s.Apply(ctx, []persist.Op{persist.WriteOp(persist.Namespace{}, "b", []byte("v"))}))
}

// TestGroupFailureIsolated: in one group commit, a request whose statement
// fails is rolled back alone; the others commit.
func TestGroupFailureIsolated(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ns := persist.Namespace{Primary: "p"}
	// A trigger makes writes of key "bad" fail inside the transaction,
	// as a full disk would.
	_, err := rawDB(t, s).Exec("CREATE TRIGGER fail BEFORE INSERT ON kv WHEN NEW.key = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END")
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

// TestCloseDuringWrites: Close while writers run waits for the calls in
// flight; every call succeeds or fails with ErrClosed, and what succeeded is
// there after reopening.
func TestCloseDuringWrites(t *testing.T) {
	s := newStore(t)
	ns := persist.Namespace{Primary: "p"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var written []string
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				key := fmt.Sprintf("w%d-%d", w, i)
				err := s.Write(context.Background(), ns, key, []byte(key))
				if errors.Is(err, persist.ErrClosed) {
					return
				}
				if !assertNoError(t, err) {
					return
				}
				mu.Lock()
				written = append(written, key)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, s.Close())
	wg.Wait()
	r := openAt(t, s.path)
	keys, err := r.List(context.Background(), ns)
	require.NoError(t, err)
	require.Subset(t, keys, written)
}

// assertNoError reports an error from a goroutine other than the test's.
func assertNoError(t *testing.T, err error) bool {
	t.Helper()
	if err != nil {
		t.Errorf("unexpected error: %v", err) // not require: called off the test goroutine
		return false
	}
	return true
}
