package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/internal/sqlrow"
)

// Store is a persist.KVStore in a PostgreSQL table. It is safe for
// concurrent use.
type Store struct {
	writes sqlrow.Writer // Write, Remove and Apply, through commit

	pool *pgxpool.Pool
	cfg  Config
	gate sqlrow.Gate
	// committer does every write (group commit; see commitGroup).
	committer *sqlrow.Committer
	// retries counts the transactions retried after a serialization
	// failure or a deadlock.
	retries atomic.Int64
	// The statements, with the table's name in them.
	read, list, put, del string
}

var _ persist.KVStore = (*Store)(nil)

// Open connects to the server, creates or checks the table (see the package
// doc) and returns the store. A bad Config gives an error matching
// ErrInvalidConfig.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, pcfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	// A commit is durable only with synchronous_commit on (or stronger):
	// a connection whose setting is off gets it turned on.
	pcfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SELECT set_config('synchronous_commit', 'on', false) WHERE current_setting('synchronous_commit') = 'off'")
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	if err := migrate(ctx, pool, cfg.Schema, cfg.Table); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: open %s.%s: %w", cfg.Schema, cfg.Table, err)
	}
	t := pgx.Identifier{cfg.Schema, cfg.Table}.Sanitize()
	s := &Store{
		pool: pool,
		cfg:  cfg,
		read: "SELECT value, sum FROM " + t + " WHERE primary_ns = $1 AND secondary_ns = $2 AND key = $3",
		list: "SELECT key FROM " + t + " WHERE primary_ns = $1 AND secondary_ns = $2 ORDER BY key",
		put: "INSERT INTO " + t + " (primary_ns, secondary_ns, key, value, sum) VALUES ($1, $2, $3, $4, $5) " +
			"ON CONFLICT (primary_ns, secondary_ns, key) DO UPDATE SET value = excluded.value, sum = excluded.sum",
		del: "DELETE FROM " + t + " WHERE primary_ns = $1 AND secondary_ns = $2 AND key = $3",
	}
	s.writes = sqlrow.Writer{Commit: s.commit}
	s.committer = sqlrow.StartCommitter(s.commitGroup)
	return s, nil
}

// enter admits an operation and bounds its context by Config.Timeout. Call
// the returned function when the operation ends.
func (s *Store) enter(ctx context.Context) (context.Context, func(), error) {
	if err := s.gate.Enter(ctx); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	return ctx, func() { cancel(); s.gate.Leave() }, nil
}

// Read implements persist.KVStore.
func (s *Store) Read(ctx context.Context, ns persist.Namespace, key string) ([]byte, error) {
	if err := persist.ValidateKey(ns, key); err != nil {
		return nil, err
	}
	ctx, leave, err := s.enter(ctx)
	if err != nil {
		return nil, &persist.Error{Op: "read", NS: ns, Key: key, Err: err}
	}
	defer leave()
	var value []byte
	var sum int64
	err = s.pool.QueryRow(ctx, s.read, ns.Primary, ns.Secondary, key).Scan(&value, &sum)
	if errors.Is(err, pgx.ErrNoRows) {
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
	ctx, leave, err := s.enter(ctx)
	if err != nil {
		return nil, &persist.Error{Op: "list", NS: ns, Err: err}
	}
	defer leave()
	rows, err := s.pool.Query(ctx, s.list, ns.Primary, ns.Secondary)
	if err != nil {
		return nil, &persist.Error{Op: "list", NS: ns, Err: err}
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, &persist.Error{Op: "list", NS: ns, Err: err}
	}
	for _, key := range keys {
		if err := sqlrow.CheckListedKey(ns, key); err != nil {
			return nil, &persist.Error{Op: "list", NS: ns, Key: key, Err: err}
		}
	}
	if keys == nil {
		keys = []string{}
	}
	return keys, nil
}

// commit hands ops to the committer (sqlrow.Committer) and waits for their
// outcome: the wait to be taken ends with ctx (bounded by Config.Timeout);
// once taken, the call waits for the commit, which runs until the latest
// deadline of its group's callers.
func (s *Store) commit(ctx context.Context, ops []persist.Op) error {
	ctx, leave, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer leave()
	return s.committer.Commit(ctx, ops)
}

// commitGroup commits the ops of a group of calls together (group commit:
// one transaction, one round trip of statements, one WAL flush for many
// writers). If that fails, each call's ops are committed alone, so that a
// call fails only for its own ops.
func (s *Store) commitGroup(group []*sqlrow.Request) {
	var all []persist.Op
	for _, r := range group {
		all = append(all, r.Ops...)
	}
	err := s.commitOps(sqlrow.GroupDeadline(group), all)
	if err == nil || len(group) == 1 {
		for _, r := range group {
			r.Done <- err
		}
		return
	}
	for _, r := range group {
		r.Done <- s.commitOps(r.Deadline, r.Ops)
	}
}

// commitOps applies ops (reduced to the last op per key, in key order) in
// one SERIALIZABLE transaction, or as one statement when one op is left,
// retried when PostgreSQL aborts it for a conflict with another writer. It
// runs until deadline (zero: Config.Timeout), whatever the callers'
// cancellations: one caller giving up must not undo the others' writes.
func (s *Store) commitOps(deadline time.Time, ops []persist.Op) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	defer cancel()
	if !deadline.IsZero() {
		var cancelDeadline context.CancelFunc
		ctx, cancelDeadline = context.WithDeadline(ctx, deadline)
		defer cancelDeadline()
	}
	ops = sqlrow.Collapse(ops)
	return s.retrying(ctx, func() error {
		if len(ops) == 1 {
			sql, args := s.statement(ops[0])
			_, err := s.pool.Exec(ctx, sql, args...)
			return err
		}
		return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.Serializable}, func(tx pgx.Tx) error {
			var b pgx.Batch
			for _, op := range ops {
				sql, args := s.statement(op)
				b.Queue(sql, args...)
			}
			return tx.SendBatch(ctx, &b).Close()
		})
	})
}

// statement is the SQL and arguments of op.
func (s *Store) statement(op persist.Op) (string, []any) {
	if op.Remove {
		return s.del, []any{op.NS.Primary, op.NS.Secondary, op.Key}
	}
	value := op.Value
	if value == nil {
		value = []byte{} // an empty bytea, not NULL
	}
	return s.put, []any{op.NS.Primary, op.NS.Secondary, op.Key, value, int64(sqlrow.Sum(op.NS, op.Key, op.Value))}
}

// retrying runs fn again, up to Config.MaxRetries times, while PostgreSQL
// aborts it for a serialization failure (40001) or a deadlock (40P01): both
// mean the transaction did nothing and may simply run again.
func (s *Store) retrying(ctx context.Context, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil || !retryable(err) || attempt == s.cfg.MaxRetries {
			return err
		}
		s.retries.Add(1)
		select {
		case <-time.After(backoff(attempt)):
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		}
	}
}

// backoff is the pause before retry attempt+1: a random time up to a
// ceiling that doubles with each attempt (1 ms, 2 ms, ... 64 ms at most),
// so that the transactions that collided do not collide again in lockstep.
func backoff(attempt int) time.Duration {
	ceiling := time.Millisecond << min(attempt, 6)
	return time.Duration(rand.Int64N(int64(ceiling))) + 100*time.Microsecond
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Close implements persist.KVStore: it waits for running operations, then
// closes the pool. Later calls return nil.
func (s *Store) Close() error {
	if s.gate.Close() {
		s.committer.Stop()
		s.pool.Close()
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
