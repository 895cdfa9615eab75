package simchain

import (
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// Locktime constants (BIP 65, BIP 68, BIP 113).
const (
	// lockTimeThreshold separates heights (below) from Unix times.
	lockTimeThreshold = 500_000_000

	// BIP 68 sequence fields.
	seqDisable  = 1 << 31
	seqTypeTime = 1 << 22
	seqMask     = 0x0000ffff
	seqGranule  = 9 // time locks count units of 512 seconds
)

// checkFinal applies the absolute locktime: a transaction is final in the
// block ctx if its locktime is 0, or below the block's height (or, for a
// time, below the median time past of its parent), or if every input's
// sequence is final.
func checkFinal(tx *btcwire.MsgTx, txid chainhash.Hash, ctx spendContext) *TxError {
	lt := int64(tx.LockTime)
	if lt == 0 {
		return nil
	}
	if lt < lockTimeThreshold && lt < int64(ctx.height) {
		return nil
	}
	if lt >= lockTimeThreshold && lt < ctx.mtp {
		return nil
	}
	for _, in := range tx.TxIn {
		if in.Sequence != btcwire.MaxTxInSequenceNum {
			if lt < lockTimeThreshold {
				return txErr(txid, -1, ErrNonFinal, "locktime %d, block height %d", lt, ctx.height)
			}
			return txErr(txid, -1, ErrNonFinal, "locktime %d, median time past %d", lt, ctx.mtp)
		}
	}
	return nil
}

// checkSequenceLocks applies BIP 68 to a version 2+ transaction: an input
// whose sequence has the disable bit clear waits that many blocks (or
// 512-second units of median time past) after the block of the coin it
// spends. A mempool coin counts as confirmed in the block ctx.
func checkSequenceLocks(tx *btcwire.MsgTx, txid chainhash.Hash, coins []*coin, ctx spendContext) *TxError {
	if uint32(tx.Version) < 2 {
		return nil
	}
	for i, in := range tx.TxIn {
		seq := in.Sequence
		if seq&seqDisable != 0 {
			continue
		}
		h := coins[i].height
		if h == unconfirmedHeight || coins[i].fund {
			h = ctx.height
		}
		value := int64(seq & seqMask)
		if seq&seqTypeTime != 0 {
			// The coin's time is the median time past of its block's
			// parent.
			minTime := medianTimePast(ctx.start, h-1) + value<<seqGranule - 1
			if minTime >= ctx.mtp {
				return txErr(txid, i, ErrSequenceLock, "%d s after the coin's time, median time past %d", value<<seqGranule, ctx.mtp)
			}
			continue
		}
		if minHeight := int64(h) + value - 1; minHeight >= int64(ctx.height) {
			return txErr(txid, i, ErrSequenceLock, "%d blocks after the coin's block %d, spent in block %d", value, h, ctx.height)
		}
	}
	return nil
}

// blockTime is the timestamp of the blocks at height, in Unix seconds.
func blockTime(start int64, height int32) int64 {
	return start + int64(height)*int64(BlockInterval/time.Second)
}

// medianTimePast is the median time past of the block at height (of
// genesis for a negative height), in Unix seconds. Timestamps grow with
// the height, so the median of the n = min(h+1, 11) timestamps of heights
// [h-n+1, h] is that of height h - min(h, 10)/2.
func medianTimePast(start int64, height int32) int64 {
	height = max(height, 0)
	return blockTime(start, height-min(height, 10)/2)
}
