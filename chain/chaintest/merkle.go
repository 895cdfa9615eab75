package chaintest

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// merkleRoot is the merkle root of txs' ids (Bitcoin's rule: an odd level
// repeats its last hash).
func merkleRoot(txs []*btcwire.MsgTx) chainhash.Hash {
	level := make([]chainhash.Hash, 0, len(txs)+1)
	for _, tx := range txs {
		level = append(level, tx.TxHash())
	}
	if len(level) == 0 {
		return chainhash.Hash{}
	}
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		next := make([]chainhash.Hash, 0, len(level)/2+1)
		for i := 0; i < len(level); i += 2 {
			var pair [2 * chainhash.HashSize]byte
			copy(pair[:], level[i][:])
			copy(pair[chainhash.HashSize:], level[i+1][:])
			next = append(next, chainhash.DoubleHashH(pair[:]))
		}
		level = next
	}
	return level[0]
}
