package chain

import (
	"bytes"
	"crypto/sha256"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// txidHasher computes txids reusing one serialization buffer, where
// btcwire.MsgTx.TxHash allocates one per transaction.
type txidHasher struct {
	buf bytes.Buffer
}

// txid returns the transaction's id: the double SHA-256 of its serialization
// without witness data.
func (h *txidHasher) txid(tx *btcwire.MsgTx) chainhash.Hash {
	h.buf.Reset()
	// Writing to a bytes.Buffer cannot fail.
	_ = tx.SerializeNoWitness(&h.buf)
	first := sha256.Sum256(h.buf.Bytes())
	return sha256.Sum256(first[:])
}
