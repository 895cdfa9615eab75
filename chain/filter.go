package chain

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// Filter is told which transactions and outputs a [Confirm] consumer cares
// about, for chain sources that do not hand over whole blocks (Electrum,
// Esplora, compact filters). A source driven through a Filter must report,
// through [Confirm], every transaction with a registered txid or paying to a
// registered script, and every transaction spending a registered output.
//
// Registrations only add; they are cheap and may be repeated. Implementations
// must accept registrations made from inside a [Confirm] callback and, when a
// transaction later in the same block becomes relevant because of it, report
// that transaction too (in a further TransactionsConfirmed call for the same
// block).
type Filter interface {
	// RegisterTx asks to be told when the transaction with this txid
	// confirms. pkScript is one of its output scripts, for sources that
	// index by script.
	RegisterTx(txid chainhash.Hash, pkScript []byte)

	// RegisterOutput asks to be told when the output is spent.
	RegisterOutput(out WatchedOutput)
}

// WatchedOutput is an output a [Filter] watches for spends.
type WatchedOutput struct {
	// BlockHash is the block the output was created in, when known: it
	// lets a source start its search there. Nil means unknown.
	BlockHash *chainhash.Hash

	// OutPoint identifies the output.
	OutPoint btcwire.OutPoint

	// PkScript is the output's script.
	PkScript []byte
}
