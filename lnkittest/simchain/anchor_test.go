package simchain_test

import (
	"context"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	lnwire "github.com/lnkit/lnkit/wire"
)

// party is one side of a channel for channel/commit.
func party(s *keys.InMemorySigner) commit.Party {
	bp := s.Basepoints()
	return commit.Party{
		Basepoints: commit.Basepoints{
			Funding: bp.FundingKey, Revocation: bp.RevocationBasepoint, Payment: bp.PaymentBasepoint,
			DelayedPayment: bp.DelayedPaymentBasepoint, HTLC: bp.HTLCBasepoint,
		},
		DustLimit: commit.MinDustLimit,
		CSVDelay:  toSelfDelay,
	}
}

// TestCommitmentAnchorCPFP broadcasts a real anchors commitment built and
// signed with channel/commit and keys after the mempool's minimum fee rate
// rose above its fee rate: refused alone, accepted with a child spending
// its anchor and paying for both (package relay), confirmed together, and
// its to_local swept after to_self_delay.
func TestCommitmentAnchorCPFP(t *testing.T) {
	ctx := context.Background()
	c, err := simchain.New(simchain.Config{MinRelayFeeRate: 1_000}) // 4 sat/vbyte
	require.NoError(t, err)
	local, remote := testSigner(1), testSigner(2)
	const capacity = 1_000_000
	fundingOut, _ := commit.FundingOutput(local.Basepoints().FundingKey, remote.Basepoints().FundingKey, capacity)
	funding := fund(t, c, fundingOut.PkScript, capacity)
	ch, err := commit.New(commit.Params{
		Type: commit.AnchorsZeroFeeHTLC, FundingOutpoint: funding.op, Capacity: capacity,
		Opener: commit.Local, Local: party(local), Remote: party(remote),
	})
	require.NoError(t, err)
	point, err := local.PerCommitmentPoint(0)
	require.NoError(t, err)
	cm, err := ch.Build(commit.Local, &commit.State{
		PerCommitmentPoint: point,
		LocalBalance:       600_000_000, RemoteBalance: 400_000_000,
		FeeRate: lnwire.FeeRateFloor,
	})
	require.NoError(t, err)
	ownerSigs, err := cm.SignAsOwner(local)
	require.NoError(t, err)
	counterSigs, err := cm.SignAsCounterparty(remote)
	require.NoError(t, err)
	commitment, err := cm.SignedTx(ownerSigs.Commitment, counterSigs.Commitment)
	require.NoError(t, err)

	requireTxError(t, c.Broadcast(commitment), simchain.ErrFeeTooLow, -1)

	// The child: the local anchor and a wallet coin, paying for both.
	feeCoin := fund(t, c, paymentScript(local), 50_000)
	ai := cm.OutputIndex(commit.LocalAnchorOutput)
	anchor := prevOut{op: btcwire.OutPoint{Hash: commitment.TxHash(), Index: uint32(ai)}, out: commitment.TxOut[ai]}
	prevs := []prevOut{anchor, feeCoin}
	child := newSpend(prevs, 50_330-5_000)
	sig, err := local.SignFunding(digest(t, child, 0, prevs, cm.Outputs[ai].WitnessScript))
	require.NoError(t, err)
	child.TxIn[0].Witness, err = commit.AnchorWitness(sig, cm.Outputs[ai].WitnessScript)
	require.NoError(t, err)
	signPayment(t, child, 1, prevs, local)

	require.NoError(t, c.BroadcastTransactions(ctx, commitment, child))
	c.Mine(1)
	require.EqualValues(t, 1, c.Confirmations(commitment.TxHash()))
	require.EqualValues(t, 1, c.Confirmations(child.TxHash()))
	spend, ok := c.Spender(funding.op)
	require.True(t, ok)
	require.Equal(t, commitment.TxHash(), spend.TxID)

	// to_local, after to_self_delay blocks.
	li := cm.OutputIndex(commit.ToLocalOutput)
	toLocal := prevOut{op: btcwire.OutPoint{Hash: commitment.TxHash(), Index: uint32(li)}, out: commitment.TxOut[li]}
	sweep := newSpend([]prevOut{toLocal}, toLocal.out.Value-2_000)
	sweep.TxIn[0].Sequence = toSelfDelay
	script := cm.Outputs[li].WitnessScript
	sig, err = local.SignDelayedPayment(point, digest(t, sweep, 0, []prevOut{toLocal}, script))
	require.NoError(t, err)
	sweep.TxIn[0].Witness, err = commit.ToLocalDelayedWitness(sig, script)
	require.NoError(t, err)
	c.Mine(toSelfDelay - 2)
	requireTxError(t, c.Broadcast(sweep), simchain.ErrSequenceLock, 0)
	c.Mine(1)
	require.NoError(t, c.Broadcast(sweep))
}
