package chain

import (
	"crypto/sha256"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// merkleRoot computes the merkle root of the block's transaction ids. mutated
// reports two identical adjacent hashes at some level, the ambiguity of
// CVE-2012-2459 (a transaction list with duplicates hashing to the same root
// as the honest one).
func merkleRoot(txs []*btcwire.MsgTx) (root chainhash.Hash, mutated bool) {
	if len(txs) == 0 {
		return chainhash.Hash{}, false
	}
	level := make([]chainhash.Hash, len(txs), len(txs)+1)
	var hasher txidHasher
	for i, tx := range txs {
		level[i] = hasher.txid(tx)
	}
	var buf [2 * chainhash.HashSize]byte
	for len(level) > 1 {
		for i := 0; i+1 < len(level); i += 2 {
			if level[i] == level[i+1] {
				mutated = true
			}
		}
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		next := level[:len(level)/2]
		for i := range next {
			copy(buf[:32], level[2*i][:])
			copy(buf[32:], level[2*i+1][:])
			first := sha256.Sum256(buf[:])
			next[i] = sha256.Sum256(first[:])
		}
		level = next
	}
	return level[0], mutated
}
