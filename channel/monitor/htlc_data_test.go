package monitor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
)

// testHTLCs are n HTLCs from A's point of view, alternately offered by A
// and by B, 5,000 sat each.
func testHTLCs(n int) []commit.HTLC {
	hs := make([]commit.HTLC, n)
	for i := range hs {
		hs[i] = commit.HTLC{
			ID: uint64(i), Offerer: commit.Side(i % 2), Amount: 5_000_000,
			PaymentHash: preimage(byte(i)).Hash(), CLTVExpiry: 500_000 + uint32(i),
		}
	}
	return hs
}

// withHTLCs returns st with hs added, the HTLC amounts taken from the
// balance of their offerer (st seen from the node whose HTLCs hs are).
func withHTLCs(st *commit.State, hs []commit.HTLC) *commit.State {
	st.HTLCs = hs
	for _, h := range hs {
		if h.Offerer == commit.Local {
			st.LocalBalance -= h.Amount
		} else {
			st.RemoteBalance -= h.Amount
		}
	}
	return st
}

// holderStepWithHTLCs is A's commitment n holding hs (A's point of view),
// signed by B, with B's signatures of the HTLC transactions.
func holderStepWithHTLCs(t *testing.T, ch *testChannel, n uint64, hs []commit.HTLC) *monitor.NewHolderCommitment {
	t.Helper()
	theirs := make([]commit.HTLC, len(hs))
	for i, h := range hs {
		h.Offerer = h.Offerer.Other()
		theirs[i] = h
	}
	cm, err := ch.b.ch.Build(commit.Remote, withHTLCs(state(t, n, ch.a.signer, capacity*1000-aBalance), theirs))
	require.NoError(t, err)
	sigs, err := cm.SignAsCounterparty(ch.b.signer)
	require.NoError(t, err)
	require.Len(t, sigs.HTLCs, len(hs))
	return &monitor.NewHolderCommitment{State: withHTLCs(state(t, n, ch.a.signer, aBalance), hs), CounterpartySig: sigs.Commitment, HTLCSigs: sigs.HTLCs}
}

// TestHTLCDataKept records what the monitor keeps of the HTLCs of its
// commitments (for BOLT 5's HTLC claims, a later issue): the HTLC lists of
// the latest and previous holder commitments and of every unrevoked
// counterparty commitment (the latest and the previous one until its
// revocation), through Apply and the full encoding. A counterparty
// commitment's HTLCs are dropped with it when its secret arrives: the
// revoked commitment's HTLC outputs cannot be rebuilt from the monitor.
func TestHTLCDataKept(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChannel(t, tc.typ)
			m := ch.a.mon
			hs1, hs2 := testHTLCs(2), testHTLCs(3)
			cp1 := withHTLCs(state(t, 1, ch.b.signer, aBalance), hs1)
			cp2 := withHTLCs(state(t, 2, ch.b.signer, aBalance), hs2)
			require.NoError(t, m.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{
				holderStepWithHTLCs(t, ch, 1, hs1),
				&monitor.NewCounterpartyCommitment{State: cp1},
				&monitor.CommitmentSecret{Number: 0, Secret: secret(t, ch.b.signer, 0)},
			}}))
			require.NoError(t, m.Apply(&monitor.Update{ID: 2, Steps: []monitor.Step{
				holderStepWithHTLCs(t, ch, 2, hs2),
				&monitor.NewCounterpartyCommitment{State: cp2},
			}}))
			decoded, err := monitor.Decode(encoded(t, m))
			require.NoError(t, err)
			for _, got := range []*monitor.ChannelMonitor{m, decoded} {
				latest, prev := monitor.HolderStates(got)
				require.Equal(t, hs2, latest.HTLCs)
				require.Equal(t, hs1, prev.HTLCs)
				cps := monitor.CounterpartyStates(got)
				require.Len(t, cps, 2, "the previous and the latest counterparty commitments")
				require.Equal(t, []uint64{1, 2}, []uint64{cps[0].Number, cps[1].Number})
				require.Equal(t, hs1, cps[0].HTLCs)
				require.Equal(t, hs2, cps[1].HTLCs)
			}

			require.NoError(t, m.Apply(&monitor.Update{ID: 3, Steps: []monitor.Step{
				&monitor.CommitmentSecret{Number: 1, Secret: secret(t, ch.b.signer, 1)},
			}}))
			cps := monitor.CounterpartyStates(m)
			require.Len(t, cps, 1, "the revoked commitment 1 is dropped, its HTLCs with it")
			require.Equal(t, hs2, cps[0].HTLCs)
		})
	}
}
