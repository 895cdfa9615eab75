package channel

import (
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/wire"
)

// closingDustRelayFeePerKB is the dust relay fee of BOLT 3 "Dust Limits"
// (Bitcoin Core's default): 3000 sat per 1000 bytes.
const closingDustRelayFeePerKB = 3000

// The smallest input sizes BOLT 3 "Dust Limits" assumes for spending an
// output: 148 bytes for a non-witness output, 67 for a witness program.
const (
	closingDustLegacyInputSize  = 148
	closingDustWitnessInputSize = 67
)

// closingDustThreshold returns the amount below which an output paying
// script is dust and does not relay (BOLT 3 "Dust Limits"): (output size +
// smallest input size) * 3000 / 1000. It gives the table's 546 (p2pkh),
// 540 (p2sh), 294 (p2wpkh), 330 (p2wsh), 240 (p2a) and at most 354 for
// other witness programs; an OP_RETURN output is never dust.
func closingDustThreshold(script []byte) wire.Satoshi {
	if len(script) > 0 && script[0] == txscript.OP_RETURN {
		return 0
	}
	size := btcwire.NewTxOut(0, script).SerializeSize()
	if txscript.IsWitnessProgram(script) {
		size += closingDustWitnessInputSize
	} else {
		size += closingDustLegacyInputSize
	}
	return wire.Satoshi(uint64(size) * closingDustRelayFeePerKB / 1000)
}
