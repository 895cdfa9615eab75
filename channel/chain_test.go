package channel

import (
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// TestFundingReorgBeforeReady: the funding's block leaves the chain before
// minimum_depth; the channel waits again, and is ready once the funding
// is minimum_depth deep in its new block, under the new short_channel_id.
func TestFundingReorgBeforeReady(t *testing.T) {
	tp := newTestPair(t, testUser(3, false), testUser(3, false))
	ch := tp.open(600_000, 0, 0)
	tp.mine(1)
	first := tp.chain.Tip().Height
	cd := tp.b.details(t, ch.id)
	require.Equal(t, uint32(first), cd.ShortChannelID.BlockHeight)
	tp.mine(1)
	require.Equal(t, uint32(2), tp.b.details(t, ch.id).Confirmations)

	_, err := tp.chain.Reorg(2, 2) // the funding goes back to the mempool
	require.NoError(t, err)
	tp.deliver()
	for _, n := range []*testNode{tp.a, tp.b} {
		cd := n.details(t, ch.id)
		require.Equal(t, StateAwaitingFunding, cd.State, n.name)
		require.Zero(t, cd.Confirmations, n.name)
		require.Zero(t, cd.ShortChannelID, n.name)
		require.Equal(t, tp.chain.Tip().Height, n.m.BestBlock().Height)
	}
	tp.mine(2) // the funding confirms again, one block higher
	require.Empty(t, sentOf[*wire.ChannelReady](tp, tp.a))
	require.Equal(t, uint32(first+2), tp.a.details(t, ch.id).ShortChannelID.BlockHeight)
	tp.mine(1)
	for _, n := range []*testNode{tp.a, tp.b} {
		require.Len(t, sentOf[*wire.ChannelReady](tp, n), 1, n.name)
		cd := n.details(t, ch.id)
		require.Equal(t, StateReady, cd.State, n.name)
		require.Equal(t, wire.ShortChannelID{BlockHeight: uint32(first + 2), TxIndex: 1}, cd.ShortChannelID, n.name)
		require.Len(t, eventsOf[*events.ChannelReady](t, n), 1, n.name)
	}
}

// TestFundingReorgAfterReady: a reorganisation deeper than minimum_depth
// un-confirms the funding of a ready channel: it stays ready (a
// channel_ready cannot be taken back), and picks up its new block.
func TestFundingReorgAfterReady(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	ch := tp.open(600_000, 0, 0)
	tp.mine(1)
	require.Equal(t, StateReady, tp.a.details(t, ch.id).State)
	_, err := tp.chain.Reorg(1, 1)
	require.NoError(t, err)
	tp.deliver()
	cd := tp.a.details(t, ch.id)
	require.Equal(t, StateReady, cd.State)
	require.Zero(t, cd.Confirmations)
	require.Zero(t, cd.ShortChannelID)
	tp.mine(1)
	cd = tp.a.details(t, ch.id)
	require.Equal(t, uint32(1), cd.Confirmations)
	require.Equal(t, uint32(tp.chain.Tip().Height), cd.ShortChannelID.BlockHeight)
	for _, n := range []*testNode{tp.a, tp.b} {
		require.Len(t, sentOf[*wire.ChannelReady](tp, n), 1, n.name)
		require.Len(t, eventsOf[*events.ChannelReady](t, n), 1, n.name)
	}
}

// TestAcceptorFundingTimeout: the acceptor forgets a funding that does not
// confirm within FundingTimeoutBlocks, broadcasting nothing; the opener
// keeps waiting (its coins are in the funding).
func TestAcceptorFundingTimeout(t *testing.T) {
	tp := newTestPair(t, testUser(3, false), testUser(3, false))
	tp.a.bcast.hold = true // the funding never reaches the chain
	ch := tp.open(600_000, 0, 0)
	created := tp.chain.Tip().Height
	// The acceptor's error is held back, to show the opener waits on.
	var dropped []*wire.Error
	tp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if e, ok := msg.(*wire.Error); ok && from == tp.b {
			dropped = append(dropped, e)
			return nil
		}
		return msg
	}
	tp.mine(int(FundingTimeoutBlocks) - 1)
	require.Equal(t, created+FundingTimeoutBlocks-1, tp.chain.Tip().Height)
	require.Equal(t, StateAwaitingFunding, tp.b.details(t, ch.id).State)
	require.Empty(t, eventsOf[*events.ChannelClosed](t, tp.b))

	tp.mine(1)
	require.False(t, tp.b.hasChannel(ch.id))
	closed := eventsOf[*events.ChannelClosed](t, tp.b)
	require.Len(t, closed, 1)
	require.Equal(t, events.Reason(events.ClosedFundingTimedOut), closed[0].Reason)
	require.Equal(t, ch.id, closed[0].ChannelID)
	require.Equal(t, wire.Satoshi(600_000), closed[0].ChannelCapacity)
	require.Empty(t, tp.b.bcast.broadcasts())
	require.Empty(t, eventsOf[*events.DiscardFunding](t, tp.b))
	mons := tp.b.mon.Monitors()
	require.Len(t, mons, 1)
	require.True(t, mons[0].ForceClosed, "the monitor accepts no further commitment")
	require.Len(t, dropped, 1)
	require.Equal(t, ch.id, dropped[0].ChannelID)

	tp.mine(10)
	require.Equal(t, StateAwaitingFunding, tp.a.details(t, ch.id).State)
	require.Empty(t, eventsOf[*events.ChannelClosed](t, tp.a))
}

// TestFundingDoubleSpend: a confirmed transaction spending the funding
// transaction's input makes the opener abandon the channel at once,
// broadcasting nothing: ChannelClosed and DiscardFunding, and an error to
// the acceptor (which then fails the channel on its side).
func TestFundingDoubleSpend(t *testing.T) {
	tp := newTestPair(t, testUser(3, false), testUser(3, false))
	ch := tp.open(600_000, 0, 0)
	require.Len(t, tp.a.bcast.broadcasts(), 1)
	conflict := spendCoin(ch.coin, btcwire.NewTxOut(600_000, anyonePkScript()))
	_, err := tp.chain.MineTx(conflict)
	require.NoError(t, err)
	tp.deliver()

	require.False(t, tp.a.hasChannel(ch.id))
	closed := eventsOf[*events.ChannelClosed](t, tp.a)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedProcessingError, closed[0].Reason.Kind)
	require.Contains(t, closed[0].Reason.Message, "double spent by "+conflict.TxHash().String())
	discard := eventsOf[*events.DiscardFunding](t, tp.a)
	require.Len(t, discard, 1)
	require.Equal(t, ch.fundingTx.TxHash(), discard[0].FundingTx.TxHash())
	require.Equal(t, btcwire.OutPoint{Hash: ch.fundingTx.TxHash()}, discard[0].FundingOutPoint)
	require.Len(t, tp.a.bcast.broadcasts(), 1, "nothing broadcast after the funding")

	errs := sentOf[*wire.Error](tp, tp.a)
	require.Len(t, errs, 1)
	require.Contains(t, string(errs[0].Data), "double spent")
	require.False(t, tp.b.hasChannel(ch.id))
	bc := eventsOf[*events.ChannelClosed](t, tp.b)
	require.Len(t, bc, 1)
	require.Equal(t, events.ClosedCounterpartyError, bc[0].Reason.Kind)

	// Later blocks find nothing to do.
	tp.mine(3)
	require.Empty(t, tp.a.m.ListChannels())
}

// TestCheckFundingOutput: the confirmed funding must pay the channel's
// value to the funding script at the funding output index.
func TestCheckFundingOutput(t *testing.T) {
	tp := newTestPair(t, testUser(3, false), testUser(3, false))
	ch := tp.open(600_000, 0, 0)
	d := tp.b.data(t, ch.id)
	require.NoError(t, checkFundingOutput(ch.fundingTx, d))
	for name, mutate := range map[string]func(tx *btcwire.MsgTx){
		"value":     func(tx *btcwire.MsgTx) { tx.TxOut[0].Value-- },
		"script":    func(tx *btcwire.MsgTx) { tx.TxOut[0].PkScript = anyonePkScript() },
		"no output": func(tx *btcwire.MsgTx) { tx.TxOut = nil },
	} {
		t.Run(name, func(t *testing.T) {
			tx := ch.fundingTx.Copy()
			mutate(tx)
			requireRule(t, checkFundingOutput(tx, d), RuleFundingOutput)
		})
	}
}
