package monitor_test

import (
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	lnwire "github.com/lnkit/lnkit/wire"
)

var channelTypes = []struct {
	name string
	typ  commit.ChannelType
}{
	{"static_remotekey", commit.StaticRemoteKey},
	{"anchors", commit.AnchorsZeroFeeHTLC},
}

// spendables returns the outputs of the SpendableOutputs events of m, and
// whether a ChannelClosed event came.
func spendables(t *testing.T, m *monitor.ChannelMonitor) (outs []spendable.Output, closed bool) {
	t.Helper()
	for _, e := range m.ReleasePendingEvents() {
		switch e := e.(type) {
		case *events.SpendableOutputs:
			require.Equal(t, m.ChannelID(), e.ChannelID)
			outs = append(outs, e.Outputs...)
		case *events.ChannelClosed:
			require.Equal(t, events.ClosedCounterpartyForceClosed, e.Reason.Kind)
			closed = true
		}
	}
	return outs, closed
}

// TestForceClose broadcasts A's commitment: A's monitor recognises its own
// commitment and emits to_local once it is spendable and 6 deep; B's
// recognises the counterparty's commitment and emits to_remote 6 deep;
// both sweeps are accepted by the script-validating chain, and the amounts
// add up to the capacity to the satoshi.
func TestForceClose(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			ch, tx := connectedChannel(t, tc.typ)
			c := ch.chain
			require.NoError(t, c.Broadcast(tx))
			c.Mine(1)
			conf := c.Tip().Height
			require.Equal(t, monitor.HolderCommitment, ch.a.mon.Spend().Kind)
			require.Equal(t, monitor.CounterpartyCommitment, ch.b.mon.Spend().Kind)
			require.Equal(t, uint64(0), ch.b.mon.Spend().CommitmentNumber)

			// B's to_remote: 6 deep.
			c.Mine(monitor.AntiReorgDelay - 2)
			outs, closed := spendables(t, ch.b.mon)
			require.Empty(t, outs)
			require.False(t, closed)
			c.Mine(1)
			require.Equal(t, conf+monitor.AntiReorgDelay-1, c.Tip().Height)
			outs, closed = spendables(t, ch.b.mon)
			require.True(t, closed)
			require.Len(t, outs, 1)
			toRemote := outs[0]
			wantKind := spendable.StaticRemote
			if tc.typ != commit.StaticRemoteKey {
				wantKind = spendable.AnchorToRemote
			}
			require.Equal(t, wantKind, toRemote.Kind)
			require.NoError(t, c.Broadcast(sweep(t, ch.b, toRemote, 500)))

			// A's to_local: after its CSV delay (20 > 6).
			for c.Tip().Height < conf+aDelay-2 {
				c.Mine(1)
				outs, _ := spendables(t, ch.a.mon)
				require.Empty(t, outs, "height %d", c.Tip().Height)
			}
			c.Mine(1)
			outs, closed = spendables(t, ch.a.mon)
			require.False(t, closed)
			require.Len(t, outs, 1)
			toLocal := outs[0]
			require.Equal(t, spendable.ToLocalDelayed, toLocal.Kind)
			require.EqualValues(t, aDelay, toLocal.ToSelfDelay)
			require.NoError(t, c.Broadcast(sweep(t, ch.a, toLocal, 500)))
			c.Mine(1)

			// To the satoshi: the opener A pays the commitment fee and
			// the anchors.
			var anchors int64
			if tc.typ != commit.StaticRemoteKey {
				anchors = 2 * 330
			}
			fee := int64(commit.CommitmentFee(tc.typ, lnwire.FeeRateFloor, 0))
			require.EqualValues(t, capacity-aBalance/1000, toRemote.Value)
			require.EqualValues(t, aBalance/1000-fee-anchors, toLocal.Value)
			var total int64
			for _, out := range tx.TxOut {
				total += out.Value
			}
			require.EqualValues(t, capacity-fee, total)
		})
	}
}

// closingTx is a cooperative closing transaction of ch signed by both.
func closingTx(t *testing.T, ch *testChannel) *btcwire.MsgTx {
	t.Helper()
	closing := commit.SimpleClosing{
		Closer:      commit.Local,
		LocalScript: commit.P2WPKH(ch.a.signer.Basepoints().PaymentBasepoint), RemoteScript: commit.P2WPKH(ch.b.signer.Basepoints().PaymentBasepoint),
		LocalBalance: aBalance, RemoteBalance: capacity*1000 - aBalance, Fee: 1_000, LockTime: uint32(ch.chain.Tip().Height),
	}
	tx, err := ch.a.ch.SimpleClosingTx(closing)
	require.NoError(t, err)
	h, err := ch.a.ch.ClosingSigHash(tx)
	require.NoError(t, err)
	sa, err := ch.a.signer.SignFunding(h)
	require.NoError(t, err)
	sb, err := ch.b.signer.SignFunding(h)
	require.NoError(t, err)
	tx.TxIn[0].Witness, err = ch.a.ch.FundingWitness(sa, sb)
	require.NoError(t, err)
	return tx
}

// TestCooperativeClose: a closing transaction is recognised as such and
// produces no claim.
func TestCooperativeClose(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChannel(t, tc.typ)
			c := ch.chain
			c.Connect(ch.a.mon, ch.b.mon)
			require.NoError(t, c.Broadcast(closingTx(t, ch)))
			c.Mine(monitor.AntiReorgDelay + 1)
			for _, s := range []*side{ch.a, ch.b} {
				require.Equal(t, monitor.CooperativeClose, s.mon.Spend().Kind)
				outs, closed := spendables(t, s.mon)
				require.Empty(t, outs)
				require.False(t, closed)
			}
		})
	}
}

// TestReorgCommitment: a reorganisation of the commitment's block undoes
// its recognition; it is recognised again when it confirms again, and the
// claim comes 6 blocks after the new confirmation.
func TestReorgCommitment(t *testing.T) {
	ch, tx := connectedChannel(t, commit.AnchorsZeroFeeHTLC)
	c := ch.chain
	require.NoError(t, c.Broadcast(tx))
	c.Mine(3)
	require.NotNil(t, ch.b.mon.Spend())
	// Replace the last 3 blocks with 3 empty ones: the commitment is gone.
	_, err := c.ReorgBlocks(3, []*btcwire.MsgTx{}, []*btcwire.MsgTx{}, []*btcwire.MsgTx{})
	require.NoError(t, err)
	require.Nil(t, ch.a.mon.Spend())
	require.Nil(t, ch.b.mon.Spend())
	// It confirms again, later.
	if !c.InMempool(tx.TxHash()) {
		require.NoError(t, c.Broadcast(tx))
	}
	c.Mine(1)
	conf := c.Tip().Height
	require.Equal(t, monitor.CounterpartyCommitment, ch.b.mon.Spend().Kind)
	require.Equal(t, conf, ch.b.mon.Spend().Height)
	c.Mine(monitor.AntiReorgDelay - 2)
	outs, _ := spendables(t, ch.b.mon)
	require.Empty(t, outs)
	c.Mine(1)
	outs, _ = spendables(t, ch.b.mon)
	require.Len(t, outs, 1)
}

// TestReorgToOtherCommitment: both sides broadcast; A's commitment
// confirms, then a reorganisation replaces it with B's. Each monitor
// forgets the first recognition and recognises the other commitment; only
// the claims of the final one are emitted.
func TestReorgToOtherCommitment(t *testing.T) {
	ch, txA := connectedChannel(t, commit.AnchorsZeroFeeHTLC)
	c := ch.chain
	txB, err := ch.b.mon.LatestHolderCommitmentTx(ch.b.signer)
	require.NoError(t, err)
	_, err = c.MineTx(txA)
	require.NoError(t, err)
	c.Mine(2)
	require.Equal(t, monitor.HolderCommitment, ch.a.mon.Spend().Kind)
	require.Equal(t, monitor.CounterpartyCommitment, ch.b.mon.Spend().Kind)

	_, err = c.ReorgBlocks(3, []*btcwire.MsgTx{txB}, []*btcwire.MsgTx{}, []*btcwire.MsgTx{}, []*btcwire.MsgTx{})
	require.NoError(t, err)
	conf := c.Tip().Height - 3
	require.Equal(t, monitor.CounterpartyCommitment, ch.a.mon.Spend().Kind)
	require.Equal(t, txB.TxHash(), ch.a.mon.Spend().Tx.TxHash())
	require.Equal(t, monitor.HolderCommitment, ch.b.mon.Spend().Kind)
	require.Equal(t, conf, ch.b.mon.Spend().Height)

	for c.Tip().Height < conf+bDelay-1 {
		c.Mine(1)
	}
	outsA, closedA := spendables(t, ch.a.mon)
	outsB, closedB := spendables(t, ch.b.mon)
	require.True(t, closedA)
	require.False(t, closedB)
	require.Len(t, outsA, 1)
	require.Equal(t, spendable.AnchorToRemote, outsA[0].Kind)
	require.Equal(t, txB.TxHash(), outsA[0].OutPoint.Hash)
	require.Len(t, outsB, 1)
	require.Equal(t, spendable.ToLocalDelayed, outsB[0].Kind)
	require.EqualValues(t, bDelay, outsB[0].ToSelfDelay)
	require.NoError(t, c.Broadcast(sweep(t, ch.a, outsA[0], 500)))
	require.NoError(t, c.Broadcast(sweep(t, ch.b, outsB[0], 500)))
}
