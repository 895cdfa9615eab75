package channel

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/wire"
)

// TestClosingFeesFor checks the ideal fee and range of each side against
// the closing weight, and the caps at the opener's balance.
func TestClosingFeesFor(t *testing.T) {
	rates := closingRates{ideal: 2000, minimum: 253}
	cases := []struct {
		name       string
		openerBal  wire.MilliSatoshi
		avoid      wire.Satoshi
		wantOpener func(w uint64) closingFees
		wantFundee func(w uint64) closingFees
	}{
		{
			name: "ample balance", openerBal: 600_000_000, avoid: 1000,
			wantOpener: func(w uint64) closingFees {
				ideal := rates.ideal.FeeForWeight(w)
				return closingFeesOf(rates.minimum.FeeForWeight(w), ideal, ideal+1000)
			},
			wantFundee: func(w uint64) closingFees {
				return closingFeesOf(rates.minimum.FeeForWeight(w), rates.ideal.FeeForWeight(w), 600_000)
			},
		},
		{
			name: "avoidance above the balance", openerBal: 2_000_000, avoid: 1 << 62,
			wantOpener: func(w uint64) closingFees {
				return closingFeesOf(rates.minimum.FeeForWeight(w), rates.ideal.FeeForWeight(w), 2000)
			},
			wantFundee: func(w uint64) closingFees {
				return closingFeesOf(rates.minimum.FeeForWeight(w), rates.ideal.FeeForWeight(w), 2000)
			},
		},
		{
			name: "tiny balance: everything capped at it", openerBal: 300_999, avoid: 1000,
			wantOpener: func(w uint64) closingFees { return closingFeesOf(rates.minimum.FeeForWeight(w), 300, 300) },
			wantFundee: func(w uint64) closingFees { return closingFeesOf(rates.minimum.FeeForWeight(w), 300, 300) },
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := closingDefault()
			s.opener.balance, s.fundee.balance = c.openerBal, 1_000_000_000-c.openerBal
			po, pf := closingParamsOf(t, s)
			w, err := closingWeight(&po)
			require.NoError(t, err)
			fo, err := closingFeesFor(&po, rates, c.avoid)
			require.NoError(t, err)
			require.Equal(t, c.wantOpener(w), fo)
			ff, err := closingFeesFor(&pf, rates, c.avoid)
			require.NoError(t, err)
			require.Equal(t, c.wantFundee(w), ff)
			po.fees, pf.fees = fo, ff
			_, err = newClosingNegotiation(po)
			require.NoError(t, err, "computed fees are valid params")
			_, err = newClosingNegotiation(pf)
			require.NoError(t, err, "computed fees are valid params")
		})
	}
}

// TestClosingWeight: the estimated weight is at least the weight of the
// signed closing transaction, and within the few bytes of shorter
// signatures.
func TestClosingWeight(t *testing.T) {
	s := closingDefault()
	po, pf := closingParamsOf(t, s)
	rates := closingRates{ideal: 5000, minimum: 253}
	var err error
	po.fees, err = closingFeesFor(&po, rates, 1000)
	require.NoError(t, err)
	pf.fees, err = closingFeesFor(&pf, rates, 1000)
	require.NoError(t, err)
	opener, err := newClosingNegotiation(po)
	require.NoError(t, err)
	fundee, err := newClosingNegotiation(pf)
	require.NoError(t, err)
	_, err = closingExchange(t, opener, fundee)
	require.NoError(t, err)
	tx := opener.agreedTx()
	requireClosingValid(t, po.channel, tx)
	actual := uint64(3*tx.SerializeSizeStripped() + tx.SerializeSize())
	w, err := closingWeight(&po)
	require.NoError(t, err)
	require.GreaterOrEqual(t, w, actual)
	require.LessOrEqual(t, w-actual, uint64(4), "two signatures of at most 73 bytes")
	require.Equal(t, rates.ideal.FeeForWeight(w), closingTxFee(po.channel, tx), "both agreed on the opener's ideal")
}

// TestClosingRatesFrom reads the ideal and minimum targets and keeps the
// minimum at least the tolerance below the ideal, never under the floor.
func TestClosingRatesFrom(t *testing.T) {
	r, err := closingRatesFrom(context.Background(), estimatorAround(4000), 250)
	require.NoError(t, err)
	require.Equal(t, closingRates{ideal: 4000, minimum: 2000}, r)

	inverted := staticEstimator{chain.TargetNonAnchorChannelFee: 1000, chain.TargetChannelCloseMinimum: 3000}
	r, err = closingRatesFrom(context.Background(), inverted, 250)
	require.NoError(t, err)
	require.Equal(t, closingRates{ideal: 1000, minimum: 750}, r)

	// One rate for both targets (btcd's estimatefee, a fallback): the
	// minimum leaves room below the ideal for a peer a satoshi lower.
	same := staticEstimator{chain.TargetNonAnchorChannelFee: 1255, chain.TargetChannelCloseMinimum: 1255}
	r, err = closingRatesFrom(context.Background(), same, 250)
	require.NoError(t, err)
	require.Equal(t, closingRates{ideal: 1255, minimum: 1005}, r)

	r, err = closingRatesFrom(context.Background(), staticEstimator{chain.TargetNonAnchorChannelFee: 300, chain.TargetChannelCloseMinimum: 300}, 250)
	require.NoError(t, err)
	require.Equal(t, closingRates{ideal: 300, minimum: wire.FeeRateFloor}, r)

	_, err = closingRatesFrom(context.Background(), failingEstimator{}, 250)
	require.ErrorContains(t, err, "channel: closing fee rate: no backend")
}

// TestClosingDustThreshold checks the BOLT 3 "Dust Limits" table.
func TestClosingDustThreshold(t *testing.T) {
	p2wsh := append([]byte{0x00, 0x20}, make([]byte, 32)...)
	p2tr := append([]byte{0x51, 0x20}, make([]byte, 32)...)
	p2sh := append(append([]byte{0xa9, 0x14}, make([]byte, 20)...), 0x87)
	v16max := append([]byte{0x60, 40}, make([]byte, 40)...)
	cases := []struct {
		name   string
		script []byte
		want   wire.Satoshi
	}{
		{"p2pkh", closingP2PKH(1), 546},
		{"p2sh", p2sh, 540},
		{"p2wpkh", p2wpkh(1), 294},
		{"p2wsh", p2wsh, 330},
		{"p2tr", p2tr, 330},
		{"p2a", []byte{0x51, 0x02, 0x4e, 0x73}, 240},
		{"unknown segwit version, 40-byte program", v16max, 354},
		{"op_return", []byte{0x6a, 0x01, 0x07}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, closingDustThreshold(c.script))
		})
	}
}
