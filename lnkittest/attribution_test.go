package lnkittest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Attribution data (BOLT 4 attributable failures, hold times) end to end
// over a -> b -> c -> d: every hop adds its hold time, the payer reads
// them, and a failure a hop alters on its way back is pinned on it.

// attrLine is a -> b -> c -> d, with the clocks of every node started (a
// Tick: the channel managers time each HTLC's arrival from it).
func attrLine(t *testing.T, seed uint64) (net *lnkittest.Network, nodes []*lnkittest.Node) {
	t.Helper()
	net = lnkittest.NewNetwork(t, lnkittest.Options{Nodes: 4, Seed: seed})
	nodes = []*lnkittest.Node{net.Node(0), net.Node(1), net.Node(2), net.Node(3)}
	for i := range 3 {
		net.OpenChannel(nodes[i], nodes[i+1], payCapacity, lnkittest.Anchors, lnkittest.OpenOptions{Push: payPush})
	}
	net.Settle()
	net.Tick()
	net.Settle()
	return net, nodes
}

// attrHeldPayment pays d over the line, d holding the payment, and lets the
// clock run ticks times.
func attrHeldPayment(t *testing.T, net *lnkittest.Network, nodes []*lnkittest.Node, ticks int) (channel.PaymentID, *channel.CreatedInvoice) {
	t.Helper()
	d := nodes[3]
	d.Claims = lnkittest.HoldPayments
	id, inv, err := net.PayRoute(nodes, 7_000_000)
	require.NoError(t, err)
	net.Settle()
	require.Len(t, d.Claimable(), 1)
	for range ticks {
		net.Tick()
	}
	return id, inv
}

// paymentFailure is the failure of a's payment id.
func paymentFailure(t *testing.T, a *lnkittest.Node, id channel.PaymentID) events.HTLCFailure {
	t.Helper()
	for _, e := range lnkittest.Logged[*events.PaymentFailed](a) {
		if e.PaymentID == id {
			f, ok := e.Failure.Get()
			require.True(t, ok, "a decoded failure")
			return f
		}
	}
	t.Fatalf("no PaymentFailed for %x", id[:4])
	return events.HTLCFailure{}
}

// holdUnits is d in BOLT 4's hold time units (100 ms).
func holdUnits(d time.Duration) uint32 { return uint32(d / (100 * time.Millisecond)) }

// The payee fails the payment 3 ticks after the HTLCs arrived: the payer
// decodes the failure, from d, with each hop's hold time: every hop held
// its HTLC from its arrival to the failure's, the clocks being one.
func TestAttributionPayeeFailureHoldTimes(t *testing.T) {
	net, nodes := attrLine(t, 301)
	a, d := nodes[0], nodes[3]
	id, inv := attrHeldPayment(t, net, nodes, 3)
	require.NoError(t, net.FailBack(d, inv.PaymentHash))
	net.Settle()

	f := paymentFailure(t, a, id)
	require.Equal(t, uint8(2), f.HopIndex)
	require.Equal(t, d.ID(), f.ErringNode)
	require.Equal(t, uint16(onion.CodeIncorrectOrUnknownPaymentDetails), f.Code)
	require.False(t, f.Tampered)
	held := holdUnits(3 * lnkittest.DefaultTickInterval)
	require.Equal(t, []uint32{held, held, held}, f.HoldTimes, "b, c and d, in route order")
}

// The payee claims after 2 ticks: PaymentSent carries the hold times the
// fulfill's attribution data reported.
func TestAttributionSuccessHoldTimes(t *testing.T) {
	net, nodes := attrLine(t, 302)
	a, d := nodes[0], nodes[3]
	id, inv := attrHeldPayment(t, net, nodes, 2)
	require.NoError(t, net.Claim(d, inv.Preimage.Value))
	net.Settle()

	sent := requireSent(t, a, id)
	held := holdUnits(2 * lnkittest.DefaultTickInterval)
	require.Equal(t, []uint32{held, held, held}, sent.HoldTimes)
}

// corruptFailures makes node alter the reason of every update_fail_htlc
// it sends.
func corruptFailures(node *lnkittest.Node) {
	node.Rewrite = func(_ wire.NodeID, msg wire.Message) wire.Message {
		fail, ok := msg.(*wire.UpdateFailHTLC)
		if !ok {
			return msg
		}
		c := *fail
		c.Reason = append([]byte(nil), fail.Reason...)
		c.Reason[100] ^= 0x01
		return &c
	}
}

// c, in the middle, alters the failure d sent on its way back to b: no
// hop's HMAC matches it any more, yet the attribution data pins it on c
// (hop 1), the channel b–c to blame, with the hold times of the hops
// before it.
func TestAttributionTamperingMiddleNode(t *testing.T) {
	net, nodes := attrLine(t, 303)
	a, b, c, d := nodes[0], nodes[1], nodes[2], nodes[3]
	corruptFailures(c)
	id, inv := attrHeldPayment(t, net, nodes, 1)
	require.NoError(t, net.FailBack(d, inv.PaymentHash))
	net.Settle()

	f := paymentFailure(t, a, id)
	require.True(t, f.Tampered)
	require.Equal(t, uint8(1), f.HopIndex, "c")
	require.Equal(t, c.ID(), f.ErringNode)
	require.Zero(t, f.Code, "unreadable")
	require.Equal(t, []uint32{holdUnits(lnkittest.DefaultTickInterval)}, f.HoldTimes, "b's only: c's does not verify")
	_ = b
}

// The middle node restarts with the failure decided but not yet sent
// upstream: its attribution data (and the hold time in it) is what it
// persisted, sent after the restart; the payer verifies every hop. A
// second payment, which c alters after its restart, is still pinned on c.
func TestAttributionAcrossMiddleNodeRestart(t *testing.T) {
	net, nodes := attrLine(t, 304)
	a, b, c, d := nodes[0], nodes[1], nodes[2], nodes[3]
	id, inv := attrHeldPayment(t, net, nodes, 2)
	net.Disconnect(c, b) // c cannot pass the failure on
	require.NoError(t, net.FailBack(d, inv.PaymentHash))
	net.Settle()
	require.Empty(t, lnkittest.Logged[*events.PaymentFailed](a))
	net.Crash(c)
	net.Tick()
	net.Restart(c)
	net.Connect(c, b)
	net.Connect(c, d)
	net.Settle()

	f := paymentFailure(t, a, id)
	require.False(t, f.Tampered)
	require.Equal(t, uint8(2), f.HopIndex)
	require.Equal(t, uint16(onion.CodeIncorrectOrUnknownPaymentDetails), f.Code)
	two := holdUnits(2 * lnkittest.DefaultTickInterval)
	require.Len(t, f.HoldTimes, 3, "every hop verified, c's from its record")
	require.Equal(t, []uint32{two, two}, f.HoldTimes[1:], "c and d decided at the same time")
	require.GreaterOrEqual(t, f.HoldTimes[0], two, "b relayed after the restart")

	corruptFailures(c)
	id2, inv2 := attrHeldPayment(t, net, nodes, 1)
	net.Disconnect(c, b)
	require.NoError(t, net.FailBack(d, inv2.PaymentHash))
	net.Settle()
	net.Crash(c)
	net.Restart(c)
	net.Connect(c, b)
	net.Connect(c, d)
	net.Settle()
	f = paymentFailure(t, a, id2)
	require.True(t, f.Tampered)
	require.Equal(t, uint8(1), f.HopIndex)
	require.Equal(t, c.ID(), f.ErringNode)
}

// A payment over the network whose first route's failure comes back
// altered by b, the node it failed at: PaymentPathFailed says so
// (Tampered, b at hop 0, the channel a–b into it), the scorer learns a–b
// and the retry, which excludes it, pays over d.
func TestAttributionTamperedRouteRetried(t *testing.T) {
	net, sr, sc := diamond(t, 305, [][][]int{{{0, 1, 2}}, {{0, 3, 2}}})
	a, b := net.Node(0), net.Node(1)
	corruptFailures(b)
	id, _, err := payOverNetwork(t, net, 20_000_000)
	require.NoError(t, err)

	failed := lnkittest.Logged[*events.PaymentPathFailed](a)
	require.Len(t, failed, 1)
	f := failed[0].Failure
	require.True(t, f.Tampered)
	require.Equal(t, uint8(0), f.HopIndex)
	require.Equal(t, b.ID(), f.ErringNode)
	ab, ok := usableTo(a, b)
	require.True(t, ok)
	require.Equal(t, ab.ShortChannelID, failed[0].ShortChannelID)
	require.Equal(t, []wire.ShortChannelID{ab.ShortChannelID}, sc.failed)
	require.Len(t, sr.reqs, 2)
	require.Contains(t, sr.reqs[1].ExcludeChannels, ab.ShortChannelID)
	requireSent(t, a, id)
}
