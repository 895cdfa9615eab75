package monitor_test

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/persist/persisttest"
	lnwire "github.com/lnkit/lnkit/wire"
)

// TestHolderCommitmentClaimBumpFee: the claim of an anchors channel goes
// as is into chain/wallet's BumpFee, whose wallet rebuilds the anchor
// script from the channel's funding key and signs the child (the claim
// first goes through an events.BumpTransaction record); on a chain
// whose minimum relay fee the commitment alone does not reach, the
// package (commitment + child) is accepted, confirms, and the monitor
// recognises its own commitment.
func TestHolderCommitmentClaimBumpFee(t *testing.T) {
	ctx := context.Background()
	ch := newTestChannelOn(t, commit.AnchorsZeroFeeHTLC, simchain.Config{MinRelayFeeRate: 1_000})
	c := ch.chain
	cm := newChainMonitor(t, newKV(t, persisttest.NewCrashStore(), 1000))
	id := ch.a.mon.ChannelID()
	require.Equal(t, monitor.Completed, cm.WatchChannel(id, ch.a.mon))
	w := openWallet(t, ch, ch.a, 1)
	c.Connect(cm, w)
	addr, err := w.NewAddress(ctx, wallet.P2WPKH)
	require.NoError(t, err)
	script, err := txscript.PayToAddrScript(addr)
	require.NoError(t, err)
	_, err = c.Fund(script, 100_000)
	require.NoError(t, err)

	claim, err := cm.HolderCommitmentClaim(id, ch.a.signer)
	require.NoError(t, err)
	tx, err := cm.LatestHolderCommitmentTx(id, ch.a.signer)
	require.NoError(t, err)
	require.Equal(t, tx, claim.Tx, "the same signed commitment")
	require.Equal(t, tx.TxHash(), claim.Txid)
	require.Zero(t, claim.CommitmentNumber)
	require.Equal(t, lnwire.FeeRateFloor, claim.FeeRate)
	require.Equal(t, commit.CommitmentFee(commit.AnchorsZeroFeeHTLC, lnwire.FeeRateFloor, 0), claim.Fee)
	require.NotNil(t, claim.Anchor)
	require.Equal(t, spendable.Output{
		Kind: spendable.Anchor, OutPoint: claim.Anchor.OutPoint, Value: commit.AnchorAmount,
		PkScript: commit.P2WSH(commit.AnchorScript(ch.a.signer.Basepoints().FundingKey)), ChannelKeyID: ch.a.signer.KeyID(),
	}, *claim.Anchor)
	require.Equal(t, claim.Txid, claim.Anchor.OutPoint.Hash)

	require.ErrorIs(t, c.Broadcast(claim.Tx), simchain.ErrFeeTooLow, "the commitment alone is below the relay fee")
	// Through the application's durable event queue, as the Manager hands
	// it over.
	rec, err := events.Encode(&events.BumpTransaction{
		ChannelID: id, ClaimID: claim.Txid, CommitmentTx: claim.Tx, CommitmentTxFee: claim.Fee,
		Anchor: *claim.Anchor, TargetFeeRate: 2_500,
	})
	require.NoError(t, err)
	ev, err := events.Decode(rec)
	require.NoError(t, err)
	bump := ev.(*events.BumpTransaction)
	child, err := w.BumpFee(ctx, wallet.BumpRequest{
		Parent: bump.CommitmentTx, ParentFee: btcutil.Amount(bump.CommitmentTxFee), Anchor: bump.Anchor, FeeRate: bump.TargetFeeRate,
	})
	require.NoError(t, err)
	require.True(t, c.InMempool(claim.Txid))
	require.True(t, c.InMempool(child.TxHash()))
	require.Len(t, child.TxIn, 2, "the anchor and the wallet coin")
	var childOut int64
	for _, o := range child.TxOut {
		childOut += o.Value
	}
	weight := func(tx *btcwire.MsgTx) int64 { return int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize()) }
	pkgFee := int64(claim.Fee) + 100_000 + int64(commit.AnchorAmount) - childOut
	require.GreaterOrEqual(t, pkgFee*1000, 2_500*(weight(claim.Tx)+weight(child)), "the package reaches the target rate")
	c.Mine(1)
	require.EqualValues(t, 1, c.Confirmations(child.TxHash()))
	require.Equal(t, []monitor.FundingSpendInfo{{
		ChannelID: id, Kind: monitor.HolderCommitment, Txid: claim.Txid, Height: c.Tip().Height,
	}}, cm.ReleaseFundingSpends())
}

// TestHolderCommitmentClaimShapes: no anchor without anchors, nor when our
// balance is trimmed (BOLT 3 drops our anchor); the refusals of
// LatestHolderCommitmentTx apply.
func TestHolderCommitmentClaimShapes(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	claim, err := ch.a.mon.HolderCommitmentClaim(ch.a.signer)
	require.NoError(t, err)
	require.Nil(t, claim.Anchor)
	require.Equal(t, commit.CommitmentFee(commit.StaticRemoteKey, lnwire.FeeRateFloor, 0), claim.Fee)

	ch = newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	// A (the opener) keeps 1,000 sat: below the dust limit once it paid
	// the fee and both anchors, so A's commitment has no to_local and no
	// anchor of A's.
	require.NoError(t, ch.a.mon.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{holderStep(t, ch.a, ch.b, 1, 1_000_000)}}))
	claim, err = ch.a.mon.HolderCommitmentClaim(ch.a.signer)
	require.NoError(t, err)
	require.Nil(t, claim.Anchor)
	require.EqualValues(t, 1, claim.CommitmentNumber)
	var out int64
	for _, o := range claim.Tx.TxOut {
		out += o.Value
	}
	require.EqualValues(t, capacity-out, claim.Fee, "the trimmed balance goes to the fee")
	claim, err = ch.b.mon.HolderCommitmentClaim(ch.b.signer)
	require.NoError(t, err)
	require.NotNil(t, claim.Anchor, "B, not the opener, has its anchor")

	cm := newChainMonitor(t, newKV(t, persisttest.NewCrashStore(), 1000))
	_, err = cm.HolderCommitmentClaim(ch.a.mon.ChannelID(), ch.a.signer)
	require.ErrorIs(t, err, monitor.ErrUnknownChannel)
}

// TestHolderCommitmentClaimBehind: once the chain shows a counterparty
// commitment newer than any we know, the claim is refused as
// LatestHolderCommitmentTx is.
func TestHolderCommitmentClaimBehind(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	c := ch.chain
	c.Connect(ch.a.mon)
	// B's commitment 1, which A's monitor never saw signed.
	require.NoError(t, ch.b.mon.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{holderStep(t, ch.b, ch.a, 1, capacity*1000-aBalance)}}))
	txB, err := ch.b.mon.LatestHolderCommitmentTx(ch.b.signer)
	require.NoError(t, err)
	require.NoError(t, c.Broadcast(txB))
	c.Mine(1)
	require.True(t, ch.a.mon.Info().Behind)
	_, err = ch.a.mon.HolderCommitmentClaim(ch.a.signer)
	require.ErrorIs(t, err, monitor.ErrBehind)
}
