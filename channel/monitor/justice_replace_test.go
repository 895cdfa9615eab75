package monitor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
)

// TestJusticeReplacementKeepsInputs: the justice transaction waits in the
// mempool with to_local and both HTLCs; fees rise to where the smaller
// HTLC (40,000 sat) no longer pays for its own input. Leaving it out would
// make a replacement paying less in total than the transaction it
// replaces, which the mempool refuses (BIP 125: the replacement pays at
// least the replaced fees), and the bump would be lost: the replacement
// keeps every output the replaced transaction took and pays the new rate.
func TestJusticeReplacementKeepsInputs(t *testing.T) {
	r := newJusticeRig(t, commit.AnchorsZeroFeeHTLC)
	rc := signedCommitmentA(t, r.ch, r.states[2])
	c := r.ch.chain
	r.fees.set(90_000) // the 40,000 sat HTLC still pays for its input
	_, err := c.MineTx(rc.tx)
	require.NoError(t, err)
	first := r.justiceInPool(t)
	require.NotNil(t, first)
	require.Len(t, first.TxIn, 3)

	r.fees.set(100_000) // it no longer does
	_, err = c.MineTx()
	require.NoError(t, err)
	j := r.justiceInPool(t)
	require.NotNil(t, j)
	require.NotEqual(t, first.TxHash(), j.TxHash(), "replaced")
	require.Len(t, j.TxIn, 3, "with every input of the replaced transaction")
	require.Less(t, j.TxOut[0].Value, first.TxOut[0].Value, "paying more")

	// A restart keeps what the replacement took: the next one, at a rate
	// where the larger HTLC is not worth its input either, still takes
	// both.
	r.restart(t)
	r.fees.set(130_000)
	_, err = c.MineTx()
	require.NoError(t, err)
	j = r.justiceInPool(t)
	require.NotNil(t, j)
	require.Len(t, j.TxIn, 3)

	c.Mine(1)
	var all int64
	for _, o := range r.ch.b.mon.Breach().Outputs {
		all += int64(o.Value)
	}
	require.Positive(t, c.Confirmations(j.TxHash()))
	require.Less(t, j.TxOut[0].Value, all)
}
