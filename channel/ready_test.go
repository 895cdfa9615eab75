package channel

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// TestChannelReadyAtMinimumDepth: channel_ready leaves both ways exactly
// at minimum_depth, with the point of commitment 1 and an alias in the
// alias range; both sides raise ChannelReady once and record the peer's
// point and alias.
func TestChannelReadyAtMinimumDepth(t *testing.T) {
	tp := newTestPair(t, testUser(3, false), testUser(3, false))
	ch := tp.open(1_000_000, 0, 7)
	tp.mine(2)
	require.Empty(t, sentOf[*wire.ChannelReady](tp, tp.a))
	require.Empty(t, sentOf[*wire.ChannelReady](tp, tp.b))
	require.Equal(t, StateAwaitingFunding, tp.a.details(t, ch.id).State)
	require.Equal(t, uint32(2), tp.a.details(t, ch.id).Confirmations)
	require.Empty(t, eventsOf[*events.ChannelReady](t, tp.a))

	tp.mine(1)
	for _, n := range []*testNode{tp.a, tp.b} {
		other := tp.other(n)
		sent := sentOf[*wire.ChannelReady](tp, n)
		require.Len(t, sent, 1, n.name)
		require.Equal(t, ch.id, sent[0].ChannelID)
		require.True(t, sent[0].Alias.Present)
		require.GreaterOrEqual(t, sent[0].Alias.Value.BlockHeight, AliasMinBlockHeight)

		d := n.data(t, ch.id)
		want, err := d.signer.PerCommitmentPoint(1)
		require.NoError(t, err)
		require.Equal(t, wire.NewPoint(want), sent[0].SecondPerCommitmentPoint)
		require.Equal(t, sent[0].Alias.Value, d.fund.ourAlias)
		// The peer recorded our point and alias.
		od := other.data(t, ch.id)
		require.True(t, od.cc.theirNextPoint.IsEqual(want))
		require.Equal(t, d.fund.ourAlias, od.fund.theirAlias)

		cd := n.details(t, ch.id)
		require.Equal(t, StateReady, cd.State)
		require.True(t, cd.Usable)
		require.Equal(t, uint32(3), cd.Confirmations)

		ready := eventsOf[*events.ChannelReady](t, n)
		require.Len(t, ready, 1, n.name)
		require.Equal(t, &events.ChannelReady{
			Meta: ready[0].Meta, ChannelID: ch.id, UserChannelID: cd.UserChannelID, CounterpartyNodeID: other.id,
			FundingOutPoint: cd.FundingOutPoint, ChannelType: d.chanType.Features(),
		}, ready[0])
	}
	require.Equal(t, uint64(7), tp.a.details(t, ch.id).UserChannelID)

	// More blocks change nothing.
	n := len(tp.sent)
	tp.mine(5)
	require.Len(t, tp.sent, n)
	require.Len(t, eventsOf[*events.ChannelReady](t, tp.a), 1)
}

// data returns node n's funded channel id (test only: reads under the
// peer's lock).
func (n *testNode) data(t testing.TB, id wire.ChannelID) *chanData {
	t.Helper()
	for _, p := range n.m.allPeers() {
		p.mu.Lock()
		e := p.byID[id]
		p.mu.Unlock()
		if e != nil && e.data() != nil {
			return e.data()
		}
	}
	t.Fatalf("%s has no funded channel %v", n.name, id)
	return nil
}

// TestChannelReadyBeforeOurDepth: the peer's channel_ready may come before
// our funding depth (BOLT 2); it is recorded, and the channel becomes ready
// when ours leaves.
func TestChannelReadyBeforeOurDepth(t *testing.T) {
	tp := newTestPair(t, testUser(3, false), testUser(3, false))
	ch := tp.open(500_000, 0, 0)
	tp.hold(tp.b)
	tp.mine(3)
	require.Len(t, sentOf[*wire.ChannelReady](tp, tp.a), 1)
	require.Empty(t, sentOf[*wire.ChannelReady](tp, tp.b))
	d := tp.b.data(t, ch.id)
	require.True(t, d.fund.readyReceived)
	require.False(t, d.fund.readySent)
	require.Equal(t, StateAwaitingFunding, tp.b.details(t, ch.id).State)
	require.Empty(t, eventsOf[*events.ChannelReady](t, tp.b))

	tp.catchUp(tp.b)
	require.Len(t, sentOf[*wire.ChannelReady](tp, tp.b), 1)
	for _, n := range []*testNode{tp.a, tp.b} {
		require.Equal(t, StateReady, n.details(t, ch.id).State, n.name)
		require.Len(t, eventsOf[*events.ChannelReady](t, n), 1, n.name)
	}
}

// TestChannelReadyRepeated: a second channel_ready with the same point may
// bring a new alias (BOLT 2); one with another point, or an invalid point,
// breaks RuleChannelReadyPoint and fails the channel.
func TestChannelReadyRepeated(t *testing.T) {
	for _, tc := range []struct {
		name   string
		point  func(t *testing.T, first wire.Point) wire.Point
		closed bool
	}{
		{"same point", func(_ *testing.T, first wire.Point) wire.Point { return first }, false},
		{"other point", func(t *testing.T, _ wire.Point) wire.Point { return testPoint(t, 9) }, true},
		{"invalid point", func(*testing.T, wire.Point) wire.Point { return wire.Point{2} }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp := newTestPair(t, testUser(1, false), testUser(1, false))
			ch := tp.open(500_000, 0, 0)
			tp.mine(1)
			first := sentOf[*wire.ChannelReady](tp, tp.b)[0]
			alias := wire.ShortChannelID{BlockHeight: 16_500_000, TxIndex: 1, OutputIndex: 2}
			require.NoError(t, tp.a.m.HandleChannelMessage(tp.b.id, &wire.ChannelReady{
				ChannelID: ch.id, SecondPerCommitmentPoint: tc.point(t, first.SecondPerCommitmentPoint), Alias: wire.Some(alias),
			}))
			if !tc.closed {
				require.Empty(t, tp.a.m.PendingMessages(nil))
				require.Equal(t, alias, tp.a.details(t, ch.id).TheirAlias)
				require.Len(t, eventsOf[*events.ChannelReady](t, tp.a), 1)
				return
			}
			requireFailedWith(t, tp.a, ch.id, RuleChannelReadyPoint)
		})
	}
}

// requireFailedWith asserts that node n failed channel id
// because of rule: an error naming the rule goes out to the peer, and the channel is
// closed with a ChannelClosed event.
func requireFailedWith(t *testing.T, n *testNode, id wire.ChannelID, rule Rule) {
	t.Helper()
	var text string
	for _, o := range n.m.PendingMessages(nil) {
		if e, ok := o.Msg.(*wire.Error); ok && e.ChannelID == id {
			text = string(e.Data)
		}
	}
	require.Contains(t, text, string(rule)+": ")
	require.False(t, n.hasChannel(id))
	closed := eventsOf[*events.ChannelClosed](t, n)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedProcessingError, closed[0].Reason.Kind)
	require.Contains(t, closed[0].Reason.Message, string(rule))
}

// TestChannelReadyEventDurable: the ChannelReady event is written with the
// channel's record, so a crash right after the block keeps it, and the
// Manager's best block is the block's.
func TestChannelReadyEventDurable(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	ch := tp.open(500_000, 0, 0)
	tp.mine(1)
	store := tp.b.store.Reopen()
	q, err := events.Open(context.Background(), events.Config{Store: store, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	var got []events.Event
	require.NoError(t, q.Process(context.Background(), events.HandlerFunc(func(_ context.Context, e events.Event) error {
		got = append(got, e)
		return nil
	})))
	require.NotEmpty(t, got)
	last, ok := got[len(got)-1].(*events.ChannelReady)
	require.True(t, ok, "the last event is %T", got[len(got)-1])
	require.Equal(t, ch.id, last.ChannelID)
	rec, ok := store.Durable(channelsNS(), channelKey(ch.id))
	require.True(t, ok)
	stored, err := decodeChanData(rec, KeysSigners(tp.b.keys))
	require.NoError(t, err)
	live := tp.b.data(t, ch.id)
	require.Equal(t, live.fund, stored.fund, "the record holds the funding's confirmation, aliases and channel_ready flags")
	require.True(t, stored.cc.theirNextPoint.IsEqual(live.cc.theirNextPoint))
	best, ok := store.Durable(managerNS(), bestBlockKey)
	require.True(t, ok)
	tip := tp.chain.Tip()
	require.Equal(t, tip.Hash[:], best[:32])
}
