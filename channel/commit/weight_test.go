package commit

import (
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// maxLowS is a valid signature with the longest low-S DER encoding: 71
// bytes (r padded to 33 bytes). BOLT 3 assumes 72 bytes plus the sighash
// byte, so each signature in a real witness is one byte below the
// expected size.
func maxLowS(t testing.TB) wire.Signature {
	t.Helper()
	var s wire.Signature
	s[0], s[31], s[32], s[63] = 0x80, 1, 0x7f, 1
	der, err := s.DER()
	require.NoError(t, err, "test signature: %v, %d bytes", err, len(der))
	require.Len(t, der, 71, "test signature: %v, %d bytes", err, len(der))
	return s
}

func TestWitnessSizes(t *testing.T) {
	rev, local, remote, hash := testKeys(t)
	sig := maxLowS(t)
	var pre wire.Preimage
	toLocal := ToLocalScript(rev, local, 0xFFFF)
	offered := func(anchors bool) []byte { return OfferedHTLCScript(rev, local, remote, hash, anchors) }
	// Appendix A's accepted_htlc_script has a 4-byte cltv_expiry.
	received := func(anchors bool) []byte { return ReceivedHTLCScript(rev, local, remote, hash, 1<<24, anchors) }
	ch := &Channel{fundingScript: FundingScript(local, remote)}

	cases := []struct {
		name string
		w    btcwire.TxWitness
		err  error
		sigs int
		want int
	}{}
	add := func(name string, sigs, want int, w btcwire.TxWitness, err error) {
		cases = append(cases, struct {
			name string
			w    btcwire.TxWitness
			err  error
			sigs int
			want int
		}{name, w, err, sigs, want})
	}
	w, err := ch.FundingWitness(sig, sig)
	add("funding", 2, FundingWitnessSize, w, err)
	w, err = ToLocalDelayedWitness(sig, toLocal)
	add("to_local delayed", 1, ToLocalDelayedWitnessSize, w, err)
	w, err = ToLocalRevokeWitness(sig, toLocal)
	add("to_local revoke", 1, ToLocalRevokeWitnessSize, w, err)
	w, err = ToRemoteWitness(sig, remote)
	add("to_remote", 1, ToRemoteWitnessSize, w, err)
	w, err = ToRemoteAnchorWitness(sig, ToRemoteAnchorScript(remote))
	add("to_remote anchors", 1, ToRemoteAnchorWitnessSize, w, err)
	w, err = AnchorWitness(sig, AnchorScript(local))
	add("anchor", 1, AnchorWitnessSize, w, err)
	add("anchor sweep", 0, AnchorSweepWitnessSize, AnchorSweepWitness(AnchorScript(local)), nil)
	for _, anchors := range []bool{false, true} {
		extra := b2i(anchors) * AnchorScriptExtra
		w, err = HTLCRevokeWitness(sig, rev, offered(anchors))
		add("offered revoke", 1, OfferedHTLCRevokeWitnessSize+extra, w, err)
		w, err = HTLCRevokeWitness(sig, rev, received(anchors))
		add("received revoke", 1, ReceivedHTLCRevokeWitnessSize+extra, w, err)
		w, err = OfferedHTLCPreimageWitness(sig, pre, offered(anchors))
		add("offered preimage", 1, OfferedHTLCSuccessWitnessSize+extra, w, err)
		w, err = ReceivedHTLCTimeoutWitness(sig, received(anchors))
		add("received timeout", 1, ReceivedHTLCTimeoutWitnessSize+extra, w, err)
		typ := StaticRemoteKey
		if anchors {
			typ = AnchorsZeroFeeHTLC
		}
		w, err = HTLCTimeoutWitness(typ, sig, sig, offered(anchors))
		add("htlc-timeout", 2, HTLCTimeoutWitnessSize+extra, w, err)
		w, err = HTLCSuccessWitness(typ, sig, sig, pre, received(anchors))
		add("htlc-success", 2, HTLCSuccessWitnessSize+extra, w, err)
	}
	for _, c := range cases {
		require.NoError(t, c.err, "%s", c.name)
		got := c.w.SerializeSize() + c.sigs
		require.Equal(t, c.want, got, "%s: witness size %d (+%d for 73-byte signatures), constant says %d", c.name, got-c.sigs, c.sigs, c.want)
	}
}

// TestAppendixAWeights recomputes BOLT 3's expected weights from the
// witness sizes and the non-witness sizes of Appendix A.
func TestAppendixAWeights(t *testing.T) {
	const (
		commitNonWitness       = 125 // version, input, 2 outputs, locktime
		anchorCommitNonWitness = 225 // plus two anchors, 3-byte output count
		htlcTxNonWitness       = 94
	)
	checks := []struct {
		name      string
		got, want int
	}{
		{"commitment", 4*commitNonWitness + WitnessHeaderWeight + FundingWitnessSize, CommitWeight},
		{"anchors commitment", 4*anchorCommitNonWitness + WitnessHeaderWeight + FundingWitnessSize, AnchorCommitWeight},
		{"htlc output", 4 * 43, HTLCOutputWeight},
		{"htlc-timeout", 4*htlcTxNonWitness + WitnessHeaderWeight + HTLCTimeoutWitnessSize, HTLCTimeoutWeight},
		{"anchors htlc-timeout", 4*htlcTxNonWitness + WitnessHeaderWeight + HTLCTimeoutWitnessSize + AnchorScriptExtra, AnchorHTLCTimeoutWeight},
		// "really 702 and 705, but we use these numbers for historical reasons"
		{"htlc-success", 4*htlcTxNonWitness + WitnessHeaderWeight + HTLCSuccessWitnessSize + 1, HTLCSuccessWeight},
		{"anchors htlc-success", 4*htlcTxNonWitness + WitnessHeaderWeight + HTLCSuccessWitnessSize + AnchorScriptExtra + 1, AnchorHTLCSuccessWeight},
		{"input", 4 * 41, InputNonWitnessWeight},
	}
	for _, c := range checks {
		require.Equal(t, c.want, c.got, "%s: computed %d, constant %d", c.name, c.got, c.want)
	}
	for _, c := range []struct {
		typ  ChannelType
		n    int
		want uint64
	}{{StaticRemoteKey, 0, 724}, {StaticRemoteKey, 2, 1068}, {AnchorsZeroFeeHTLC, 0, 1124}, {AnchorsZeroFeeHTLC, 483, 1124 + 172*483}} {
		got := CommitmentWeight(c.typ, c.n)
		require.Equal(t, c.want, got, "CommitmentWeight(%v, %d) = %d", c.typ, c.n, got)
	}
	require.Equal(t, wire.Satoshi(0), HTLCTimeoutFee(AnchorsZeroFeeHTLC, 10_000), "anchors htlc transactions must pay no fee")
	require.Equal(t, wire.Satoshi(0), HTLCSuccessFee(AnchorsZeroFeeHTLC, 10_000), "anchors htlc transactions must pay no fee")
}
