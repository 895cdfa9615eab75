package monitor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
)

// TestJusticeReplacementKeepsInputs: the shared justice transaction waits
// in the mempool with to_local and the HTLC A offered; fees rise to where the smaller
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
	first := r.justiceOf(t, monitor.RevokedToLocal)
	require.NotNil(t, first)
	require.Len(t, first.TxIn, 2)

	r.fees.set(100_000) // it no longer does
	_, err = c.MineTx()
	require.NoError(t, err)
	j := r.justiceOf(t, monitor.RevokedToLocal)
	require.NotNil(t, j)
	require.NotEqual(t, first.TxHash(), j.TxHash(), "replaced")
	require.Len(t, j.TxIn, 2, "with every input of the replaced transaction")
	require.Less(t, j.TxOut[0].Value, first.TxOut[0].Value, "paying more")

	// A restart keeps what the replacement took.
	r.restart(t)
	r.fees.set(130_000)
	_, err = c.MineTx()
	require.NoError(t, err)
	j = r.justiceOf(t, monitor.RevokedToLocal)
	require.NotNil(t, j)
	require.Len(t, j.TxIn, 2)

	c.Mine(1)
	require.Positive(t, c.Confirmations(j.TxHash()))
	require.Less(t, j.TxOut[0].Value, int64(r.breachValue()))
}
