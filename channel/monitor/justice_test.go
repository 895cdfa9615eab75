package monitor_test

import (
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	lnwire "github.com/lnkit/lnkit/wire"
)

// breachHTLC is an HTLC of the breach tests; preimage is its payment
// preimage.
type breachHTLC struct {
	h        commit.HTLC
	preimage lnwire.Preimage
}

// breachHTLCs are two HTLCs seen from A: one A offered, one B offered, both
// above the dust limits.
func breachHTLCs() []breachHTLC {
	out := make([]breachHTLC, 2)
	for i := range out {
		out[i].preimage[0] = byte(i + 1)
		out[i].h = commit.HTLC{ID: uint64(i), Offerer: commit.Side(i % 2), Amount: 40_000_000 + lnwire.MilliSatoshi(i)*7_000_000,
			PaymentHash: out[i].preimage.Hash(), CLTVExpiry: 500 + uint32(i)*50}
	}
	out[0].h.Offerer, out[1].h.Offerer = commit.Local, commit.Remote
	return out
}

// htlcStateA is A's view of commitment n (of the owner whose points
// signer gives) with the HTLCs and A's balance outside them.
func htlcStateA(t testing.TB, n uint64, owner *side, aBal lnwire.MilliSatoshi, hs []breachHTLC) *commit.State {
	t.Helper()
	st := state(t, n, owner.signer, aBal)
	for _, h := range hs {
		st.HTLCs = append(st.HTLCs, h.h)
		st.RemoteBalance -= h.h.Amount
	}
	return st
}

// flipped is st seen from the other side.
func flipped(st *commit.State) *commit.State {
	f := *st
	f.LocalBalance, f.RemoteBalance = st.RemoteBalance, st.LocalBalance
	f.HTLCs = nil
	for _, h := range st.HTLCs {
		h.Offerer = h.Offerer.Other()
		f.HTLCs = append(f.HTLCs, h)
	}
	return &f
}

// revokedCommitment is A's commitment n signed by both sides (what A could
// broadcast), with its commitment and A's HTLC signatures and B's.
type revokedCommitment struct {
	cm          *commit.Commitment
	tx          *btcwire.MsgTx
	ownerSigs   commit.Signatures
	counterSigs commit.Signatures
}

func signedCommitmentA(t testing.TB, ch *testChannel, st *commit.State) revokedCommitment {
	t.Helper()
	cm, err := ch.a.ch.Build(commit.Local, st)
	require.NoError(t, err)
	theirs, err := ch.b.ch.Build(commit.Remote, flipped(st))
	require.NoError(t, err)
	counter, err := theirs.SignAsCounterparty(ch.b.signer)
	require.NoError(t, err)
	own, err := cm.SignAsOwner(ch.a.signer)
	require.NoError(t, err)
	tx, err := cm.SignedTx(own.Commitment, counter.Commitment)
	require.NoError(t, err)
	return revokedCommitment{cm: cm, tx: tx, ownerSigs: own, counterSigs: counter}
}

// htlcSuccess is A's HTLC-success transaction of the HTLC it received
// (B offered: breachHTLCs()[1]) in rc, signed by both sides.
func (rc revokedCommitment) htlcSuccess(t testing.TB, preimage lnwire.Preimage) *btcwire.MsgTx {
	t.Helper()
	for j, i := range rc.cm.HTLCOutputs {
		if rc.cm.Outputs[i].Kind == commit.ReceivedHTLCOutput {
			tx, err := rc.cm.SignedHTLCTx(i, rc.ownerSigs.HTLCs[j], rc.counterSigs.HTLCs[j], &preimage)
			require.NoError(t, err)
			return tx
		}
	}
	t.Fatalf("no HTLC received by A in commitment %d", rc.cm.Number)
	return nil
}

// advanceB gives B's monitor A's commitments 1..last (HTLCs in 1..last)
// and the secrets of 0..last-1: all but the last are revoked.
func advanceB(t testing.TB, ch *testChannel, last uint64, hs []breachHTLC) map[uint64]*commit.State {
	t.Helper()
	states := map[uint64]*commit.State{}
	id := ch.b.mon.LatestUpdateID()
	for n := uint64(1); n <= last; n++ {
		st := htlcStateA(t, n, ch.a, aBalance-100_000_000, hs)
		states[n] = st
		id++
		require.NoError(t, ch.b.mon.Apply(&monitor.Update{ID: id, Steps: []monitor.Step{
			&monitor.NewCounterpartyCommitment{State: flipped(st)},
			&monitor.CommitmentSecret{Number: n - 1, Secret: secret(t, ch.a.signer, n-1)},
		}}))
	}
	return states
}

// TestBreachJustice broadcasts A's revoked commitment with two HTLCs: B's
// monitor recognises the breach, finds to_local and both HTLC outputs,
// and a justice transaction built from them is valid on the
// script-validating chain and takes everything but B's own to_remote and
// the anchors, to the satoshi. B's monitor, decoded from its record, finds
// the same breach.
func TestBreachJustice(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChannel(t, tc.typ)
			c := ch.chain
			c.Connect(ch.b.mon)
			hs := breachHTLCs()
			states := advanceB(t, ch, 3, hs)
			rc := signedCommitmentA(t, ch, states[2]) // revoked by the secret of 2
			require.NoError(t, c.Broadcast(rc.tx))
			c.Mine(1)
			require.Equal(t, monitor.RevokedCounterpartyCommitment, ch.b.mon.Spend().Kind)
			b := ch.b.mon.Breach()
			require.NotNil(t, b)
			require.Equal(t, uint64(2), b.Number)
			kinds := map[monitor.RevokedKind]int{}
			var claimed lnwire.Satoshi
			for _, o := range b.Outputs {
				kinds[o.Kind]++
				claimed += o.Value
			}
			require.Equal(t, map[monitor.RevokedKind]int{monitor.RevokedToLocal: 1, monitor.RevokedOfferedHTLC: 1, monitor.RevokedReceivedHTLC: 1}, kinds)
			toLocal := rc.cm.Outputs[rc.cm.OutputIndex(commit.ToLocalOutput)].Amount
			require.Equal(t, toLocal+hs[0].h.Amount.ToSatoshi()+hs[1].h.Amount.ToSatoshi(), claimed)

			dest := commit.P2WPKH(ch.b.signer.Basepoints().PaymentBasepoint)
			justice, err := b.JusticeTx(b.Outputs, dest, 2000, ch.b.signer)
			require.NoError(t, err)
			require.NoError(t, c.Broadcast(justice))
			weight := int64(justice.SerializeSizeStripped())*3 + int64(justice.SerializeSize())
			fee := int64(claimed) - justice.TxOut[0].Value
			require.GreaterOrEqual(t, fee, 2000*weight/1000)
			require.Less(t, fee, 2000*(weight+8)/1000, "weight counted with the largest signatures only")
			c.Mine(1)

			// After a restart the breach is found again.
			rec, err := ch.b.mon.Encode()
			require.NoError(t, err)
			again, err := monitor.Decode(rec)
			require.NoError(t, err)
			require.NotNil(t, again.Breach())
			require.Equal(t, b.Outputs, again.Breach().Outputs)

			// Too high a rate for what is claimed.
			_, err = b.JusticeTx(b.Outputs[:1], dest, 10_000_000, ch.b.signer)
			require.ErrorIs(t, err, monitor.ErrFeeAboveValue)
		})
	}
}

// TestBreachSecondStage: the cheater claims the HTLC it received with the
// preimage (HTLC-success) before B's justice transaction: B's monitor
// adds the HTLC-success output to the breach, a justice transaction takes
// it with the revocation key, and a restart keeps it.
func TestBreachSecondStage(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	c := ch.chain
	c.Connect(ch.b.mon)
	hs := breachHTLCs()
	states := advanceB(t, ch, 2, hs)
	rc := signedCommitmentA(t, ch, states[1])
	require.NoError(t, c.Broadcast(rc.tx))
	c.Mine(1)
	b := ch.b.mon.Breach()
	require.NotNil(t, b)
	require.Len(t, b.Outputs, 3)

	// A received hs[1] (B offered it): its HTLC-success transaction.
	success := rc.htlcSuccess(t, hs[1].preimage)
	require.NoError(t, c.Broadcast(success))
	c.Mine(1)
	b = ch.b.mon.Breach()
	require.Len(t, b.Outputs, 4)
	second := b.Outputs[3]
	require.Equal(t, monitor.RevokedSecondStage, second.Kind)
	require.Equal(t, success.TxHash(), second.OutPoint.Hash)
	require.Equal(t, lnwire.Satoshi(success.TxOut[0].Value), second.Value)
	require.Zero(t, b.AddSecondStage(success), "an output is added once")

	rec, err := ch.b.mon.Encode()
	require.NoError(t, err)
	again, err := monitor.Decode(rec)
	require.NoError(t, err)
	require.Equal(t, b.Outputs, again.Breach().Outputs)

	// The justice transaction takes to_local, the other HTLC and the
	// second-stage output (the received HTLC's output is spent).
	var outs []monitor.RevokedOutput
	for _, o := range b.Outputs {
		if o.OutPoint != success.TxIn[0].PreviousOutPoint {
			outs = append(outs, o)
		}
	}
	require.Len(t, outs, 3)
	justice, err := again.Breach().JusticeTx(outs, commit.P2WPKH(ch.b.signer.Basepoints().PaymentBasepoint), 1000, ch.b.signer)
	require.NoError(t, err)
	require.NoError(t, c.Broadcast(justice))
	c.Mine(1)
}

// breachRecord is B's monitor record after A broadcast its revoked
// commitment 1 and claimed an HTLC of it with HTLC-success: a breach with a
// second-stage transaction and an HTLC history (a fuzz seed).
func breachRecord(t testing.TB) []byte {
	t.Helper()
	ch := newTestChannel(t, commit.StaticRemoteKey)
	ch.chain.Connect(ch.b.mon)
	hs := breachHTLCs()
	rc := signedCommitmentA(t, ch, advanceB(t, ch, 2, hs)[1])
	require.NoError(t, ch.chain.Broadcast(rc.tx))
	require.NoError(t, ch.chain.Broadcast(rc.htlcSuccess(t, hs[1].preimage)))
	ch.chain.Mine(1)
	require.Len(t, ch.b.mon.Breach().Outputs, 4)
	return encoded(t, ch.b.mon)
}
