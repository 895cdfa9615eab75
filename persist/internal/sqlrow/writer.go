package sqlrow

import (
	"context"

	"github.com/lnkit/lnkit/persist"
)

// Writer is the write side of persist.KVStore that both SQL stores share:
// it checks each call, hands its ops to Commit (the store's group
// committer) and names the failed key in a *persist.Error. A store embeds
// it and sets Commit.
type Writer struct {
	// Commit makes ops durable together, or none of them.
	Commit func(ctx context.Context, ops []persist.Op) error
}

// Write implements persist.KVStore.
func (w Writer) Write(ctx context.Context, ns persist.Namespace, key string, value []byte) error {
	op := persist.WriteOp(ns, key, value)
	if err := persist.ValidateOp(op); err != nil {
		return err
	}
	return w.single(ctx, "write", op)
}

// Remove implements persist.KVStore.
func (w Writer) Remove(ctx context.Context, ns persist.Namespace, key string) error {
	if err := persist.ValidateKey(ns, key); err != nil {
		return err
	}
	return w.single(ctx, "remove", persist.RemoveOp(ns, key))
}

// single commits one write or removal.
func (w Writer) single(ctx context.Context, name string, op persist.Op) error {
	if err := w.Commit(ctx, []persist.Op{op}); err != nil {
		return &persist.Error{Op: name, NS: op.NS, Key: op.Key, Err: err}
	}
	return nil
}

// Apply implements persist.KVStore: the ops commit together, in one
// transaction.
func (w Writer) Apply(ctx context.Context, ops []persist.Op) error {
	if err := CheckBatch(ops); err != nil {
		return err
	}
	if len(ops) == 0 {
		return nil
	}
	if err := w.Commit(ctx, ops); err != nil {
		return &persist.Error{Op: "apply", Err: err}
	}
	return nil
}
