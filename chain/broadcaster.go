package chain

import (
	"context"

	btcwire "github.com/btcsuite/btcd/wire"
)

// Broadcaster hands transactions to the Bitcoin network.
//
// BroadcastTransactions submits each transaction in order (so a parent given
// before its child reaches the mempool first). A transaction the backend
// already has, in its mempool or in a block, counts as success: callers
// re-broadcast freely. The error reports the first transaction the backend
// refused or could not be reached for; transactions before it were accepted.
type Broadcaster interface {
	BroadcastTransactions(ctx context.Context, txs ...*btcwire.MsgTx) error
}
