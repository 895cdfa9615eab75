package channel

import (
	"bytes"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// TestListChannels follows one channel's details on both sides through
// every phase, to the millisatoshi.
func TestListChannels(t *testing.T) {
	tp := newTestPair(t, testUser(3, false), testUser(3, false))
	const amount, push = wire.Satoshi(1_000_000), wire.MilliSatoshi(10_000_000)
	tmp, err := tp.a.m.CreateChannel(tp.b.id, amount, push, 42, nil)
	require.NoError(t, err)
	anchors := ChannelType{Commitment: anchorsType().Commitment}
	// 1% of the capacity, each way.
	const reserve = wire.Satoshi(10_000)

	opener := ChannelDetails{
		ChannelID: tmp, TemporaryChannelID: tmp, CounterpartyNodeID: tp.b.id, Capacity: amount,
		OurBalance: 990_000_000, TheirBalance: 10_000_000, TheirReserve: reserve,
		State: StateNegotiating, ChannelType: anchors, IsOutbound: true, UserChannelID: 42,
	}
	require.Equal(t, []ChannelDetails{opener}, tp.a.m.ListChannels())

	tp.step(tp.a) // open_channel: B accepts at once
	acceptor := ChannelDetails{
		ChannelID: tmp, TemporaryChannelID: tmp, CounterpartyNodeID: tp.a.id, Capacity: amount,
		OurBalance: 10_000_000, TheirBalance: 990_000_000, OurReserve: reserve, TheirReserve: reserve,
		State: StateNegotiating, ChannelType: anchors, MinimumDepth: 3,
	}
	require.Equal(t, []ChannelDetails{acceptor}, tp.b.m.ListChannels())
	tp.step(tp.b) // accept_channel
	opener.OurReserve, opener.MinimumDepth = reserve, 3
	require.Equal(t, []ChannelDetails{opener}, tp.a.m.ListChannels())

	tp.deliver()
	gen := eventsOf[*events.FundingGenerationReady](t, tp.a)
	require.Len(t, gen, 1)
	coin, err := tp.chain.Fund(anyonePkScript(), btcutil.Amount(amount)+fundingFee)
	require.NoError(t, err)
	tx := spendCoin(coin, btcwire.NewTxOut(int64(amount), gen[0].OutputScript))
	require.NoError(t, tp.a.m.FundingTransactionGenerated(tmp, tp.b.id, tx))
	outpoint := btcwire.OutPoint{Hash: tx.TxHash()}
	id := wire.NewChannelID(outpoint)
	opener.ChannelID, opener.FundingOutPoint = id, outpoint
	// Funding signed: the channel's config (its forwarding policy) and
	// the peer's htlc_minimum_msat show.
	opener.Config, opener.HTLCMinimum = DefaultUserConfig().Channel, 1
	require.Equal(t, []ChannelDetails{opener}, tp.a.m.ListChannels())

	tp.deliver() // funding_created, funding_signed
	opener.State = StateAwaitingFunding
	acceptor.ChannelID, acceptor.FundingOutPoint, acceptor.State = id, outpoint, StateAwaitingFunding
	acceptor.Config, acceptor.HTLCMinimum = tp.b.data(t, id).config, tp.b.data(t, id).theirs.htlcMinimum
	require.Equal(t, []ChannelDetails{opener}, tp.a.m.ListChannels())
	require.Equal(t, []ChannelDetails{acceptor}, tp.b.m.ListChannels())

	tp.mine(2)
	scid := wire.ShortChannelID{BlockHeight: uint32(tp.chain.Tip().Height - 1), TxIndex: 1}
	opener.ShortChannelID, opener.Confirmations = scid, 2
	acceptor.ShortChannelID, acceptor.Confirmations = scid, 2
	require.Equal(t, []ChannelDetails{opener}, tp.a.m.ListChannels())
	require.Equal(t, []ChannelDetails{acceptor}, tp.b.m.ListChannels())

	tp.mine(1)
	aliasA, aliasB := tp.a.data(t, id).fund.ourAlias, tp.b.data(t, id).fund.ourAlias
	require.NotEqual(t, aliasA, aliasB)
	opener.OurAlias, opener.TheirAlias = aliasA, aliasB
	acceptor.OurAlias, acceptor.TheirAlias = aliasB, aliasA
	for _, cd := range []*ChannelDetails{&opener, &acceptor} {
		cd.Confirmations, cd.State, cd.Usable = 3, StateReady, true
	}
	require.Equal(t, []ChannelDetails{opener}, tp.a.m.ListChannels())
	require.Equal(t, []ChannelDetails{acceptor}, tp.b.m.ListChannels())

	// Not usable while the peer is away.
	tp.a.m.PeerDisconnected(tp.b.id)
	opener.Usable = false
	require.Equal(t, []ChannelDetails{opener}, tp.a.m.ListChannels())
}

// TestListChannelsOrder: by peer (ascending node id), then by creation.
func TestListChannelsOrder(t *testing.T) {
	tp := newTestPair(t, testUser(3, false), testUser(3, false))
	// A third peer that never answers.
	var third wire.NodeID
	third[0] = 0x02
	copy(third[1:], bytes.Repeat([]byte{0x11}, 32))
	require.NoError(t, tp.a.m.PeerConnected(third, &wire.Init{Features: testFeatures()}, false))
	var want []wire.NodeID
	for i, to := range []wire.NodeID{tp.b.id, third, tp.b.id} {
		_, err := tp.a.m.CreateChannel(to, 100_000, 0, uint64(i), nil)
		require.NoError(t, err)
		want = append(want, to)
	}
	got := tp.a.m.ListChannels()
	require.Len(t, got, 3)
	bFirst := bytes.Compare(tp.b.id[:], third[:]) < 0
	order := []uint64{0, 2, 1}
	if !bFirst {
		order = []uint64{1, 0, 2}
	}
	for i, cd := range got {
		require.Equal(t, order[i], cd.UserChannelID)
		require.Equal(t, want[cd.UserChannelID], cd.CounterpartyNodeID)
	}
}

// TestListChannelsClosing: a channel after shutdown is listed as shutting
// down, then closing once the closing transaction is agreed; it is not
// usable, and its announcement is no longer offered.
func TestListChannelsClosing(t *testing.T) {
	tp, ch := newAnnouncedPair(t)
	tp.mine(6)
	require.Len(t, tp.a.m.ChannelAnnouncements(), 1)
	require.NoError(t, tp.a.m.CloseChannel(ch.id, tp.b.id, CloseOptions{}))
	cd := tp.a.details(t, ch.id)
	require.Equal(t, StateShuttingDown, cd.State)
	require.False(t, cd.Usable)
	require.Equal(t, uint32(6), cd.Confirmations)
	require.Empty(t, tp.a.m.ChannelAnnouncements())
	tp.deliver()
	for _, n := range []*testNode{tp.a, tp.b} {
		require.Equal(t, StateClosing, n.details(t, ch.id).State, n.name)
	}
}
