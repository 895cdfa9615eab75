package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// sendBoth offers a the way side s would: addHTLC on our log when s is
// Local, receiveAdd (with the next id) when the peer sends it.
func sendBoth(l *updateLog, s commit.Side, a htlcAdd) error {
	if s == commit.Local {
		_, err := l.addHTLC(a)
		return err
	}
	a.id = l.nextID[commit.Remote]
	_, err := l.receiveAdd(a)
	return err
}

// TestUpdateLogAddRules breaks each limit of update_add_htlc, both ways:
// the same rule refuses our add and fails the peer's.
func TestUpdateLogAddRules(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		// push is what the opener pushed; prep adjusts limits.
		push wire.MilliSatoshi
		prep func(p *updateLogParams)
		adds []htlcAdd
	}{
		{name: "zero amount", rule: RuleUpdateAddHTLCAmount, adds: []htlcAdd{testAdd(1, 0)}},
		{name: "below htlc_minimum_msat", rule: RuleUpdateAddHTLCAmount, adds: []htlcAdd{testAdd(1, 999)}},
		{name: "cltv_expiry a timestamp", rule: RuleUpdateAddHTLCCLTVExpiry,
			adds: []htlcAdd{{amount: 5_000_000, cltvExpiry: 500_000_000}}},
		{name: "max_accepted_htlcs", rule: RuleUpdateAddHTLCMaxAccepted,
			prep: func(p *updateLogParams) { p.ours.maxAcceptedHTLCs, p.theirs.maxAcceptedHTLCs = 2, 2 },
			adds: []htlcAdd{testAdd(1, 5_000_000), testAdd(2, 5_000_000), testAdd(3, 5_000_000)}},
		{name: "max_htlc_value_in_flight_msat", rule: RuleUpdateAddHTLCInFlight,
			prep: func(p *updateLogParams) { p.ours.maxInFlight, p.theirs.maxInFlight = 15_000_000, 15_000_000 },
			adds: []htlcAdd{testAdd(1, 10_000_000), testAdd(2, 10_000_000)}},
		{name: "channel reserve of the acceptor", rule: RuleUpdateAddHTLCReserve, push: 10_500_000,
			adds: []htlcAdd{testAdd(1, 600_000)}},
		{name: "channel reserve and fee of the opener", rule: RuleUpdateAddHTLCReserve, push: 1_000_000_000 - 14_000_000,
			adds: []htlcAdd{testAdd(1, 3_000_000)}},
	}
	for _, tc := range tests {
		for _, sender := range []commit.Side{commit.Local, commit.Remote} {
			// The sender is the side whose balance the case is about:
			// the acceptor for a push case, else the opener.
			t.Run(tc.name+"/"+sender.String(), func(t *testing.T) {
				push := tc.push
				if push == 0 {
					push = 500_000_000
				}
				opener := sender
				if tc.name == "channel reserve of the acceptor" {
					opener = sender.Other()
				}
				openerBal := wire.MilliSatoshi(1_000_000_000) - push
				local, remote := openerBal, push
				if opener == commit.Remote {
					local, remote = push, openerBal
				}
				p := testLogParams(opener, commit.StaticRemoteKey)
				if tc.prep != nil {
					tc.prep(&p)
				}
				l := newUpdateLog(p, local, remote, 2500, 0, 0)
				var err error
				for _, a := range tc.adds {
					before := normalizeLog(l)
					if err = sendBoth(l, sender, a); err != nil {
						require.Equal(t, before, normalizeLog(l), "a refused add changes nothing")
						break
					}
				}
				require.ErrorIs(t, err, &RuleError{Rule: tc.rule})
				require.ErrorIs(t, err, ErrRuleViolated)
			})
		}
	}
}

// TestUpdateLogSoftAddRules checks the limits a peer's add is failed back
// for (not the channel), and that our own add is refused for them.
func TestUpdateLogSoftAddRules(t *testing.T) {
	t.Run("dust exposure", func(t *testing.T) {
		for _, sender := range []commit.Side{commit.Local, commit.Remote} {
			l := newUpdateLog(testLogParams(commit.Local, commit.StaticRemoteKey), 500_000_000, 500_000_000, 2500, 0, 0)
			var err error
			for i := range uint64(6) {
				if err = sendBoth(l, sender, testAdd(i, 1_000_000)); err != nil {
					break
				}
			}
			if sender == commit.Local {
				require.ErrorIs(t, err, &RuleError{Rule: RuleUpdateAddHTLCDustExposure})
				continue
			}
			require.NoError(t, err)
			require.Empty(t, l.htlcs[4].failBack)
			require.Equal(t, RuleUpdateAddHTLCDustExposure, l.htlcs[5].failBack)
		}
	})
	t.Run("fee spike buffer", func(t *testing.T) {
		// The opener keeps 16,000 sat: enough for a 3000-sat HTLC, its
		// reserve and the fee at 2500 sat/kw, not at twice that.
		for _, opener := range []commit.Side{commit.Local, commit.Remote} {
			local, remote := wire.MilliSatoshi(16_000_000), wire.MilliSatoshi(984_000_000)
			if opener == commit.Remote {
				local, remote = remote, local
			}
			l := newUpdateLog(testLogParams(opener, commit.StaticRemoteKey), local, remote, 2500, 0, 0)
			err := sendBoth(l, opener, testAdd(1, 3_000_000))
			if opener == commit.Local {
				require.ErrorIs(t, err, &RuleError{Rule: RuleUpdateAddHTLCFeeSpike})
				continue
			}
			require.NoError(t, err)
			require.Equal(t, RuleUpdateAddHTLCFeeSpike, l.htlcs[0].failBack)
		}
	})
}

// committedPair returns the opener's and acceptor's logs with one HTLC of
// the opener (id 0, 5,000,000 msat, testPreimage(1)) committed on both.
func committedPair(t *testing.T) (a, b *updateLog) {
	t.Helper()
	d := newLogDriver(commit.StaticRemoteKey, 500_000_000)
	a, b = d.logs[0], d.logs[1]
	id, err := a.addHTLC(testAdd(1, 5_000_000))
	require.NoError(t, err)
	_, err = b.receiveAdd(htlcAdd{id: id, amount: 5_000_000, paymentHash: testPreimage(1).Hash(), cltvExpiry: 800_000})
	require.NoError(t, err)
	require.NoError(t, d.step(0, 4, 0))
	require.NoError(t, d.quiesce())
	require.Equal(t, htlcOutCommitted, a.htlcs[0].state)
	require.Equal(t, htlcInCommitted, b.htlcs[0].state)
	return a, b
}

// TestUpdateLogRemovalFeeAndCommitRules breaks each rule of removals,
// update_fee, commitment_signed and revoke_and_ack.
func TestUpdateLogRemovalFeeAndCommitRules(t *testing.T) {
	bounds := FeeBounds{MinStaticRemoteKey: 1000, MinAnchors: 253, Max: 10_000}
	tests := []struct {
		name string
		call func(a, b *updateLog) error
		want error
	}{
		{"fulfill of an unknown id", func(a, b *updateLog) error { _, err := a.receiveFulfill(9, testPreimage(1), nil); return err },
			&RuleError{Rule: RuleUpdateFulfillHTLCID}},
		{"fulfill with a wrong preimage", func(a, b *updateLog) error { _, err := a.receiveFulfill(0, testPreimage(2), nil); return err },
			&RuleError{Rule: RuleUpdateFulfillHTLCPreimage}},
		{"fulfill of an HTLC of theirs", func(a, b *updateLog) error { _, err := b.receiveFulfill(0, testPreimage(1), nil); return err },
			&RuleError{Rule: RuleUpdateFulfillHTLCID}},
		{"fail of an unknown id", func(a, b *updateLog) error { return a.receiveFail(9, nil, nil) },
			&RuleError{Rule: RuleUpdateFailHTLCID}},
		{"fail malformed of an unknown id", func(a, b *updateLog) error { return a.receiveFailMalformed(9, [32]byte{}, badOnion) },
			&RuleError{Rule: RuleUpdateFailMalformedHTLCID}},
		{"fail malformed without BADONION", func(a, b *updateLog) error { return a.receiveFailMalformed(0, [32]byte{}, 0x4002) },
			&RuleError{Rule: RuleUpdateFailMalformedHTLCFailureCode}},
		{"our fulfill with a wrong preimage", func(a, b *updateLog) error { return b.fulfill(0, testPreimage(2), nil) },
			&RuleError{Rule: RuleUpdateFulfillHTLCPreimage}},
		{"our fulfill of an unknown id", func(a, b *updateLog) error { return b.fulfill(3, testPreimage(1), nil) }, errHTLCUnknown},
		{"our fail of our own HTLC", func(a, b *updateLog) error { return a.fail(0, htlcOutcome{}) }, errHTLCUnknown},
		{"removal of an uncommitted HTLC", func(a, b *updateLog) error {
			if _, err := a.addHTLC(testAdd(2, 5_000_000)); err != nil {
				return err
			}
			return a.receiveFail(1, nil, nil)
		}, &RuleError{Rule: RuleUpdateFailHTLCID}},
		{"update_fee from the acceptor", func(a, b *updateLog) error { return a.receiveFee(2000, bounds) },
			&RuleError{Rule: RuleUpdateFeeSender}},
		{"update_fee below our bound", func(a, b *updateLog) error { return b.receiveFee(999, bounds) },
			&RuleError{Rule: RuleUpdateFeeRate}},
		{"update_fee above our bound", func(a, b *updateLog) error { return b.receiveFee(10_001, bounds) },
			&RuleError{Rule: RuleUpdateFeeRate}},
		{"update_fee the opener cannot pay", func(a, b *updateLog) error {
			return b.receiveFee(4_000_000, FeeBounds{MinStaticRemoteKey: 253, Max: 1 << 30})
		}, &RuleError{Rule: RuleUpdateFeeAfford}},
		{"our update_fee we cannot pay", func(a, b *updateLog) error { return a.sendFee(4_000_000) },
			&RuleError{Rule: RuleUpdateFeeAfford}},
		{"our update_fee as acceptor", func(a, b *updateLog) error { return b.sendFee(3000) }, errUpdateLogNotOpener},
		{"commitment_signed twice", func(a, b *updateLog) error {
			if _, err := a.receivedCommitment(); err != nil {
				return err
			}
			_, err := a.receivedCommitment()
			return err
		}, &RuleError{Rule: RuleCommitmentSignedUnexpected}},
		{"revoke_and_ack unasked", func(a, b *updateLog) error { _, err := a.receivedRevoke(); return err },
			&RuleError{Rule: RuleRevokeAndAckUnexpected}},
		{"empty commitment_signed", func(a, b *updateLog) error { _, err := a.sendingCommitment(); return err },
			errUpdateLogNothingToSign},
		{"commitment_signed before the revocation", func(a, b *updateLog) error {
			if err := a.sendFee(3000); err != nil {
				return err
			}
			if _, err := a.sendingCommitment(); err != nil {
				return err
			}
			if err := a.sendFee(3100); err != nil {
				return err
			}
			_, err := a.sendingCommitment()
			return err
		}, errUpdateLogAwaitingRevoke},
		{"revoke_and_ack without commitment", func(a, b *updateLog) error { return a.sentRevoke() }, errUpdateLogNotOwingRevoke},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := committedPair(t)
			require.ErrorIs(t, tc.call(a, b), tc.want)
		})
	}
}
