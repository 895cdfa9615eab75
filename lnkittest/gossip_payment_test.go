package lnkittest_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// funds returns what every node owns off chain: the sum of its balances
// in its channels (HTLCs in flight excluded).
func funds(net *lnkittest.Network) []wire.MilliSatoshi {
	out := make([]wire.MilliSatoshi, len(net.Nodes()))
	for i, n := range net.Nodes() {
		for _, d := range n.Channels.ListChannels() {
			out[i] += d.OurBalance
		}
	}
	return out
}

// requireMoved checks that every node's funds moved from before by delta
// (by node index; missing ones did not move), to the msat.
func requireMoved(t *testing.T, net *lnkittest.Network, before []wire.MilliSatoshi, delta map[int]int64) {
	t.Helper()
	after := funds(net)
	for i := range after {
		require.Equal(t, int64(before[i])+delta[i], int64(after[i]), "node %d's funds", i)
	}
}

// policyFee is the fee from's channel_update for channel scid asks to
// forward amount, as the payer's graph holds it; the update says from's
// configured policy (gossipFee).
func policyFee(t *testing.T, payer, from *lnkittest.Node, scid wire.ShortChannelID, amount wire.MilliSatoshi) wire.MilliSatoshi {
	t.Helper()
	p := graphPolicy(t, payer, from, scid)
	base, prop := gossipFee(from.Index)
	require.Equal(t, base, p.FeeBaseMsat, "node %d's channel_update", from.Index)
	require.Equal(t, prop, p.FeeProportionalMillionths, "node %d's channel_update", from.Index)
	return fee(p, amount)
}

// fee is what p asks to forward amount (BOLT 7).
func fee(p graph.Policy, amount wire.MilliSatoshi) wire.MilliSatoshi {
	return wire.MilliSatoshi(p.FeeBaseMsat) + amount*wire.MilliSatoshi(p.FeeProportionalMillionths)/1_000_000
}

// graphPolicy is from's direction of channel scid in payer's graph.
func graphPolicy(t *testing.T, payer, from *lnkittest.Node, scid wire.ShortChannelID) graph.Policy {
	t.Helper()
	v := payer.Graph.View()
	defer v.Release()
	c, ok := v.ChannelIndex(scid)
	require.True(t, ok, "the payer's graph has %v", scid)
	fromIdx, ok := v.NodeIndex(from.ID())
	require.True(t, ok)
	d := uint8(0)
	if v.Channel(c).Node[1] == fromIdx {
		d = 1
	}
	require.Equal(t, fromIdx, v.Channel(c).Node[d])
	p := *v.Policy(c, d)
	require.NotZero(t, p.Flags&graph.PolicyKnown)
	return p
}

// scidTo is from's short_channel_id with to.
func scidTo(t *testing.T, from, to *lnkittest.Node) wire.ShortChannelID {
	t.Helper()
	for _, d := range from.Channels.ListChannels() {
		if d.CounterpartyNodeID == to.ID() {
			return d.ShortChannelID
		}
	}
	t.Fatalf("node %d has no channel with node %d", from.Index, to.Index)
	return wire.ShortChannelID{}
}

// requireOutcome checks that the payer got exactly one outcome of id, a
// PaymentSent, and the payee one PaymentClaimed of amount in htlcs HTLCs;
// it returns the PaymentSent.
func requireOutcome(t *testing.T, payer, payee *lnkittest.Node, id channel.PaymentID, amount wire.MilliSatoshi, htlcs uint32) *events.PaymentSent {
	t.Helper()
	sent := requireSent(t, payer, id)
	require.Equal(t, amount, sent.Amount)
	require.Empty(t, lnkittest.Logged[*events.PaymentFailed](payer))
	claimed := lnkittest.Logged[*events.PaymentClaimed](payee)
	require.Len(t, claimed, 1)
	require.Equal(t, sent.PaymentHash, claimed[0].PaymentHash)
	require.Equal(t, amount, claimed[0].Amount)
	require.Equal(t, htlcs, claimed[0].HTLCCount)
	return sent
}

// TestGossipPayOverRouter: a pays e, with which it has no channel, over
// the route the router finds in a's graph: the cheapest, over b. b takes
// exactly the fee its channel_update asks; every node's funds move by
// what the route says, to the msat.
func TestGossipPayOverRouter(t *testing.T) {
	net := gossipNet(t, 82)
	a, b, e := net.Node(gA), net.Node(gB), net.Node(gE)
	before := funds(net)
	const amount wire.MilliSatoshi = 20_000_000
	id, err := net.Pay(a, e, amount)
	require.NoError(t, err)
	net.Settle()

	paid := policyFee(t, a, b, scidTo(t, b, e), amount)
	sent := requireOutcome(t, a, e, id, amount, 1)
	require.Equal(t, paid, sent.FeePaid)
	fwd := lnkittest.Logged[*events.PaymentForwarded](b)
	require.Len(t, fwd, 1)
	require.Equal(t, paid, fwd[0].FeeEarned)
	require.Equal(t, amount, fwd[0].OutgoingAmount)
	for _, n := range []int{gC, gD} {
		require.Empty(t, lnkittest.Logged[*events.PaymentForwarded](net.Node(n)))
	}
	require.Empty(t, lnkittest.Logged[*events.PaymentPathFailed](a))
	requireMoved(t, net, before, map[int]int64{gA: -int64(amount + paid), gB: int64(paid), gE: int64(amount)})
}

// TestGossipPayRetriesAnotherPath: b cannot forward to e, which a's
// graph cannot know: b is cut off from e, or b–e was opened by e (b has
// nothing on its side). The first route, over b, fails at b–e: one
// retryable PaymentPathFailed naming it, the ProbabilisticScorer learns
// that b–e does not carry the amount, and the retry pays over c and d
// with their fees. After a restart of a, its scorer still knows.
func TestGossipPayRetriesAnotherPath(t *testing.T) {
	for _, tc := range []struct {
		name    string
		seed    uint64
		drained bool
	}{{"b cut off from e", 83, false}, {"b-e drained", 93, true}} {
		t.Run(tc.name, func(t *testing.T) {
			net := gossipNetWith(t, tc.seed, tc.drained)
			a, b, c, d, e := net.Node(gA), net.Node(gB), net.Node(gC), net.Node(gD), net.Node(gE)
			be := scidTo(t, b, e)
			if !tc.drained {
				net.Disconnect(b, e)
			}
			before := funds(net)
			const amount wire.MilliSatoshi = 20_000_000
			id, err := net.Pay(a, e, amount)
			require.NoError(t, err)
			net.Settle()

			failed := lnkittest.Logged[*events.PaymentPathFailed](a)
			require.Len(t, failed, 1)
			require.True(t, failed[0].Retryable)
			require.Equal(t, id, failed[0].PaymentID)
			require.Equal(t, be, failed[0].ShortChannelID)
			require.Equal(t, []wire.NodeID{b.ID(), e.ID()}, failed[0].Path)
			requireLearnt(t, a, b, e, be, amount)

			fd := policyFee(t, a, d, scidTo(t, d, e), amount)
			fc := policyFee(t, a, c, scidTo(t, c, d), amount+fd)
			sent := requireOutcome(t, a, e, id, amount, 1)
			require.Equal(t, fc+fd, sent.FeePaid)
			require.Empty(t, lnkittest.Logged[*events.PaymentForwarded](b))
			for _, f := range []struct {
				n   *lnkittest.Node
				fee wire.MilliSatoshi
			}{{c, fc}, {d, fd}} {
				fwd := lnkittest.Logged[*events.PaymentForwarded](f.n)
				require.Len(t, fwd, 1)
				require.Equal(t, f.fee, fwd[0].FeeEarned, "node %d", f.n.Index)
			}
			requireMoved(t, net, before, map[int]int64{gA: -int64(amount + fc + fd), gC: int64(fc), gD: int64(fd), gE: int64(amount)})

			// The scorer was saved at the next Tick (the bounds decayed a
			// little): a restart loads it as it was.
			net.Tick()
			lo, hi := requireLearnt(t, a, b, e, be, 2*amount)
			net.Crash(a)
			net.Restart(a)
			lo2, hi2 := requireLearnt(t, a, b, e, be, 2*amount)
			require.Equal(t, [2]wire.MilliSatoshi{lo, hi}, [2]wire.MilliSatoshi{lo2, hi2})
		})
	}
}

// requireLearnt checks that payer's scorer holds that b's direction of
// channel scid (to e) carries less than amount, and returns its bounds.
func requireLearnt(t *testing.T, payer, b, e *lnkittest.Node, scid wire.ShortChannelID, amount wire.MilliSatoshi) (lo, hi wire.MilliSatoshi) {
	t.Helper()
	dir := uint8(0)
	if bi, ei := b.ID(), e.ID(); bytes.Compare(bi[:], ei[:]) > 0 {
		dir = 1 // b is node_id_2
	}
	lo, hi, ok := payer.Scorer.EstimatedLiquidity(scid, dir, wire.MilliSatoshi(payCapacity)*1000)
	require.True(t, ok, "the scorer learnt of %v", scid)
	require.Zero(t, lo)
	require.Less(t, hi, amount, "the scorer holds that %v does not carry %v", scid, amount)
	return lo, hi
}

// TestGossipPayMultiPath: no single path carries the amount (every
// channel's htlc_maximum_msat is a tenth of its capacity): the router
// splits it (basic_mpp) over both paths. e claims once, the HTLCs of
// every part together; each forwarder takes its channel_update's fee on
// the part it forwarded; a pays the sum, to the msat.
func TestGossipPayMultiPath(t *testing.T) {
	net, id, fees := payMultiPath(t, 84)
	a := net.Node(gA)
	var listed []channel.PaymentDetails
	for _, p := range a.Channels.ListPayments() {
		if p.ID == id {
			listed = append(listed, p)
		}
	}
	require.Len(t, listed, 1)
	require.Equal(t, fees, listed[0].Fee, "the payment's fee: every part's")
}

// TestGossipPayMultiPathFeePaid: the PaymentSent of a multi-part payment
// says the fee of every part.
func TestGossipPayMultiPathFeePaid(t *testing.T) {
	net, id, fees := payMultiPath(t, 87)
	require.Equal(t, fees, requireSent(t, net.Node(gA), id).FeePaid)
}

// payMultiPath pays 150,000 sat from a to e over gossipNet(seed), checks
// the outcome and the funds, and returns the payment's id and the fees
// the forwarders took.
func payMultiPath(t *testing.T, seed uint64) (*lnkittest.Network, channel.PaymentID, wire.MilliSatoshi) {
	t.Helper()
	net := gossipNet(t, seed)
	a, e := net.Node(gA), net.Node(gE)
	before := funds(net)
	const amount wire.MilliSatoshi = 150_000_000
	id, err := net.Pay(a, e, amount)
	require.NoError(t, err)
	net.Settle()

	require.Empty(t, lnkittest.Logged[*events.PaymentPathFailed](a))
	claimed := lnkittest.Logged[*events.PaymentClaimed](e)
	require.Len(t, claimed, 1)
	parts := claimed[0].HTLCCount
	require.GreaterOrEqual(t, parts, uint32(2))
	requireOutcome(t, a, e, id, amount, parts)

	// Each forward took its policy's fee; the last hops delivered the
	// amount.
	var total, delivered wire.MilliSatoshi
	delta := map[int]int64{gE: int64(amount)}
	for _, hop := range []struct{ from, to int }{{gB, gE}, {gC, gD}, {gD, gE}} {
		node, to := net.Node(hop.from), net.Node(hop.to)
		for _, f := range lnkittest.Logged[*events.PaymentForwarded](node) {
			require.Equal(t, policyFee(t, a, node, scidTo(t, node, to), f.OutgoingAmount), f.FeeEarned, "node %d", hop.from)
			total += f.FeeEarned
			delta[hop.from] += int64(f.FeeEarned)
			if to == e {
				delivered += f.OutgoingAmount
			}
		}
	}
	require.Equal(t, amount, delivered)
	require.NotEmpty(t, lnkittest.Logged[*events.PaymentForwarded](net.Node(gB)), "a part over b")
	require.NotEmpty(t, lnkittest.Logged[*events.PaymentForwarded](net.Node(gD)), "a part over c and d")
	delta[gA] = -int64(amount + total)
	requireMoved(t, net, before, delta)
	return net, id, total
}

// TestGossipKeysend: a keysend to e, not a's peer, goes over the route
// the router finds, as a payment of an invoice does.
func TestGossipKeysend(t *testing.T) {
	net := gossipNet(t, 85)
	a, b, e := net.Node(gA), net.Node(gB), net.Node(gE)
	before := funds(net)
	const amount wire.MilliSatoshi = 7_000_000
	id, _, err := net.Keysend(a, e, amount)
	require.NoError(t, err)
	net.Settle()
	paid := policyFee(t, a, b, scidTo(t, b, e), amount)
	sent := requireOutcome(t, a, e, id, amount, 1)
	require.Equal(t, paid, sent.FeePaid)
	requireMoved(t, net, before, map[int]int64{gA: -int64(amount + paid), gB: int64(paid), gE: int64(amount)})
}

// TestGossipPolicyChange: b raises its fee on b–e; its new
// channel_update reaches a's graph through the gossip and a's next
// payment pays the new fee.
func TestGossipPolicyChange(t *testing.T) {
	net := gossipNet(t, 86)
	a, b, e := net.Node(gA), net.Node(gB), net.Node(gE)
	var be channel.ChannelDetails
	for _, d := range b.Channels.ListChannels() {
		if d.CounterpartyNodeID == e.ID() {
			be = d
		}
	}
	cfg := be.Config
	cfg.ForwardingFeeBaseMsat *= 3
	cfg.ForwardingFeeProportionalMillionths *= 3
	require.NoError(t, b.Channels.UpdateChannelConfig(be.ChannelID, be.CounterpartyNodeID, cfg))
	net.SyncGossip()

	before := funds(net)
	const amount wire.MilliSatoshi = 20_000_000
	id, err := net.Pay(a, e, amount)
	require.NoError(t, err)
	net.Settle()
	paid := wire.MilliSatoshi(cfg.ForwardingFeeBaseMsat) + amount*wire.MilliSatoshi(cfg.ForwardingFeeProportionalMillionths)/1_000_000
	sent := requireOutcome(t, a, e, id, amount, 1)
	require.Equal(t, paid, sent.FeePaid)
	requireMoved(t, net, before, map[int]int64{gA: -int64(amount + paid), gB: int64(paid), gE: int64(amount)})
}

// TestGossipNewChannelUpdate: the gossip side of a policy change. A newer
// channel_update of b–e, signed by b with three times its fee (made by
// the test: the channel manager cannot yet, see TestGossipPolicyChange),
// reaches a's graph through c, d and e's relays and b's; a's next
// payment pays the new fee, which b, asking less, takes.
func TestGossipNewChannelUpdate(t *testing.T) {
	net := gossipNet(t, 92)
	a, b, e := net.Node(gA), net.Node(gB), net.Node(gE)
	be := scidTo(t, b, e)
	var old *wire.ChannelUpdate
	for _, ann := range b.Channels.ChannelAnnouncements() {
		if ann.ChannelAnnouncement.ShortChannelID == be {
			old = ann.ChannelUpdate
		}
	}
	require.NotNil(t, old)
	u := *old
	u.Timestamp = uint32(net.Clock.Now().Unix())
	require.Greater(t, u.Timestamp, old.Timestamp)
	u.FeeBaseMsat *= 3
	u.FeeProportionalMillionths *= 3
	h, err := u.SignedDataHash()
	require.NoError(t, err)
	u.Signature, err = b.Keys.SignHash(wire.Digest(h))
	require.NoError(t, err)
	require.NoError(t, b.Graph.Broadcast(context.Background(), &u))
	net.SyncGossip()
	for _, n := range net.Nodes() {
		p := graphPolicy(t, n, b, be)
		require.Equal(t, u.Timestamp, p.Timestamp, "node %d has the new channel_update", n.Index)
		require.Equal(t, u.FeeBaseMsat, p.FeeBaseMsat)
	}

	before := funds(net)
	const amount wire.MilliSatoshi = 20_000_000
	id, err := net.Pay(a, e, amount)
	require.NoError(t, err)
	net.Settle()
	paid := fee(graphPolicy(t, a, b, be), amount)
	base, prop := gossipFee(gB)
	require.Equal(t, 3*(wire.MilliSatoshi(base)+amount*wire.MilliSatoshi(prop)/1_000_000), paid)
	sent := requireOutcome(t, a, e, id, amount, 1)
	require.Equal(t, paid, sent.FeePaid)
	fwd := lnkittest.Logged[*events.PaymentForwarded](b)
	require.Len(t, fwd, 1)
	require.Equal(t, paid, fwd[0].FeeEarned)
	requireMoved(t, net, before, map[int]int64{gA: -int64(amount + paid), gB: int64(paid), gE: int64(amount)})
}

// TestGossipPayMultiPathScorer: every part of a multi-part payment that
// succeeded teaches the scorer (PaymentPathSucceeded): after the split
// over both paths, a's scorer knows of c–d and d–e as of b–e.
func TestGossipPayMultiPathScorer(t *testing.T) {
	net, _, _ := payMultiPath(t, 94)
	a := net.Node(gA)
	for _, p := range [][2]int{{gB, gE}, {gC, gD}, {gD, gE}} {
		from, to := net.Node(p[0]), net.Node(p[1])
		_, _, ok := a.Scorer.EstimatedLiquidity(scidTo(t, from, to), 0, wire.MilliSatoshi(payCapacity)*1000)
		require.True(t, ok, "the scorer learnt of node %d's channel to node %d", p[0], p[1])
	}
}
