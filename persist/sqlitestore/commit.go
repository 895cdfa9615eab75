package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/internal/sqlrow"
)

// commit hands ops to the committer (see sqlrow.Committer) and waits
// until they are durable or failed: the wait to be taken ends with ctx;
// once taken, the call waits for the commit's outcome (bounded by the I/O
// and, against another process holding the database, Config.BusyTimeout).
func (s *Store) commit(ctx context.Context, ops []persist.Op) error {
	if err := s.gate.Enter(ctx); err != nil {
		return err
	}
	defer s.gate.Leave()
	return s.committer.Commit(ctx, ops)
}

// commitGroup commits group in one transaction and tells each request its
// outcome. Each request runs inside its own savepoint: one whose statement
// fails is rolled back alone and gets its error; the others commit. When
// a savepoint cannot be rolled back or released (SQLite may already have
// rolled the whole transaction back, after an I/O error), the state of the
// transaction is unknown: it is rolled back and every request of the group
// fails, so no request is ever committed in part. The transaction runs
// without the callers' contexts (one caller giving up must not undo the
// others' writes).
func (s *Store) commitGroup(group []*sqlrow.Request) {
	ctx := context.Background()
	errs := make([]error, len(group))
	tx, err := s.wconn.BeginTx(ctx, nil)
	if err == nil {
		put, del := tx.StmtContext(ctx, s.put), tx.StmtContext(ctx, s.del)
		for i, req := range group {
			var broken bool
			broken, errs[i] = s.inSavepoint(ctx, tx, put, del, req.Ops)
			if broken {
				err = fmt.Errorf("sqlitestore: group rolled back: %w", errs[i])
				break
			}
		}
		if err != nil {
			_ = tx.Rollback()
			_, _ = s.wconn.ExecContext(ctx, "ROLLBACK")
		} else if err = tx.Commit(); err != nil {
			// A failed COMMIT can leave SQLite's transaction open on
			// the connection: end it, so that the next group starts
			// clean. (Nothing to do, and an error, when it is closed.)
			_, _ = s.wconn.ExecContext(ctx, "ROLLBACK")
		}
	}
	for i, req := range group {
		req.Done <- errors.Join(errs[i], err)
	}
}

// inSavepoint runs ops inside a savepoint of tx, rolled back when one of
// them fails. broken reports that the savepoint could not be opened,
// rolled back or released: the transaction can no longer be trusted.
func (s *Store) inSavepoint(ctx context.Context, tx *sql.Tx, put, del *sql.Stmt, ops []persist.Op) (broken bool, err error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT request"); err != nil {
		return true, err
	}
	for _, op := range ops {
		if err := s.exec(ctx, put, del, op); err != nil {
			_, rbErr := tx.ExecContext(ctx, "ROLLBACK TO request")
			_, relErr := tx.ExecContext(ctx, "RELEASE request")
			return rbErr != nil || relErr != nil, errors.Join(err, rbErr, relErr)
		}
	}
	if _, err := tx.ExecContext(ctx, "RELEASE request"); err != nil {
		return true, err
	}
	return false, nil
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
