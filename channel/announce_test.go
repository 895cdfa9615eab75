package channel

import (
	"context"
	"testing"
	"time"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// testNow is the time the announcement tests give the Managers.
var testNow = time.Unix(1_700_000_000, 0)

// chainUTXO finds funding outputs on the simulated chain for the graph.
type chainUTXO struct{ c *simchain.Chain }

// FundingOutput implements graph.UTXOSource.
func (u chainUTXO) FundingOutput(_ context.Context, scid wire.ShortChannelID) (graph.FundingOutput, error) {
	b, ok := u.c.BlockAt(int32(scid.BlockHeight))
	if !ok || int(scid.TxIndex) >= len(b.Transactions) {
		return graph.FundingOutput{}, graph.ErrOutputNotFound
	}
	tx := b.Transactions[scid.TxIndex]
	out, ok := u.c.Unspent(btcwire.OutPoint{Hash: tx.TxHash(), Index: uint32(scid.OutputIndex)})
	if !ok {
		return graph.FundingOutput{}, graph.ErrOutputNotFound
	}
	return graph.FundingOutput{PkScript: out.PkScript, Value: wire.Satoshi(out.Value)}, nil
}

// newAnnouncedPair opens a public channel of 1,000,000 sat from A to B
// with minimum_depth 3 and the Managers' time set.
func newAnnouncedPair(t *testing.T) (*testPair, *testChannel) {
	t.Helper()
	tp := newTestPair(t, testUser(3, true), testUser(3, false))
	tp.a.m.TimerTick(testNow)
	tp.b.m.TimerTick(testNow)
	return tp, tp.open(1_000_000, 0, 0)
}

// TestAnnouncementSignatures: at AnnouncementDepth, and not before, both
// sides exchange announcement_signatures; each then has the same complete
// channel_announcement and its own channel_update, which the gossip
// graph's checks accept.
func TestAnnouncementSignatures(t *testing.T) {
	tp, ch := newAnnouncedPair(t)
	tp.mine(5)
	require.Equal(t, StateReady, tp.a.details(t, ch.id).State)
	require.Empty(t, sentOf[*wire.AnnouncementSignatures](tp, tp.a))
	require.Empty(t, tp.a.m.ChannelAnnouncements())
	tp.mine(1)

	scid := tp.a.details(t, ch.id).ShortChannelID
	var anns [2]Announcement
	for i, n := range []*testNode{tp.a, tp.b} {
		sigs := sentOf[*wire.AnnouncementSignatures](tp, n)
		require.Len(t, sigs, 1, n.name)
		require.Equal(t, ch.id, sigs[0].ChannelID)
		require.Equal(t, scid, sigs[0].ShortChannelID)
		got := n.m.ChannelAnnouncements()
		require.Len(t, got, 1, n.name)
		anns[i] = got[0]
		require.True(t, n.details(t, ch.id).Public)
	}
	a1, err := wire.Encode(nil, anns[0].ChannelAnnouncement)
	require.NoError(t, err)
	a2, err := wire.Encode(nil, anns[1].ChannelAnnouncement)
	require.NoError(t, err)
	require.Equal(t, a1, a2, "both sides assemble the same channel_announcement")
	require.Equal(t, scid, anns[0].ChannelAnnouncement.ShortChannelID)

	// Each side's update: its direction, our policy, the peer's limits.
	ua, ub := anns[0].ChannelUpdate, anns[1].ChannelUpdate
	require.NotEqual(t, ua.ChannelFlags.Direction(), ub.ChannelFlags.Direction())
	aIs1 := anns[0].ChannelAnnouncement.NodeID1 == tp.a.id
	require.Equal(t, aIs1, ua.ChannelFlags.Direction() == 0)
	for _, u := range []*wire.ChannelUpdate{ua, ub} {
		require.Equal(t, scid, u.ShortChannelID)
		require.Equal(t, uint32(testNow.Unix()), u.Timestamp)
		require.Equal(t, wire.ChanUpdateMustBeOne, u.MessageFlags)
		require.Equal(t, DefaultCLTVExpiryDelta, u.CLTVExpiryDelta)
		require.Equal(t, DefaultForwardingFeeBaseMsat, u.FeeBaseMsat)
		require.Equal(t, DefaultForwardingFeeProportionalMillionths, u.FeeProportionalMillionths)
		require.Equal(t, DefaultHTLCMinimum, u.HTLCMinimumMsat)
		// 10% of the capacity (the peer's max_htlc_value_in_flight_msat)
		// is below the capacity less the 1% reserve.
		require.Equal(t, wire.MilliSatoshi(100_000_000), u.HTLCMaximumMsat)
	}

	g, err := graph.New(graph.Config{ChainHash: testChain, UTXOSource: chainUTXO{tp.chain}})
	require.NoError(t, err)
	g.Tick(testNow)
	require.NoError(t, g.AddChannelAnnouncement(context.Background(), anns[0].ChannelAnnouncement))
	require.NoError(t, g.AddChannelUpdate(context.Background(), ua))
	require.NoError(t, g.AddChannelUpdate(context.Background(), ub))

	// Stable: no new update without a change, whatever the time.
	tp.a.m.TimerTick(testNow.Add(time.Hour))
	again := tp.a.m.ChannelAnnouncements()
	require.Len(t, again, 1)
	require.Same(t, ua, again[0].ChannelUpdate)
	tp.mine(10)
	require.Len(t, sentOf[*wire.AnnouncementSignatures](tp, tp.a), 1)
}

// TestAnnouncementUpdateNeedsTime: the channel_update waits for the first
// TimerTick (its timestamp must be above 0).
func TestAnnouncementUpdateNeedsTime(t *testing.T) {
	tp := newTestPair(t, testUser(1, true), testUser(1, false))
	tp.open(1_000_000, 0, 0)
	tp.mine(6)
	got := tp.a.m.ChannelAnnouncements()
	require.Len(t, got, 1)
	require.NotNil(t, got[0].ChannelAnnouncement)
	require.Nil(t, got[0].ChannelUpdate)
	tp.a.m.TimerTick(testNow)
	got = tp.a.m.ChannelAnnouncements()
	require.NotNil(t, got[0].ChannelUpdate)
	require.Equal(t, uint32(testNow.Unix()), got[0].ChannelUpdate.Timestamp)
}

// TestAnnouncementSignaturesDeferred: the peer's announcement_signatures
// before our own depth wait (BOLT 7), and complete the announcement when
// ours leave.
func TestAnnouncementSignaturesDeferred(t *testing.T) {
	tp, ch := newAnnouncedPair(t)
	tp.mine(3)
	tp.hold(tp.b)
	tp.mine(3)
	require.Len(t, sentOf[*wire.AnnouncementSignatures](tp, tp.a), 1)
	require.Empty(t, sentOf[*wire.AnnouncementSignatures](tp, tp.b))
	require.NotNil(t, tp.b.data(t, ch.id).fund.theirAnnouncement)
	require.Empty(t, tp.b.m.ChannelAnnouncements())
	require.Empty(t, tp.a.m.ChannelAnnouncements())

	tp.catchUp(tp.b)
	require.Len(t, sentOf[*wire.AnnouncementSignatures](tp, tp.b), 1)
	require.Len(t, tp.a.m.ChannelAnnouncements(), 1)
	require.Len(t, tp.b.m.ChannelAnnouncements(), 1)
}

// TestAnnouncementSignaturesBad: a node or bitcoin signature that does not
// sign the announcement breaks its rule and fails the channel; one for
// another short_channel_id gets a warning and is dropped.
func TestAnnouncementSignaturesBad(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(m *wire.AnnouncementSignatures)
		rule   Rule
	}{
		{"node signature", func(m *wire.AnnouncementSignatures) { m.NodeSignature = m.BitcoinSignature }, RuleAnnouncementNodeSignature},
		{"bitcoin signature", func(m *wire.AnnouncementSignatures) { m.BitcoinSignature = m.NodeSignature }, RuleAnnouncementBitcoinSignature},
		{"short channel id", func(m *wire.AnnouncementSignatures) { m.ShortChannelID.TxIndex++ }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp, ch := newAnnouncedPair(t)
			tp.mine(5)
			tp.tamper = func(from *testNode, msg wire.Message) wire.Message {
				if m, ok := msg.(*wire.AnnouncementSignatures); ok && from == tp.a {
					tc.mutate(m)
				}
				return msg
			}
			tp.chain.Mine(1)
			var warnings []*wire.Warning
			for _, o := range tp.a.m.PendingMessages(nil) {
				require.NoError(t, tp.b.m.HandleChannelMessage(tp.a.id, tp.tamper(tp.a, o.Msg)))
			}
			if tc.rule != "" {
				requireFailedWith(t, tp.b, ch.id, tc.rule)
				return
			}
			for _, o := range tp.b.m.PendingMessages(nil) {
				if w, ok := o.Msg.(*wire.Warning); ok {
					warnings = append(warnings, w)
				}
			}
			require.Len(t, warnings, 1)
			require.Contains(t, string(warnings[0].Data), "announcement_signatures for short_channel_id")
			require.Equal(t, StateReady, tp.b.details(t, ch.id).State)
			require.Nil(t, tp.b.data(t, ch.id).fund.theirAnnouncement)
			require.Empty(t, tp.b.m.ChannelAnnouncements())
		})
	}
}

// TestAnnouncementSignaturesPrivate: a private channel sends none, and one
// received is ignored with a warning.
func TestAnnouncementSignaturesPrivate(t *testing.T) {
	tp := newTestPair(t, testUser(1, false), testUser(1, false))
	ch := tp.open(1_000_000, 0, 0)
	tp.mine(6)
	require.Empty(t, sentOf[*wire.AnnouncementSignatures](tp, tp.a))
	require.Empty(t, sentOf[*wire.AnnouncementSignatures](tp, tp.b))
	require.NoError(t, tp.a.m.HandleChannelMessage(tp.b.id, &wire.AnnouncementSignatures{
		ChannelID: ch.id, ShortChannelID: tp.a.details(t, ch.id).ShortChannelID,
	}))
	out := tp.a.m.PendingMessages(nil)
	require.Len(t, out, 1)
	require.IsType(t, &wire.Warning{}, out[0].Msg)
	require.Equal(t, StateReady, tp.a.details(t, ch.id).State)
	require.Empty(t, tp.a.m.ChannelAnnouncements())
}

// TestAnnouncementAfterReorg: a reorganisation that moves the funding to
// another block resets the announcement: it is exchanged again for the new
// short_channel_id once that is AnnouncementDepth deep.
func TestAnnouncementAfterReorg(t *testing.T) {
	tp, ch := newAnnouncedPair(t)
	tp.mine(6)
	old := tp.a.details(t, ch.id).ShortChannelID
	require.Len(t, tp.a.m.ChannelAnnouncements(), 1)
	_, err := tp.chain.Reorg(6, 6)
	require.NoError(t, err)
	tp.deliver()
	require.Empty(t, tp.a.m.ChannelAnnouncements())
	tp.mine(5)
	require.Empty(t, tp.a.m.ChannelAnnouncements())
	tp.mine(1)
	for _, n := range []*testNode{tp.a, tp.b} {
		sigs := sentOf[*wire.AnnouncementSignatures](tp, n)
		require.Len(t, sigs, 2, n.name)
		require.Equal(t, old.BlockHeight+6, sigs[1].ShortChannelID.BlockHeight)
		got := n.m.ChannelAnnouncements()
		require.Len(t, got, 1)
		require.Equal(t, sigs[1].ShortChannelID, got[0].ChannelAnnouncement.ShortChannelID)
	}
}

// TestAnnouncementAfterPolicyChange: UpdateChannelConfig signs a new
// channel_update with the new policy, stamped above the previous one even
// in the same second, which the gossip graph takes over the old one.
func TestAnnouncementAfterPolicyChange(t *testing.T) {
	tp, ch := newAnnouncedPair(t)
	tp.mine(6)
	before := tp.a.m.ChannelAnnouncements()
	require.Len(t, before, 1)
	old := before[0].ChannelUpdate
	g, err := graph.New(graph.Config{ChainHash: testChain, UTXOSource: chainUTXO{tp.chain}})
	require.NoError(t, err)
	g.Tick(testNow)
	require.NoError(t, g.AddChannelAnnouncement(context.Background(), before[0].ChannelAnnouncement))
	require.NoError(t, g.AddChannelUpdate(context.Background(), old))

	cfg := tp.a.details(t, ch.id).Config
	cfg.ForwardingFeeBaseMsat, cfg.CLTVExpiryDelta = 2_500, 100
	require.NoError(t, tp.a.m.UpdateChannelConfig(ch.id, tp.b.id, cfg))
	after := tp.a.m.ChannelAnnouncements()
	require.Len(t, after, 1)
	u := after[0].ChannelUpdate
	require.NotNil(t, u)
	require.Equal(t, old.Timestamp+1, u.Timestamp, "above the old one in the same second")
	require.Equal(t, uint32(2_500), u.FeeBaseMsat)
	require.Equal(t, uint16(100), u.CLTVExpiryDelta)
	require.NoError(t, g.AddChannelUpdate(context.Background(), u), "the graph takes the new policy")
	require.Equal(t, cfg, tp.a.details(t, ch.id).Config)

	require.ErrorIs(t, tp.a.m.UpdateChannelConfig(wire.ChannelID{9}, tp.b.id, cfg), ErrUnknownChannel)
	tp.restart(tp.a)
	require.Equal(t, cfg, tp.a.details(t, ch.id).Config, "durable")
}

// TestAnnouncementDisabledAndRefreshed: once the peer is away for
// ChannelDisableDelay our channel_update says disabled, stamped later; the
// reconnection enables it again; an update ChannelUpdateRefresh old is
// signed again with a new timestamp.
func TestAnnouncementDisabledAndRefreshed(t *testing.T) {
	tp, _ := newAnnouncedPair(t)
	tp.mine(6)
	update := func() *wire.ChannelUpdate {
		t.Helper()
		got := tp.a.m.ChannelAnnouncements()
		require.Len(t, got, 1)
		require.NotNil(t, got[0].ChannelUpdate)
		return got[0].ChannelUpdate
	}
	disabled := func(u *wire.ChannelUpdate) bool { return u.ChannelFlags&wire.ChanUpdateDisabled != 0 }
	first := update()
	require.False(t, disabled(first))

	tp.a.m.PeerDisconnected(tp.b.id)
	tp.a.m.TimerTick(testNow.Add(ChannelDisableDelay - time.Second))
	require.Same(t, first, update(), "not yet")
	tp.a.m.TimerTick(testNow.Add(ChannelDisableDelay))
	off := update()
	require.True(t, disabled(off))
	require.Greater(t, off.Timestamp, first.Timestamp)
	require.Same(t, off, update(), "stable while away")

	tp.reconnect()
	on := update()
	require.False(t, disabled(on))
	require.Greater(t, on.Timestamp, off.Timestamp)

	later := time.Unix(int64(on.Timestamp), 0).Add(ChannelUpdateRefresh)
	tp.a.m.TimerTick(later.Add(-time.Second))
	require.Same(t, on, update(), "not old enough")
	tp.a.m.TimerTick(later)
	fresh := update()
	require.False(t, disabled(fresh))
	require.Equal(t, uint32(later.Unix()), fresh.Timestamp, "refreshed")
}
