package chain

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// Listen receives the chain block by block, as a full node sees it.
//
// Calls come from one goroutine at a time and form a consistent walk: each
// connected block's parent is the listener's previous best block, each
// disconnected header is the listener's current best block, and after a
// disconnection the best block is the disconnected block's parent. On a
// reorganisation the stale blocks are disconnected newest first, then the new
// ones are connected oldest first. No block is skipped or repeated.
//
// The block passed to BlockConnected is shared with other listeners and must
// not be modified or retained after the call returns.
type Listen interface {
	// BlockConnected is called when block becomes the best block, at
	// height.
	BlockConnected(block *btcwire.MsgBlock, height int32)

	// BlockDisconnected is called when the best block, whose header is
	// given, at height, leaves the main chain.
	BlockDisconnected(header *btcwire.BlockHeader, height int32)
}

// Confirm is the transaction-level view of the chain, for consumers that only
// care about a few transactions (those registered with a [Filter]) rather
// than whole blocks; it follows LDK's Confirm.
//
// The source calls TransactionsConfirmed for each block with relevant
// transactions, in chain order; TransactionUnconfirmed for each relevant
// transaction whose block left the main chain (found by asking
// RelevantTransactions); and BestBlockUpdated whenever the tip changes.
type Confirm interface {
	// TransactionsConfirmed reports relevant transactions of the block
	// with the given header at height, in block order. It may be called
	// more than once for a block, each call with transactions not reported
	// before.
	TransactionsConfirmed(header *btcwire.BlockHeader, txdata []TxData, height int32)

	// TransactionUnconfirmed reports that the transaction's block was
	// disconnected.
	TransactionUnconfirmed(txid chainhash.Hash)

	// BestBlockUpdated reports the new chain tip.
	BestBlockUpdated(header *btcwire.BlockHeader, height int32)

	// RelevantTransactions returns the confirmed transactions the consumer
	// wants re-checked after a reorganisation, with the block each was
	// confirmed in.
	RelevantTransactions() []RelevantTx
}

// TxData is a transaction and its position in its block.
type TxData struct {
	// Index is the transaction's position in the block (0 = coinbase).
	Index int

	// Tx is the transaction. It is shared: do not modify it.
	Tx *btcwire.MsgTx
}

// RelevantTx is a confirmed transaction a [Confirm] consumer tracks.
type RelevantTx struct {
	// TxID is the transaction's id.
	TxID chainhash.Hash

	// Height is the height of the block it confirmed in.
	Height int32

	// BlockHash is the hash of that block, nil when the consumer does not
	// know it (then Height decides).
	BlockHash *chainhash.Hash
}
