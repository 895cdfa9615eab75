package wire

import (
	"fmt"
	"log/slog"
)

// MilliSatoshi is an amount in thousandths of a satoshi, the unit of HTLCs
// and channel balances.
type MilliSatoshi uint64

// ToSatoshi returns the amount in whole satoshis, rounded down.
func (m MilliSatoshi) ToSatoshi() Satoshi { return Satoshi(m / 1000) }

// String returns the amount with its unit, e.g. "1500 msat".
func (m MilliSatoshi) String() string { return fmt.Sprintf("%d msat", uint64(m)) }

// Satoshi is an on-chain amount in satoshis.
type Satoshi uint64

// ToMilliSatoshi returns the amount in millisatoshis.
func (s Satoshi) ToMilliSatoshi() MilliSatoshi { return MilliSatoshi(s * 1000) }

// String returns the amount with its unit, e.g. "1500 sat".
func (s Satoshi) String() string { return fmt.Sprintf("%d sat", uint64(s)) }

// FeeRate is a fee rate in satoshis per 1000 weight units (sat/kw), the unit
// of feerate_per_kw in BOLT 2 and BOLT 3.
type FeeRate uint32

// FeeRateFloor is the lowest fee rate lnkit ever uses or accepts as a
// minimum: 253 sat/kw, which is 1 sat/vbyte after rounding a 4-weight vbyte
// down (BOLT 3 and the relay policy of Bitcoin Core).
const FeeRateFloor FeeRate = 253

// FeeForWeight returns the fee in satoshis for a transaction of the given
// weight, rounded down as BOLT 3 specifies.
func (r FeeRate) FeeForWeight(weight uint64) Satoshi {
	return Satoshi(uint64(r) * weight / 1000)
}

// FeeRateFromSatPerVByte converts a sat/vbyte rate to sat/kw.
func FeeRateFromSatPerVByte(satPerVByte uint64) FeeRate {
	return FeeRate(satPerVByte * 1000 / 4)
}

// String returns the rate with its unit, e.g. "253 sat/kw".
func (r FeeRate) String() string { return fmt.Sprintf("%d sat/kw", uint32(r)) }

// LogValue makes amounts log as plain numbers.
func (m MilliSatoshi) LogValue() slog.Value { return slog.Uint64Value(uint64(m)) }
