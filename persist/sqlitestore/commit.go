package sqlitestore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/internal/sqlrow"
)

// maxGroup is the most requests one group commit carries.
const maxGroup = 128

// request is one Write, Remove or Apply waiting for the committer.
type request struct {
	ops  []persist.Op
	done chan error // buffered: the committer never waits for the caller
}

// commit hands ops to the committer and waits until they are durable. The
// wait for the committer to take them ends with ctx; once taken, the call
// waits for the commit's outcome (bounded by the I/O and, against another
// process holding the database, Config.BusyTimeout), since the ops may be
// on disk by then.
func (s *Store) commit(ctx context.Context, ops []persist.Op) error {
	if err := s.gate.Enter(ctx); err != nil {
		return err
	}
	defer s.gate.Leave()
	req := &request{ops: ops, done: make(chan error, 1)}
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.done
}

// committer is the store's one writer (group commit): it takes a request,
// then every other request already waiting (up to maxGroup), and commits
// them in one transaction, so that writers arriving while a commit's fsync
// runs share the next fsync instead of queueing for one each. Each request
// runs inside its own savepoint: one whose statement fails is rolled back
// alone and gets its error; the others commit. It returns when reqs is
// closed.
func (s *Store) committer() {
	defer close(s.commitDone)
	group := make([]*request, 0, maxGroup)
	for req := range s.reqs {
		group = append(group[:0], req)
	more:
		for len(group) < maxGroup {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break more
				}
				group = append(group, r)
			default:
				break more
			}
		}
		s.commitGroup(group)
	}
}

// commitGroup commits group in one transaction and tells each request its
// outcome. The transaction runs without the callers' contexts (one caller
// giving up must not undo the others' writes).
func (s *Store) commitGroup(group []*request) {
	ctx := context.Background()
	errs := make([]error, len(group))
	tx, err := s.wconn.BeginTx(ctx, nil)
	if err == nil {
		put, del := tx.StmtContext(ctx, s.put), tx.StmtContext(ctx, s.del)
		for i, req := range group {
			errs[i] = s.inSavepoint(ctx, tx, put, del, req.ops)
		}
		if err = tx.Commit(); err != nil {
			// A failed COMMIT can leave SQLite's transaction open on
			// the connection: end it, so that the next group starts
			// clean. (Nothing to do, and an error, when it is closed.)
			_, _ = s.wconn.ExecContext(ctx, "ROLLBACK")
		}
	}
	for i, req := range group {
		req.done <- errors.Join(errs[i], err)
	}
}

// inSavepoint runs ops inside a savepoint of tx, rolled back when one of
// them fails.
func (s *Store) inSavepoint(ctx context.Context, tx *sql.Tx, put, del *sql.Stmt, ops []persist.Op) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT request"); err != nil {
		return err
	}
	for _, op := range ops {
		if err := s.exec(ctx, put, del, op); err != nil {
			_, rbErr := tx.ExecContext(ctx, "ROLLBACK TO request")
			_, relErr := tx.ExecContext(ctx, "RELEASE request")
			return errors.Join(err, rbErr, relErr)
		}
	}
	_, err := tx.ExecContext(ctx, "RELEASE request")
	return err
}

func (s *Store) exec(ctx context.Context, put, del *sql.Stmt, op persist.Op) error {
	var err error
	if op.Remove {
		_, err = del.ExecContext(ctx, op.NS.Primary, op.NS.Secondary, op.Key)
	} else {
		_, err = put.ExecContext(ctx, op.NS.Primary, op.NS.Secondary, op.Key, nonNil(op.Value), int64(sqlrow.Sum(op.NS, op.Key, op.Value)))
	}
	return err
}
