package simchain

import (
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
)

// dustRelayFee is Bitcoin Core's dust relay fee rate, in sat/kvB.
const dustRelayFee = 3000

// DustLimit returns the smallest value an output paying pkScript may have
// in the mempool: Bitcoin Core's dust threshold, the fee (at 3 sat/vbyte)
// of the output and of an input spending it. 294 sat for P2WPKH, 330 for
// P2WSH and P2TR, 546 for P2PKH; 0 for an OP_RETURN output, which cannot
// be spent.
func DustLimit(pkScript []byte) btcutil.Amount {
	if len(pkScript) > 0 && pkScript[0] == txscript.OP_RETURN {
		return 0
	}
	size := int64(btcwire.NewTxOut(0, pkScript).SerializeSize())
	if txscript.IsWitnessProgram(pkScript) {
		// outpoint, script length, witness at a quarter of its size,
		// sequence
		size += 32 + 4 + 1 + 107/4 + 4
	} else {
		size += 32 + 4 + 1 + 107 + 4
	}
	return btcutil.Amount(size * dustRelayFee / 1000)
}

// minFee is the lowest fee of a transaction of the given weight at the
// minimum relay fee rate, over its virtual size as Bitcoin Core counts.
func (c *Chain) minFee(weight int64) int64 {
	return int64(c.minRelay) * 4 * vsize(weight) / 1000
}

// vsize is the virtual size of a weight: a quarter, rounded up.
func vsize(weight int64) int64 { return (weight + 3) / 4 }

// checkDust refuses an output below its dust limit.
func checkDust(ck *checked) *TxError {
	for i, o := range ck.tx.TxOut {
		if limit := DustLimit(o.PkScript); btcutil.Amount(o.Value) < limit {
			return txErr(ck.txid, -1, ErrDust, "output %d pays %d sat, below its limit %d", i, o.Value, int64(limit))
		}
	}
	return nil
}
