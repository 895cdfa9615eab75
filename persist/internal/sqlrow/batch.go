package sqlrow

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lnkit/lnkit/persist"
)

// CheckBatch checks every op of a batch (persist.ValidateOp) and the batch
// size (persist.MaxBatchOps). An invalid op's error matches
// persist.ErrInvalidKey and says which op it is.
func CheckBatch(ops []persist.Op) error {
	if len(ops) > persist.MaxBatchOps {
		return fmt.Errorf("%w: %d operations, over %d", persist.ErrBatchTooLarge, len(ops), persist.MaxBatchOps)
	}
	for i, op := range ops {
		if err := persist.ValidateOp(op); err != nil {
			return fmt.Errorf("op %d: %w", i, err)
		}
	}
	return nil
}

// Collapse returns the effect of ops applied in order: one op per key (the
// last one given for it wins), sorted by namespace and key. Applying the
// result in any order gives the same state as applying ops in order, and
// the sorted order makes two concurrent batches take their row locks in the
// same order.
func Collapse(ops []persist.Op) []persist.Op {
	type id struct {
		ns  persist.Namespace
		key string
	}
	last := make(map[id]int, len(ops))
	for i, op := range ops {
		last[id{op.NS, op.Key}] = i
	}
	out := make([]persist.Op, 0, len(last))
	for i, op := range ops {
		if last[id{op.NS, op.Key}] == i {
			out = append(out, op)
		}
	}
	slices.SortFunc(out, func(a, b persist.Op) int {
		if c := strings.Compare(a.NS.Primary, b.NS.Primary); c != 0 {
			return c
		}
		if c := strings.Compare(a.NS.Secondary, b.NS.Secondary); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}
