package channel

import (
	"fmt"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/wire"
)

// Going on chain at an HTLC's deadline (htlc_deadline.go), at the Manager
// level: A pays B over a ready channel, the peer stops answering, blocks
// come.

// deadlineAmount is what A pays B in the deadline tests: far above the
// dust limits, so that the HTLC is an output of both commitments.
const deadlineAmount = wire.MilliSatoshi(50_000_000)

// deadlineTypes are the channel types the deadline tests run on.
var deadlineTypes = []commit.ChannelType{commit.StaticRemoteKey, commit.AnchorsZeroFeeHTLC}

// deadlinePair opens a ready channel of type typ from A (holding it all)
// to B and has A pay B deadlineAmount: the HTLC is committed both ways
// and B has PaymentClaimable. It returns the HTLC's cltv_expiry and the
// preimage.
func deadlinePair(t *testing.T, typ commit.ChannelType) (*testPair, *testChannel, int32, wire.Preimage) {
	t.Helper()
	ua := testUser(1, false)
	ua.Handshake.NegotiateAnchors = typ == commit.AnchorsZeroFeeHTLC
	tp, ch := readyPairWith(t, ua, 0)
	return deadlinePay(t, tp, ch, typ)
}

// deadlinePay is deadlinePair's payment over the ready channel ch of tp.
func deadlinePay(t *testing.T, tp *testPair, ch *testChannel, typ commit.ChannelType) (*testPair, *testChannel, int32, wire.Preimage) {
	t.Helper()
	require.Equal(t, typ, tp.a.data(t, ch.id).params.Type)
	inv, err := tp.b.m.CreateInvoice(InvoiceRequest{Amount: deadlineAmount})
	require.NoError(t, err)
	require.NoError(t, tp.a.m.SendPayment(PaymentID{1}, inv.Invoice, 0))
	tp.deliver()
	claimable := eventsOf[*events.PaymentClaimable](t, tp.b)
	require.Len(t, claimable, 1)
	pre, ok := claimable[0].Purpose.Preimage.Get()
	require.True(t, ok)
	htlcs := tp.a.data(t, ch.id).cc.holder.HTLCs
	require.Len(t, htlcs, 1)
	return tp, ch, int32(htlcs[0].CLTVExpiry), pre
}

// mineTo mines blocks, delivering nothing, until the chain's tip is at
// height.
func (tp *testPair) mineTo(height int32) {
	tp.t.Helper()
	tip := tp.chain.Tip().Height
	require.LessOrEqual(tp.t, tip, height, "the chain is past %d already", height)
	tp.chain.Mine(int(height - tip))
}

// requireHTLCClose checks that n force-closed channel ch for an HTLC's
// deadline, once: a ChannelClosed of kind ClosedHTLCsTimedOut naming the
// HTLC, and its last broadcast is its commitment, spending the funding
// output and holding the HTLC's output (unless the HTLC is only in the
// peer's commitment: withHTLC false). It returns the commitment.
func requireHTLCClose(t *testing.T, n *testNode, ch *testChannel, funding btcwire.OutPoint, offered, withHTLC bool) *btcwire.MsgTx {
	t.Helper()
	closed := closedOf(t, n, ch.id)
	require.Len(t, closed, 1, "%s closes once", n.name)
	require.Equal(t, events.ClosedHTLCsTimedOut, closed[0].Reason.Kind)
	require.True(t, closed[0].Reason.Broadcast)
	which := "htlc 0 we fulfilled"
	if offered {
		which = "htlc 0 we offered"
	}
	require.Contains(t, closed[0].Reason.Message, which)
	require.False(t, n.hasChannel(ch.id))
	bs := n.bcast.broadcasts()
	require.NotEmpty(t, bs)
	tx := bs[len(bs)-1]
	require.Len(t, tx.TxIn, 1)
	require.Equal(t, funding, tx.TxIn[0].PreviousOutPoint, "the commitment spends the funding output")
	htlcOuts := 0
	for _, o := range tx.TxOut {
		if o.Value == int64(deadlineAmount/1000) {
			htlcOuts++
		}
	}
	want := 0
	if withHTLC {
		want = 1
	}
	require.Equal(t, want, htlcOuts, "the HTLC's outputs in the broadcast commitment")
	return tx
}

// requireOpen checks that neither node closed channel ch and nothing but
// the funding transaction was broadcast.
func requireOpen(t *testing.T, tp *testPair, ch *testChannel) {
	t.Helper()
	for _, n := range []*testNode{tp.a, tp.b} {
		require.Empty(t, closedOf(t, n, ch.id), "%s closed", n.name)
		require.True(t, n.hasChannel(ch.id), "%s forgot the channel", n.name)
	}
	require.Len(t, tp.a.bcast.broadcasts(), 1, "the funding only")
	require.Empty(t, tp.b.bcast.broadcasts())
}

// requireConfirmed mines a block and checks that tx confirmed spending
// the funding output (valid under the script engine: simchain checks
// every input), and that both nodes forgot the channel.
func requireConfirmed(t *testing.T, tp *testPair, ch *testChannel, funding btcwire.OutPoint, tx *btcwire.MsgTx) {
	t.Helper()
	tp.chain.Mine(1)
	spend, ok := tp.chain.Spender(funding)
	require.True(t, ok)
	require.Equal(t, tx.TxHash(), spend.TxID)
	require.Positive(t, spend.Height)
	require.False(t, tp.a.hasChannel(ch.id))
	require.False(t, tp.b.hasChannel(ch.id))
}

// TestOfferedHTLCTimeoutDeadline: A's HTLC to B is committed and B stops
// answering (silent, or gone); at cltv_expiry+HTLCTimeoutGrace, not one
// block earlier, A fails the channel: its commitment, holding the HTLC's
// output, is broadcast and confirms, with ChannelClosed of kind
// ClosedHTLCsTimedOut; later blocks close nothing again.
func TestOfferedHTLCTimeoutDeadline(t *testing.T) {
	for _, typ := range deadlineTypes {
		for _, gone := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/disconnected=%v", typ, gone), func(t *testing.T) {
				tp, ch, expiry, _ := deadlinePair(t, typ)
				funding := tp.a.data(t, ch.id).params.FundingOutpoint
				if gone {
					tp.a.m.PeerDisconnected(tp.b.id)
					tp.b.m.PeerDisconnected(tp.a.id)
				}
				deadline := expiry + HTLCTimeoutGrace
				tp.mineTo(deadline - 1)
				requireOpen(t, tp, ch)

				tp.chain.Mine(1)
				tx := requireHTLCClose(t, tp.a, ch, funding, true, true)
				require.Empty(t, closedOf(t, tp.b, ch.id), "B had nothing to claim")
				if !gone {
					errs := tp.a.m.PendingMessages(nil)
					require.NotEmpty(t, errs)
					last, ok := errs[len(errs)-1].Msg.(*wire.Error)
					require.True(t, ok, "A tells B why")
					require.Contains(t, string(last.Data), "timeout deadline")
				}
				requireConfirmed(t, tp, ch, funding, tx)
				tp.chain.Mine(3)
				require.Len(t, closedOf(t, tp.a, ch.id), 1)
			})
		}
	}
}

// deliverOnly delivers the messages of type T from has pending to the
// other node, and drops the rest.
func deliverOnly[T wire.Message](tp *testPair, from *testNode) {
	tp.t.Helper()
	to := tp.other(from)
	for _, o := range from.m.PendingMessages(nil) {
		if _, ok := o.Msg.(T); ok {
			msg := roundTrip(tp.t, o.Msg)
			tp.sent = append(tp.sent, sentMessage{from: from, to: to, msg: msg})
			require.NoError(tp.t, to.m.HandleChannelMessage(from.id, msg))
		}
	}
}

// TestFulfilledHTLCClaimDeadline: B claims A's HTLC and A never
// acknowledges the fulfill (it is never delivered; or A's revoke_and_ack
// is lost; or A revokes its commitment holding the HTLC but never signs
// B's next one, which leaves the HTLC in B's latest commitment only); at
// cltv_expiry-HTLCClaimBuffer, not one block earlier, B fails the
// channel: its commitment, holding the HTLC's output, is broadcast and
// confirms, before A's own timeout deadline.
func TestFulfilledHTLCClaimDeadline(t *testing.T) {
	for _, typ := range deadlineTypes {
		for _, lost := range []string{"fulfill", "revocation", "commitment"} {
			t.Run(typ.String()+"/"+lost+" lost", func(t *testing.T) {
				tp, ch, expiry, pre := deadlinePair(t, typ)
				funding := tp.b.data(t, ch.id).params.FundingOutpoint
				require.NoError(t, tp.b.m.ClaimFunds(pre))
				if lost != "fulfill" {
					tp.step(tp.b) // update_fulfill_htlc and commitment_signed reach A
					require.Len(t, sentOf[*wire.UpdateFulfillHTLC](tp, tp.b), 1)
				}
				if lost == "commitment" {
					deliverOnly[*wire.RevokeAndAck](tp, tp.a)
					require.Empty(t, tp.b.data(t, ch.id).log.htlcs, "B's log forgot the HTLC")
					require.Len(t, tp.b.data(t, ch.id).cc.holder.HTLCs, 1, "B's commitment holds it")
					require.Len(t, eventsOf[*events.PaymentClaimed](t, tp.b), 1)
				}
				deadline := expiry - HTLCClaimBuffer
				require.Greater(t, deadline, tp.chain.Tip().Height)
				tp.mineTo(deadline - 1)
				requireOpen(t, tp, ch)

				tp.chain.Mine(1)
				tx := requireHTLCClose(t, tp.b, ch, funding, false, true)
				require.Empty(t, closedOf(t, tp.a, ch.id), "A's deadline is later")
				requireConfirmed(t, tp, ch, funding, tx)
				tp.chain.Mine(3)
				require.Len(t, closedOf(t, tp.b, ch.id), 1)
			})
		}
	}
}

// TestHTLCDeadlineNotWhenSettled: an HTLC resolved in time (claimed,
// failed back by B before its expiry, or claimed while disconnected and
// sent at the reconnection) forces nobody on chain: blocks well past its
// expiry close nothing and broadcast nothing.
func TestHTLCDeadlineNotWhenSettled(t *testing.T) {
	for _, typ := range deadlineTypes {
		for _, tc := range []struct {
			name   string
			settle func(tp *testPair, pre wire.Preimage, expiry int32)
		}{
			{"claimed", func(tp *testPair, pre wire.Preimage, _ int32) {
				require.NoError(tp.t, tp.b.m.ClaimFunds(pre))
				tp.deliver()
				require.Len(tp.t, eventsOf[*events.PaymentSent](tp.t, tp.a), 1)
			}},
			{"failed back near expiry", func(tp *testPair, _ wire.Preimage, expiry int32) {
				for tp.chain.Tip().Height < expiry {
					tp.mine(1)
				}
				require.Len(tp.t, eventsOf[*events.PaymentFailed](tp.t, tp.a), 1)
			}},
			{"claimed while disconnected", func(tp *testPair, pre wire.Preimage, expiry int32) {
				tp.a.m.PeerDisconnected(tp.b.id)
				tp.b.m.PeerDisconnected(tp.a.id)
				require.NoError(tp.t, tp.b.m.ClaimFunds(pre))
				tp.mineTo(expiry - HTLCClaimBuffer - 1)
				tp.connect()
				tp.deliver()
				require.Len(tp.t, eventsOf[*events.PaymentSent](tp.t, tp.a), 1)
			}},
		} {
			t.Run(typ.String()+"/"+tc.name, func(t *testing.T) {
				tp, ch, expiry, pre := deadlinePair(t, typ)
				tc.settle(tp, pre, expiry)
				tp.mineTo(expiry + HTLCTimeoutGrace + 3)
				tp.deliver()
				requireOpen(t, tp, ch)
				require.Empty(t, tp.a.data(t, ch.id).log.htlcs)
				require.Empty(t, tp.b.data(t, ch.id).log.htlcs)
				require.True(t, tp.a.details(t, ch.id).Usable)
			})
		}
	}
}

// TestHTLCDeadlineAfterRestart: the node that must go on chain (A for its
// offered HTLC; B for the HTLC it claimed, in the log or, A's
// commitment_signed lost, in its latest commitment only) is down while
// its deadline passes; restarted from its store, it keeps the channel
// until the first block it processes, which fails the channel as above.
// The close is final: a second restart does not bring the channel back.
func TestHTLCDeadlineAfterRestart(t *testing.T) {
	for _, typ := range deadlineTypes {
		for _, which := range []string{"offered", "fulfilled", "fulfilled, commitment lost"} {
			t.Run(typ.String()+"/"+which, func(t *testing.T) {
				tp, ch, expiry, pre := deadlinePair(t, typ)
				funding := tp.a.data(t, ch.id).params.FundingOutpoint
				offered := which == "offered"
				n, deadline := tp.a, expiry+HTLCTimeoutGrace
				if !offered {
					require.NoError(t, tp.b.m.ClaimFunds(pre))
					n, deadline = tp.b, expiry-HTLCClaimBuffer
				}
				if which == "fulfilled, commitment lost" {
					tp.step(tp.b)
					deliverOnly[*wire.RevokeAndAck](tp, tp.a)
					require.Empty(t, tp.b.data(t, ch.id).log.htlcs)
				}
				tp.hold(n)
				tp.mineTo(deadline + 2)
				tp.other(n).m.PeerDisconnected(n.id)
				tp.startFrom(n, n.store.Crash())
				require.True(t, n.hasChannel(ch.id), "kept until a block comes")
				require.Empty(t, closedOf(t, n, ch.id))

				tp.chain.Mine(1)
				tx := requireHTLCClose(t, n, ch, funding, offered, true)
				requireConfirmed(t, tp, ch, funding, tx)

				n.unfollow()
				tp.startFrom(n, n.store.Crash())
				require.False(t, n.hasChannel(ch.id))
				tp.chain.Mine(1)
				require.Len(t, closedOf(t, n, ch.id), 1)
			})
		}
	}
}

// TestHTLCsAtDeadline: the deadline of each HTLC state of the log, at the
// block before and at the deadline.
func TestHTLCsAtDeadline(t *testing.T) {
	const expiry = 500
	fulfilled := htlcOutcome{kind: htlcFulfilled}
	failed := htlcOutcome{kind: htlcFailed}
	never := int64(-1)
	for _, tc := range []struct {
		name     string
		h        htlcEntry
		deadline int64
	}{
		{"offered, unsigned", htlcEntry{state: htlcLocalAnnounced}, never},
		{"offered, signed", htlcEntry{state: htlcLocalAnnounced, signed: true}, expiry + HTLCTimeoutGrace},
		{"offered, committed", htlcEntry{state: htlcOutCommitted}, expiry + HTLCTimeoutGrace},
		{"offered, fulfilled by the peer", htlcEntry{state: htlcRemoteRemoved, outcome: fulfilled}, expiry + HTLCTimeoutGrace},
		{"offered, failed by the peer", htlcEntry{state: htlcRemoteRemoved, outcome: failed}, expiry + HTLCTimeoutGrace},
		{"offered, removal signed by the peer", htlcEntry{state: htlcAwaitingRemoteRevokeToRemove}, expiry + HTLCTimeoutGrace},
		{"offered, removal awaiting revocation", htlcEntry{state: htlcAwaitingRemovedRemoteRevoke}, expiry + HTLCTimeoutGrace},
		{"received, announced", htlcEntry{state: htlcRemoteAnnounced}, never},
		{"received, committed", htlcEntry{state: htlcInCommitted}, never},
		{"received, failed", htlcEntry{state: htlcLocalRemoved, outcome: failed}, never},
		{"received, fulfilled", htlcEntry{state: htlcLocalRemoved, outcome: fulfilled}, expiry - HTLCClaimBuffer},
		{"received, fulfilled, signed", htlcEntry{state: htlcLocalRemoved, outcome: fulfilled, signed: true}, expiry - HTLCClaimBuffer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.h.cltvExpiry = expiry
			l := &updateLog{htlcs: []htlcEntry{tc.h}}
			if tc.deadline == never {
				require.Empty(t, l.htlcsAtDeadline(1<<30))
				return
			}
			require.Empty(t, l.htlcsAtDeadline(int32(tc.deadline-1)))
			for _, height := range []int32{int32(tc.deadline), int32(tc.deadline + 100)} {
				got := l.htlcsAtDeadline(height)
				require.Len(t, got, 1)
				require.Equal(t, tc.deadline, got[0].deadline)
				require.Equal(t, tc.h.state.outbound(), got[0].offered)
			}
		})
	}
	// An expiry near zero or the top of the range does not wrap.
	l := &updateLog{htlcs: []htlcEntry{
		{state: htlcLocalRemoved, outcome: fulfilled, cltvExpiry: 3},
		{state: htlcOutCommitted, cltvExpiry: ^uint32(0)},
	}}
	got := l.htlcsAtDeadline(0)
	require.Len(t, got, 1)
	require.False(t, got[0].offered)
	require.Len(t, l.htlcsAtDeadline(1<<31-1), 1)
}

// TestHTLCDeadlineConstants: the margins of BOLT 2 "cltv_expiry_delta
// Selection" fit together (see HTLCClaimBuffer).
func TestHTLCDeadlineConstants(t *testing.T) {
	const r, g, s = htlcAssumedReorgDepth, HTLCTimeoutGrace, htlcAssumedConfirmation
	require.Equal(t, 18, HTLCClaimBuffer, "BOLT 2: 18 blocks is reasonable")
	require.LessOrEqual(t, HTLCTimeoutGrace, 2, "BOLT 2: 1 or 2 blocks is reasonable")
	require.GreaterOrEqual(t, s, 12, "BOLT 2: S=12 should be considered a minimum")
	require.GreaterOrEqual(t, HTLCFailBackBuffer, HTLCClaimBuffer+HTLCTimeoutGrace)
	require.Greater(t, DefaultInvoiceMinFinalCLTVExpiryDelta, HTLCFailBackBuffer)
	require.Greater(t, DefaultKeysendMinFinalCLTVExpiryDelta, HTLCFailBackBuffer)
	require.Equal(t, 3*r+2*g+2*s, int(MinCLTVExpiryDelta))
	require.Greater(t, int(MinCLTVExpiryDelta), HTLCTimeoutGrace+HTLCClaimBuffer)
	require.GreaterOrEqual(t, DefaultCLTVExpiryDelta, MinCLTVExpiryDelta)
}

// TestFailedHTLCNoClaimDeadline: B fails A's HTLC and A revokes its
// commitment holding it but never signs B's next one: the HTLC stays in
// B's latest commitment, but it is A's, so B has no deadline for it (the
// monitor holds no preimage); A, whose HTLC is still in B's unrevoked
// commitment, goes on chain at its own timeout deadline.
func TestFailedHTLCNoClaimDeadline(t *testing.T) {
	for _, typ := range deadlineTypes {
		t.Run(typ.String(), func(t *testing.T) {
			tp, ch, expiry, pre := deadlinePair(t, typ)
			funding := tp.a.data(t, ch.id).params.FundingOutpoint
			require.NoError(t, tp.b.m.FailHTLCBackwards(pre.Hash()))
			tp.step(tp.b) // update_fail_htlc and commitment_signed reach A
			require.Len(t, sentOf[*wire.UpdateFailHTLC](tp, tp.b), 1)
			deliverOnly[*wire.RevokeAndAck](tp, tp.a)
			require.Empty(t, tp.b.data(t, ch.id).log.htlcs)
			require.Len(t, tp.b.data(t, ch.id).cc.holder.HTLCs, 1)

			tp.mineTo(expiry + HTLCTimeoutGrace - 1)
			requireOpen(t, tp, ch)
			tp.chain.Mine(1)
			// A's own commitment no longer holds the HTLC: its amount is
			// back in A's output.
			tx := requireHTLCClose(t, tp.a, ch, funding, true, false)
			require.Empty(t, closedOf(t, tp.b, ch.id))
			requireConfirmed(t, tp, ch, funding, tx)
		})
	}
}

// TestHTLCDeadlineThroughConfirm: both nodes follow the chain as a
// chain.Confirm (BestBlockUpdated brings the heights): A's offered HTLC
// and B's fulfilled one force their node on chain at their deadlines as
// through chain.Listen.
func TestHTLCDeadlineThroughConfirm(t *testing.T) {
	for _, offered := range []bool{true, false} {
		t.Run(fmt.Sprintf("offered=%v", offered), func(t *testing.T) {
			c, err := simchain.New(simchain.Config{})
			require.NoError(t, err)
			c.Mine(1)
			tp := &testPair{t: t, chain: c, viaConfirm: true}
			tp.a = tp.newNode("A", 1, testUser(1, false))
			tp.b = tp.newNode("B", 2, testUser(1, false))
			tp.connect()
			ch := tp.open(1_000_000, 0, 0)
			tp.mine(1)
			tp.a.m.TimerTick(payClock)
			tp.b.m.TimerTick(payClock)
			require.Equal(t, StateReady, tp.a.details(t, ch.id).State)
			_, _, expiry, pre := deadlinePay(t, tp, ch, commit.AnchorsZeroFeeHTLC)
			funding := tp.a.data(t, ch.id).params.FundingOutpoint
			n, deadline := tp.a, expiry+HTLCTimeoutGrace
			if !offered {
				require.NoError(t, tp.b.m.ClaimFunds(pre))
				n, deadline = tp.b, expiry-HTLCClaimBuffer
			}
			tp.mineTo(deadline - 1)
			requireOpen(t, tp, ch)
			tp.chain.Mine(1)
			tx := requireHTLCClose(t, n, ch, funding, offered, true)
			requireConfirmed(t, tp, ch, funding, tx)
		})
	}
}
