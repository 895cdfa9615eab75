package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// reestablishSecretOf names the your_last_per_commitment_secret of a row:
// nil is all zeroes.
type reestablishSecretOf func(t testing.TB, ours *keys.InMemorySigner) wire.PerCommitmentSecret

// reestablishOursOf is our own secret of commitment n: what a peer holding our
// revocation of n sends.
func reestablishOursOf(n uint64) reestablishSecretOf {
	return func(t testing.TB, ours *keys.InMemorySigner) wire.PerCommitmentSecret {
		return reestablishSecret(t, ours, n)
	}
}

// reestablishGarbageSecret is a secret no signer derives.
func reestablishGarbageSecret(testing.TB, *keys.InMemorySigner) wire.PerCommitmentSecret {
	return wire.PerCommitmentSecret{0xde, 0xad, 0xbe, 0xef}
}

// reestablishTheirsOf is the peer's secret of commitment n (a real secret, not ours).
func reestablishTheirsOf(n uint64) reestablishSecretOf {
	return func(t testing.TB, _ *keys.InMemorySigner) wire.PerCommitmentSecret {
		return reestablishSecret(t, reestablishTestKeys(2, 2), n)
	}
}

// reestablishRow is one row of the receiver's table: our state (H, R,
// pending and the flags), the peer's message, and the outcome.
type reestablishRow struct {
	name string
	// our state
	h, r                                       uint64
	pending, raaLast, ready, shutdown, closing bool
	// their message
	ncn, nrn uint64
	secret   reestablishSecretOf
	mutate   func(m *wire.ChannelReestablish)
	// the outcome: steps (and the commitment retransmitted), or an error
	steps      []reestablishStep
	commitment uint64
	rule       Rule
	behind     bool // *ProvedBehindError: we are behind
	peerBehind bool // *PeerBehindError
	peerAhead  bool // *PeerAheadError
}

// state builds the row's reestablishState around signer.
func (row *reestablishRow) state(t testing.TB, signer *keys.InMemorySigner) *reestablishState {
	st := &reestablishState{
		nextHolderCommitment: row.h, nextRevocation: row.r, commitmentSignedPending: row.pending,
		revokeAndAckLast: row.raaLast, channelReadySent: row.ready, shutdownSent: row.shutdown,
		closingSignedReceived: row.closing, signer: reestablishTestSigner{t: t, s: signer},
	}
	if row.r > 0 {
		st.theirLastSecretNumber = row.r - 1
		st.theirLastSecret = reestablishSecret(t, reestablishTestKeys(2, 2), row.r-1)
	}
	return st
}

// message builds the peer's channel_reestablish of the row.
func (row *reestablishRow) message(t testing.TB, ours *keys.InMemorySigner) *wire.ChannelReestablish {
	m := &wire.ChannelReestablish{
		ChannelID: reestablishChannelID, NextCommitmentNumber: row.ncn, NextRevocationNumber: row.nrn,
		MyCurrentPerCommitmentPoint: reestablishPointOf(t, reestablishTestKeys(2, 2), 7),
	}
	if row.secret != nil {
		m.YourLastPerCommitmentSecret = row.secret(t, ours)
	}
	if row.mutate != nil {
		row.mutate(m)
	}
	return m
}

const (
	reestablishStepReady    = reestablishResendChannelReady
	reestablishStepRAA      = reestablishResendRevokeAndAck
	reestablishStepCommit   = reestablishResendCommitmentSigned
	reestablishStepShutdown = reestablishResendShutdown
	reestablishStepAbort    = reestablishSendTxAbort
	reestablishMax48        = uint64(keys.MaxCommitmentNumber) // 2^48-1
)

// reestablishRows walks every requirement of BOLT 2 on the receiver of
// channel_reestablish.
var reestablishRows = []reestablishRow{
	// A channel with no HTLC yet: next_commitment_number 1, next_revocation_number 0 on both sides.
	{name: "new channel, channel_ready not yet sent", h: 1, ncn: 1},
	{name: "new channel: channel_ready again (1 on both sides)", h: 1, ready: true, ncn: 1, steps: []reestablishStep{reestablishStepReady}},
	{name: "new channel: nrn 0 ignores a non-zero secret", h: 1, ready: true, ncn: 1, secret: reestablishGarbageSecret, steps: []reestablishStep{reestablishStepReady}},
	{name: "new channel: their point is ignored", h: 1, ncn: 1, mutate: func(m *wire.ChannelReestablish) { m.MyCurrentPerCommitmentPoint = wire.Point{} }},
	{name: "new channel: my_current_funding_locked is ignored", h: 1, ready: true, ncn: 1, steps: []reestablishStep{reestablishStepReady},
		mutate: func(m *wire.ChannelReestablish) { m.MyCurrentFundingLocked = wire.Some(wire.FundingLocked{}) }},
	{name: "new channel: next_funding asks tx_abort", h: 1, ready: true, ncn: 1, steps: []reestablishStep{reestablishStepReady, reestablishStepAbort},
		mutate: func(m *wire.ChannelReestablish) { m.NextFunding = wire.Some(wire.NextFunding{RetransmitFlags: 1}) }},

	// channel_ready: only when next_commitment_number is 1 in both messages.
	{name: "channel_ready not again: they received our commitment_signed 1", h: 1, pending: true, ready: true, ncn: 2},
	{name: "channel_ready not again: we received their commitment_signed 1", h: 2, ready: true, ncn: 1, nrn: 1, secret: reestablishOursOf(0)},
	{name: "channel_ready then commitment_signed 1 they lack", h: 1, pending: true, ready: true, ncn: 1,
		steps: []reestablishStep{reestablishStepReady, reestablishStepCommit}, commitment: 1},

	// next_commitment_number.
	{name: "ncn 0: the peer lost the channel", h: 1, ncn: 0, rule: RuleReestablishNextCommitmentNumber},
	{name: "ncn 0 after HTLCs", h: 5, r: 4, ncn: 0, nrn: 4, secret: reestablishOursOf(3), rule: RuleReestablishNextCommitmentNumber},
	{name: "ncn = our pending commitment_signed: retransmit it", h: 5, r: 6, pending: true, ncn: 7, nrn: 4, secret: reestablishOursOf(3),
		steps: []reestablishStep{reestablishStepCommit}, commitment: 7},
	{name: "ncn = next after our pending commitment_signed: received", h: 5, r: 6, pending: true, ncn: 8, nrn: 4, secret: reestablishOursOf(3)},
	{name: "ncn one below our pending commitment_signed: peer behind", h: 5, r: 6, pending: true, ncn: 6, nrn: 4, secret: reestablishOursOf(3), peerBehind: true},
	{name: "ncn 1 far below: peer behind", h: 5, r: 6, ncn: 1, nrn: 4, secret: reestablishOursOf(3), peerBehind: true},
	{name: "ncn beyond our pending commitment_signed: peer ahead", h: 5, r: 6, pending: true, ncn: 9, nrn: 4, secret: reestablishOursOf(3), peerAhead: true},
	{name: "ncn = next, nothing pending", h: 5, r: 6, ncn: 7, nrn: 4, secret: reestablishOursOf(3)},
	{name: "ncn = our acknowledged commitment_signed: peer behind", h: 5, r: 6, ncn: 6, nrn: 4, secret: reestablishOursOf(3), peerBehind: true},
	{name: "ncn claims a commitment_signed we never sent: peer ahead", h: 5, r: 6, ncn: 8, nrn: 4, secret: reestablishOursOf(3), peerAhead: true},
	{name: "ncn 2 though we sent no commitment_signed", h: 1, ncn: 2, peerAhead: true},
	{name: "ncn huge", h: 5, r: 6, ncn: 1<<64 - 1, nrn: 4, secret: reestablishOursOf(3), peerAhead: true},
	{name: "ncn 2^48", h: 5, r: 6, ncn: 1 << 48, nrn: 4, secret: reestablishOursOf(3), peerAhead: true},

	// next_revocation_number below H.
	{name: "nrn = our last revoke_and_ack: retransmit it", h: 5, r: 6, ncn: 7, nrn: 3, secret: reestablishOursOf(2), steps: []reestablishStep{reestablishStepRAA}},
	{name: "nrn = first revoke_and_ack (of commitment 0), secret zeroes", h: 2, ncn: 1, nrn: 0, steps: []reestablishStep{reestablishStepRAA}},
	{name: "nrn = our last revoke_and_ack after closing_signed", h: 5, r: 6, closing: true, ncn: 7, nrn: 3, secret: reestablishOursOf(2),
		rule: RuleReestablishNextRevocationNumber},
	{name: "nrn = H-1 after closing_signed", h: 5, r: 6, closing: true, ncn: 7, nrn: 4, secret: reestablishOursOf(3)},
	{name: "nrn two behind: peer behind", h: 5, r: 6, ncn: 7, nrn: 2, secret: reestablishOursOf(1), peerBehind: true},
	{name: "nrn 0 far behind: peer behind", h: 5, r: 6, ncn: 7, nrn: 0, peerBehind: true},
	{name: "both behind: peer behind", h: 5, r: 6, pending: true, ncn: 3, nrn: 1, secret: reestablishOursOf(0), peerBehind: true},
	{name: "behind with a wrong secret", h: 5, r: 6, ncn: 7, nrn: 2, secret: reestablishGarbageSecret, rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "behind on revocations, commitment_signed too high", h: 5, r: 6, ncn: 8, nrn: 2, secret: reestablishOursOf(1), peerAhead: true},
	{name: "behind on commitment_signed, ncn 0", h: 5, r: 6, ncn: 0, nrn: 2, secret: reestablishOursOf(1), rule: RuleReestablishNextCommitmentNumber},

	// Both retransmitted, in the order first sent.
	{name: "revoke_and_ack then commitment_signed", h: 5, r: 6, pending: true, ncn: 7, nrn: 3, secret: reestablishOursOf(2),
		steps: []reestablishStep{reestablishStepRAA, reestablishStepCommit}, commitment: 7},
	{name: "commitment_signed then revoke_and_ack", h: 5, r: 6, pending: true, raaLast: true, ncn: 7, nrn: 3, secret: reestablishOursOf(2),
		steps: []reestablishStep{reestablishStepCommit, reestablishStepRAA}, commitment: 7},
	{name: "order flag alone retransmits nothing", h: 5, r: 6, raaLast: true, ncn: 7, nrn: 4, secret: reestablishOursOf(3)},

	// shutdown is always retransmitted once sent, after the commitment messages.
	{name: "shutdown alone", h: 5, r: 6, shutdown: true, ncn: 7, nrn: 4, secret: reestablishOursOf(3), steps: []reestablishStep{reestablishStepShutdown}},
	{name: "everything", h: 5, r: 6, pending: true, raaLast: true, shutdown: true, ncn: 7, nrn: 3, secret: reestablishOursOf(2),
		mutate: func(m *wire.ChannelReestablish) { m.NextFunding = wire.Some(wire.NextFunding{}) },
		steps:  []reestablishStep{reestablishStepCommit, reestablishStepRAA, reestablishStepShutdown, reestablishStepAbort}, commitment: 7},

	// your_last_per_commitment_secret for nrn in [1, H).
	{name: "secret of nrn-1 wrong", h: 5, r: 6, ncn: 7, nrn: 4, secret: reestablishGarbageSecret, rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "secret zero for nrn 4", h: 5, r: 6, ncn: 7, nrn: 4, rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "secret of an older commitment", h: 5, r: 6, ncn: 7, nrn: 4, secret: reestablishOursOf(2), rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "their own secret instead of ours", h: 5, r: 6, ncn: 7, nrn: 4, secret: reestablishTheirsOf(3), rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "secret wrong with revoke_and_ack retransmission", h: 5, r: 6, ncn: 7, nrn: 3, secret: reestablishOursOf(3), rule: RuleReestablishYourLastPerCommitmentSecret},

	// option_data_loss_protect: nrn at or above H.
	{name: "proof: they hold our revocation of our latest commitment", h: 5, r: 6, ncn: 7, nrn: 5, secret: reestablishOursOf(4), behind: true},
	{name: "proof: far ahead", h: 5, r: 6, ncn: 7, nrn: 40, secret: reestablishOursOf(39), behind: true},
	{name: "proof: we sent no revoke_and_ack yet", h: 1, ready: true, ncn: 1, nrn: 1, secret: reestablishOursOf(0), behind: true},
	{name: "proof wins over ncn 0", h: 5, r: 6, ncn: 0, nrn: 5, secret: reestablishOursOf(4), behind: true},
	{name: "proof wins over an impossible ncn", h: 5, r: 6, ncn: 1<<64 - 1, nrn: 9, secret: reestablishOursOf(8), behind: true},
	{name: "proof wins over closing_signed", h: 5, r: 6, closing: true, ncn: 7, nrn: 5, secret: reestablishOursOf(4), behind: true},
	{name: "proof at the last commitment number", h: 5, r: 6, ncn: 7, nrn: 1 << 48, secret: reestablishOursOf(reestablishMax48), behind: true},
	{name: "claim without proof: garbage", h: 5, r: 6, ncn: 7, nrn: 5, secret: reestablishGarbageSecret, rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "claim without proof: zeroes", h: 5, r: 6, ncn: 7, nrn: 5, rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "claim with the secret of our previous commitment", h: 5, r: 6, ncn: 7, nrn: 5, secret: reestablishOursOf(3), rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "claim with the secret of the next commitment", h: 5, r: 6, ncn: 7, nrn: 5, secret: reestablishOursOf(5), rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "claim nrn 1 before any revoke_and_ack, wrong secret", h: 1, ncn: 1, nrn: 1, secret: reestablishGarbageSecret, rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "claim at 2^48 without proof", h: 5, r: 6, ncn: 7, nrn: 1 << 48, secret: reestablishGarbageSecret, rule: RuleReestablishYourLastPerCommitmentSecret},
	{name: "nrn 2^48+1: beyond any commitment", h: 5, r: 6, ncn: 7, nrn: 1<<48 + 1, secret: reestablishOursOf(reestablishMax48), rule: RuleReestablishNextRevocationNumber},
	{name: "nrn 2^64-1", h: 5, r: 6, ncn: 1<<64 - 1, nrn: 1<<64 - 1, secret: reestablishGarbageSecret, rule: RuleReestablishNextRevocationNumber},

	// Numbers near the top of the range on our side.
	{name: "H and R at the top", h: reestablishMax48, r: reestablishMax48 - 2, ncn: reestablishMax48 - 1, nrn: reestablishMax48 - 1, secret: reestablishOursOf(reestablishMax48 - 2)},
	{name: "H at the top: revoke_and_ack again", h: reestablishMax48, r: reestablishMax48 - 2, pending: true, ncn: reestablishMax48 - 1, nrn: reestablishMax48 - 2, secret: reestablishOursOf(reestablishMax48 - 3),
		steps: []reestablishStep{reestablishStepRAA, reestablishStepCommit}, commitment: reestablishMax48 - 1},
	{name: "H at the top: proof", h: reestablishMax48, ncn: 1, nrn: 1 << 48, secret: reestablishOursOf(reestablishMax48), behind: true},
}

func TestReestablishReceiveTable(t *testing.T) {
	ours := reestablishTestKeys(1, 1)
	for _, row := range reestablishRows {
		t.Run(row.name, func(t *testing.T) {
			st := row.state(t, ours)
			msg := row.message(t, ours)
			act, err := reestablishReceive(st, msg)
			switch {
			case row.behind:
				require.ErrorIs(t, err, ErrPeerProvedBehind)
				require.NotErrorIs(t, err, ErrRuleViolated)
				var be *ProvedBehindError
				require.ErrorAs(t, err, &be)
				require.Equal(t, ProvedBehindError{NextRevocationNumber: row.nrn, NextHolderCommitment: row.h,
					NextCommitmentNumber: row.ncn, TheirCurrentPerCommitmentPoint: msg.MyCurrentPerCommitmentPoint}, *be)
				require.Equal(t, reestablishAction{}, act)
			case row.peerBehind:
				require.ErrorIs(t, err, ErrPeerBehind)
				require.NotErrorIs(t, err, ErrRuleViolated)
				require.NotErrorIs(t, err, ErrPeerProvedBehind)
				var pb *PeerBehindError
				require.ErrorAs(t, err, &pb)
				require.Equal(t, row.ncn, pb.NextCommitmentNumber)
				require.Equal(t, row.nrn, pb.NextRevocationNumber)
				require.Equal(t, row.r+1, pb.MinNextCommitmentNumber)
				require.Equal(t, max(row.h, 2)-2, pb.MinNextRevocationNumber)
				require.Equal(t, reestablishAction{}, act)
			case row.peerAhead:
				require.ErrorIs(t, err, ErrPeerAhead)
				require.NotErrorIs(t, err, ErrRuleViolated)
				var pa *PeerAheadError
				require.ErrorAs(t, err, &pa)
				next := row.r + 1
				if row.pending {
					next++
				}
				require.Equal(t, PeerAheadError{NextCommitmentNumber: row.ncn, MaxNextCommitmentNumber: next}, *pa)
				require.Equal(t, reestablishAction{}, act)
			case row.rule != "":
				require.ErrorIs(t, err, &RuleError{Rule: row.rule}, "got %v", err)
				require.NotErrorIs(t, err, ErrPeerProvedBehind)
				require.NotErrorIs(t, err, ErrPeerBehind)
				require.NotErrorIs(t, err, ErrPeerAhead)
				require.Equal(t, reestablishAction{}, act)
			default:
				require.NoError(t, err)
				require.Equal(t, row.steps, act.steps)
				require.Equal(t, row.commitment, act.commitmentNumber)
				reestablishRequireRevokeAndAck(t, ours, row, act)
			}
		})
	}
}

// reestablishRequireRevokeAndAck checks that a retransmitted revoke_and_ack is the one
// first sent (secret H-2, point H), and that there is none otherwise.
func reestablishRequireRevokeAndAck(t *testing.T, ours *keys.InMemorySigner, row reestablishRow, act reestablishAction) {
	t.Helper()
	for _, s := range act.steps {
		if s == reestablishStepRAA {
			require.Equal(t, &wire.RevokeAndAck{
				ChannelID:              reestablishChannelID,
				PerCommitmentSecret:    reestablishSecret(t, ours, row.h-2),
				NextPerCommitmentPoint: reestablishPointOf(t, ours, row.h),
			}, act.revokeAndAck)
			return
		}
	}
	require.Nil(t, act.revokeAndAck)
}

func TestReestablishErrors(t *testing.T) {
	proved := &ProvedBehindError{NextRevocationNumber: 9, NextHolderCommitment: 5, NextCommitmentNumber: 7}
	require.ErrorIs(t, proved, ErrPeerProvedBehind)
	require.NotErrorIs(t, proved, ErrRuleViolated)
	require.NotErrorIs(t, proved, ErrPeerBehind)
	require.Equal(t, "channel: channel_reestablish: peer proved our state is behind: it holds the revocation of our commitment 8, our latest is 4; please fail the channel", proved.Error())
	require.Equal(t, proved.Error(), "channel: "+proved.PeerMessage())

	behind := &PeerBehindError{NextCommitmentNumber: 3, NextRevocationNumber: 1, MinNextCommitmentNumber: 7, MinNextRevocationNumber: 3}
	require.ErrorIs(t, behind, ErrPeerBehind)
	require.NotErrorIs(t, behind, ErrRuleViolated)
	require.NotErrorIs(t, behind, ErrPeerProvedBehind)
	require.Equal(t, "channel: channel_reestablish: your state is behind: next_commitment_number 3 (at least 7), next_revocation_number 1 (at least 3)", behind.Error())
	require.Equal(t, behind.Error(), "channel: "+behind.PeerMessage())

	ahead := &PeerAheadError{NextCommitmentNumber: 9, MaxNextCommitmentNumber: 7}
	require.ErrorIs(t, ahead, ErrPeerAhead)
	require.NotErrorIs(t, ahead, ErrRuleViolated)
	require.NotErrorIs(t, ahead, ErrPeerBehind)
	require.Equal(t, "channel: channel_reestablish: next_commitment_number 9 is ahead of ours (at most 7): the channel is stopped", ahead.Error())
	require.Equal(t, ahead.Error(), "channel: "+ahead.PeerMessage())

	rule := ruleErr(RuleReestablishNextRevocationNumber, "x")
	for _, target := range []error{ErrPeerProvedBehind, ErrPeerBehind, ErrPeerAhead} {
		require.NotErrorIs(t, rule, target)
	}
}

// TestReestablishInvalidState: an inconsistent state is our bug, reported
// as errReestablishState, never as the peer's fault.
func TestReestablishInvalidState(t *testing.T) {
	signer := reestablishTestSigner{t: t, s: reestablishTestKeys(1, 1)}
	msg := &wire.ChannelReestablish{NextCommitmentNumber: 1}
	for name, st := range map[string]*reestablishState{
		"nil":                       nil,
		"no signer":                 {nextHolderCommitment: 1},
		"zero holder":               {signer: signer},
		"holder above 2^48-1":       {nextHolderCommitment: 1 << 48, signer: signer},
		"revocation above 2^48-3":   {nextHolderCommitment: 1, nextRevocation: reestablishMax48 - 1, theirLastSecretNumber: reestablishMax48 - 2, signer: signer},
		"their secret of the wrong": {nextHolderCommitment: 1, nextRevocation: 3, theirLastSecretNumber: 1, signer: signer},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := reestablishReceive(st, msg)
			require.ErrorIs(t, err, errReestablishState)
			require.NotErrorIs(t, err, ErrRuleViolated)
			_, err = reestablishMessage(st, reestablishChannelID)
			require.ErrorIs(t, err, errReestablishState)
		})
	}
}

func TestReestablishStepString(t *testing.T) {
	require.Equal(t, "channel_ready", reestablishStepReady.String())
	require.Equal(t, "revoke_and_ack", reestablishStepRAA.String())
	require.Equal(t, "commitment_signed", reestablishStepCommit.String())
	require.Equal(t, "shutdown", reestablishStepShutdown.String())
	require.Equal(t, "tx_abort", reestablishStepAbort.String())
	require.Equal(t, "reestablishStep(0)", reestablishStep(0).String())
}
