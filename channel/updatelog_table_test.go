package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// logWithHTLC returns a log holding one HTLC
// of 100,000 msat locked to testPreimage(7) in state st (we opened, 20,000-sat push), with outcome o
// when st is a removal state.
func logWithHTLC(st htlcState, signed bool, o htlcOutcome) *updateLog {
	a, _ := testLogPair(commit.StaticRemoteKey, 20_000_000)
	h := htlcEntry{id: 0, amount: 100_000, paymentHash: testPreimage(7).Hash(), cltvExpiry: 800_000, state: st, signed: signed, outcome: o}
	a.htlcs = append(a.htlcs, h)
	a.balance[h.offerer()] -= h.amount
	a.nextID[h.offerer()] = 1
	return a
}

func fulfilled() htlcOutcome { return htlcOutcome{kind: htlcFulfilled, preimage: testPreimage(7)} }

// TestUpdateLogStateTable walks every row of the table in updatelog.go's
// doc: (state, event) → (new state, outputs).
func TestUpdateLogStateTable(t *testing.T) {
	const gone htlcState = 0
	type row struct {
		name   string
		from   htlcState
		signed bool
		o      htlcOutcome
		// prep adjusts the log before the event (flags).
		prep  func(l *updateLog)
		event func(t *testing.T, l *updateLog) any
		to    htlcState
		toSig bool
		check func(t *testing.T, l *updateLog, out any)
	}
	awaiting := func(l *updateLog) { l.awaitingRevoke = true }
	recvRevoke := func(t *testing.T, l *updateLog) any {
		r, err := l.receivedRevoke()
		require.NoError(t, err)
		return r
	}
	sendCommit := func(t *testing.T, l *updateLog) any {
		st, err := l.sendingCommitment()
		require.NoError(t, err)
		return st
	}
	recvCommit := func(t *testing.T, l *updateLog) any {
		st, err := l.receivedCommitment()
		require.NoError(t, err)
		return st
	}
	disc := func(t *testing.T, l *updateLog) any { return l.disconnected() }
	inState := func(owner commit.Side, in bool) func(t *testing.T, l *updateLog, out any) {
		return func(t *testing.T, l *updateLog, out any) {
			st := out.(commit.State)
			require.Equal(t, in, len(st.HTLCs) == 1, "htlc in %s commitment", owner)
		}
	}
	rows := []row{
		{name: "out: add", from: gone, event: func(t *testing.T, l *updateLog) any {
			l.htlcs, l.nextID = nil, [2]uint64{}
			l.balance[commit.Local] += 100_000
			id, err := l.addHTLC(testAdd(7, 100_000))
			require.NoError(t, err)
			return id
		}, to: htlcLocalAnnounced, check: func(t *testing.T, l *updateLog, out any) { require.Equal(t, uint64(0), out) }},
		{name: "out: LocalAnnounced sign", from: htlcLocalAnnounced, event: sendCommit, to: htlcLocalAnnounced, toSig: true,
			check: inState(commit.Remote, true)},
		{name: "out: LocalAnnounced signed revoked", from: htlcLocalAnnounced, signed: true, prep: awaiting, event: recvRevoke, to: htlcOutCommitted},
		{name: "out: LocalAnnounced unsigned stays on revoke", from: htlcLocalAnnounced, prep: awaiting, event: recvRevoke, to: htlcLocalAnnounced},
		{name: "out: LocalAnnounced unsigned disconnected", from: htlcLocalAnnounced, event: disc, to: gone,
			check: func(t *testing.T, l *updateLog, out any) {
				require.Len(t, out.(htlcUnsent).adds, 1)
				require.Equal(t, uint64(0), l.nextID[commit.Local])
			}},
		{name: "out: Committed fulfilled", from: htlcOutCommitted, event: func(t *testing.T, l *updateLog) any {
			h, err := l.receiveFulfill(0, testPreimage(7), nil)
			require.NoError(t, err)
			return h
		}, to: htlcRemoteRemoved, check: func(t *testing.T, l *updateLog, out any) {
			require.Equal(t, testPreimage(7), out.(htlcEntry).outcome.preimage)
		}},
		{name: "out: Committed failed", from: htlcOutCommitted, event: func(t *testing.T, l *updateLog) any {
			require.NoError(t, l.receiveFail(0, []byte{1, 2}, nil))
			return nil
		}, to: htlcRemoteRemoved},
		{name: "out: Committed failed malformed", from: htlcOutCommitted, event: func(t *testing.T, l *updateLog) any {
			require.NoError(t, l.receiveFailMalformed(0, [32]byte{}, badOnion|5))
			return nil
		}, to: htlcRemoteRemoved},
		{name: "out: RemoteRemoved commitment received", from: htlcRemoteRemoved, o: fulfilled(), event: recvCommit,
			to: htlcAwaitingRemoteRevokeToRemove, check: inState(commit.Local, false)},
		{name: "out: RemoteRemoved disconnected", from: htlcRemoteRemoved, o: fulfilled(), event: disc, to: htlcOutCommitted},
		{name: "out: AwaitingRemoteRevokeToRemove sign", from: htlcAwaitingRemoteRevokeToRemove, o: fulfilled(), event: sendCommit,
			to: htlcAwaitingRemovedRemoteRevoke, check: inState(commit.Remote, false)},
		{name: "out: AwaitingRemovedRemoteRevoke revoked", from: htlcAwaitingRemovedRemoteRevoke, o: fulfilled(), prep: awaiting,
			event: recvRevoke, to: gone, check: func(t *testing.T, l *updateLog, out any) {
				require.Len(t, out.(htlcRevokeResult).resolved, 1)
				require.Equal(t, wire.MilliSatoshi(20_100_000), l.balance[commit.Remote])
			}},
		{name: "in: add", from: gone, event: func(t *testing.T, l *updateLog) any {
			l.htlcs, l.nextID = nil, [2]uint64{}
			ignored, err := l.receiveAdd(htlcAdd{id: 0, amount: 100_000, paymentHash: testPreimage(7).Hash(), cltvExpiry: 800_000})
			require.NoError(t, err)
			return ignored
		}, prep: func(l *updateLog) { l.balance[commit.Remote] += 100_000 }, to: htlcRemoteAnnounced,
			check: func(t *testing.T, l *updateLog, out any) { require.False(t, out.(bool)) }},
		{name: "in: repeated id after reconnection", from: htlcInCommitted, prep: func(l *updateLog) { l.epoch++ },
			event: func(t *testing.T, l *updateLog) any {
				ignored, err := l.receiveAdd(htlcAdd{id: 0, amount: 100_000, paymentHash: testPreimage(7).Hash(), cltvExpiry: 800_000})
				require.NoError(t, err)
				return ignored
			}, to: htlcInCommitted, check: func(t *testing.T, l *updateLog, out any) { require.True(t, out.(bool)) }},
		{name: "in: RemoteAnnounced commitment received", from: htlcRemoteAnnounced, event: recvCommit,
			to: htlcAwaitingRemoteRevokeToAnnounce, check: inState(commit.Local, true)},
		{name: "in: RemoteAnnounced disconnected", from: htlcRemoteAnnounced, event: disc, to: gone,
			check: func(t *testing.T, l *updateLog, out any) { require.Equal(t, uint64(0), l.nextID[commit.Remote]) }},
		{name: "in: AwaitingRemoteRevokeToAnnounce sign", from: htlcAwaitingRemoteRevokeToAnnounce, event: sendCommit,
			to: htlcAwaitingAnnouncedRemoteRevoke, check: inState(commit.Remote, true)},
		{name: "in: AwaitingAnnouncedRemoteRevoke revoked", from: htlcAwaitingAnnouncedRemoteRevoke, prep: awaiting, event: recvRevoke,
			to: htlcInCommitted, check: func(t *testing.T, l *updateLog, out any) { require.Len(t, out.(htlcRevokeResult).lockedIn, 1) }},
		{name: "in: Committed fulfill", from: htlcInCommitted, event: func(t *testing.T, l *updateLog) any {
			require.NoError(t, l.fulfill(0, testPreimage(7), nil))
			return nil
		}, to: htlcLocalRemoved},
		{name: "in: Committed fail", from: htlcInCommitted, event: func(t *testing.T, l *updateLog) any {
			require.NoError(t, l.fail(0, htlcOutcome{kind: htlcFailed, reason: []byte{9}}))
			return nil
		}, to: htlcLocalRemoved},
		{name: "in: LocalRemoved sign", from: htlcLocalRemoved, o: fulfilled(), event: sendCommit, to: htlcLocalRemoved, toSig: true,
			check: inState(commit.Remote, false)},
		{name: "in: LocalRemoved unsigned disconnected", from: htlcLocalRemoved, o: fulfilled(), event: disc, to: htlcLocalRemoved,
			check: func(t *testing.T, l *updateLog, out any) { require.Len(t, l.unsignedRemovals(), 1) }},
		{name: "in: LocalRemoved unsigned stays on revoke", from: htlcLocalRemoved, o: fulfilled(), prep: awaiting, event: recvRevoke, to: htlcLocalRemoved},
		{name: "in: LocalRemoved signed revoked", from: htlcLocalRemoved, signed: true, o: fulfilled(), prep: awaiting, event: recvRevoke,
			to: gone, check: func(t *testing.T, l *updateLog, out any) {
				require.Len(t, out.(htlcRevokeResult).removed, 1)
				require.Equal(t, uint64(0), out.(htlcRevokeResult).removed[0].id)
				require.Equal(t, wire.MilliSatoshi(980_100_000), l.balance[commit.Local])
			}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			from := r.from
			if from == gone {
				from = htlcRemoteAnnounced
			}
			l := logWithHTLC(from, r.signed, r.o)
			if r.prep != nil {
				r.prep(l)
			}
			out := r.event(t, l)
			if r.to == gone {
				require.Empty(t, l.htlcs)
			} else {
				require.Len(t, l.htlcs, 1)
				require.Equal(t, r.to, l.htlcs[0].state, "state %s", l.htlcs[0].state)
				require.Equal(t, r.toSig, l.htlcs[0].signed)
			}
			if r.check != nil {
				r.check(t, l, out)
			}
			requireLogConserved(t, l)
		})
	}
}

// requireLogConserved checks that both next commitments add up to the
// capacity and that the log survives its persisted form.
func requireLogConserved(t *testing.T, l *updateLog) {
	t.Helper()
	for _, owner := range []commit.Side{commit.Local, commit.Remote} {
		st := l.nextState(owner)
		sum := uint64(st.LocalBalance) + uint64(st.RemoteBalance)
		for _, h := range st.HTLCs {
			sum += uint64(h.Amount)
		}
		require.Equal(t, uint64(l.p.capacity)*1000, sum, "%s commitment", owner)
	}
	b, err := encodeUpdateLog(l)
	require.NoError(t, err)
	got, err := decodeUpdateLog(b, l.p)
	require.NoError(t, err)
	require.Equal(t, normalizeLog(l), normalizeLog(got))
}

// normalizeLog is l with empty slices as nil, for comparison.
func normalizeLog(l *updateLog) updateLog {
	c := *l
	c.htlcs = append([]htlcEntry(nil), l.htlcs...)
	for i := range c.htlcs {
		if len(c.htlcs[i].onion) == 0 {
			c.htlcs[i].onion = nil
		}
		if len(c.htlcs[i].outcome.reason) == 0 {
			c.htlcs[i].outcome.reason = nil
		}
	}
	if len(c.htlcs) == 0 {
		c.htlcs = nil
	}
	c.fees = append([]htlcFeeUpdate(nil), l.fees...)
	if len(c.fees) == 0 {
		c.fees = nil
	}
	return c
}

// TestUpdateLogFeeStates walks the update_fee rows: ours LocalAnnounced →
// signed → applied on their revocation; theirs RemoteAnnounced →
// AwaitingRemoteRevokeToAnnounce → AwaitingAnnouncedRemoteRevoke →
// applied; each checked against the rate of both next commitments, and
// what a disconnection takes back.
func TestUpdateLogFeeStates(t *testing.T) {
	bounds := FeeBounds{MinStaticRemoteKey: 253, MinAnchors: 253, Max: 50_000}
	rates := func(l *updateLog) [2]wire.FeeRate {
		return [2]wire.FeeRate{l.nextState(commit.Local).FeeRate, l.nextState(commit.Remote).FeeRate}
	}
	a, b := testLogPair(commit.StaticRemoteKey, 100_000_000)

	require.NoError(t, a.sendFee(3000))
	require.Equal(t, [2]wire.FeeRate{2500, 3000}, rates(a), "ours LocalAnnounced: in their next only")
	require.NoError(t, b.receiveFee(3000, bounds))
	require.Equal(t, [2]wire.FeeRate{3000, 2500}, rates(b), "theirs RemoteAnnounced: in our next only")

	_, err := a.sendingCommitment()
	require.NoError(t, err)
	require.True(t, a.fees[0].signed)
	_, err = b.receivedCommitment()
	require.NoError(t, err)
	require.Equal(t, htlcAwaitingRemoteRevokeToAnnounce, b.fees[0].state)
	require.Equal(t, [2]wire.FeeRate{3000, 3000}, rates(b))
	require.NoError(t, b.sentRevoke())
	_, err = a.receivedRevoke()
	require.NoError(t, err)
	require.Empty(t, a.fees)
	require.Equal(t, wire.FeeRate(3000), a.feeRate, "ours applied on their revocation")

	_, err = b.sendingCommitment()
	require.NoError(t, err)
	require.Equal(t, htlcAwaitingAnnouncedRemoteRevoke, b.fees[0].state)
	_, err = a.receivedCommitment()
	require.NoError(t, err)
	require.NoError(t, a.sentRevoke())
	_, err = b.receivedRevoke()
	require.NoError(t, err)
	require.Empty(t, b.fees)
	require.Equal(t, wire.FeeRate(3000), b.feeRate, "theirs applied on our revocation of their commitment")

	// A disconnection takes back ours unsigned (returned) and theirs
	// RemoteAnnounced; a newer unsigned update supersedes an older one.
	require.NoError(t, a.sendFee(3500))
	require.NoError(t, a.sendFee(3600))
	require.Len(t, a.fees, 1)
	require.Equal(t, wire.FeeRate(3600), a.disconnected().fee)
	require.NoError(t, b.receiveFee(3600, bounds))
	b.disconnected()
	require.Empty(t, b.fees)
	require.Equal(t, [2]wire.FeeRate{3000, 3000}, rates(b))
}
