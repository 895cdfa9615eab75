package channel

import (
	"slices"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// commitmentHTLCContent has four HTLCs above the dust limit, two offered
// by each side.
func commitmentHTLCContent() commitmentContent {
	c := commitmentContent{a: 500_000_000, b: 300_000_000, feeRate: 2500}
	for i := range 4 {
		h := commit.HTLC{ID: uint64(i), Offerer: commit.Side(i % 2), Amount: 50_000_000, CLTVExpiry: 600_000 + uint32(i)}
		h.PaymentHash[0] = byte(i + 1)
		c.htlcs = append(c.htlcs, h)
	}
	return c
}

// negateS returns the signature with s replaced by n-s: valid ECDSA, but
// high-S.
func negateS(sig wire.Signature) wire.Signature {
	var s btcec.ModNScalar
	s.SetByteSlice(sig[32:])
	s.Negate()
	b := s.Bytes()
	copy(sig[32:], b[:])
	return sig
}

// chainSnapshot is the persisted form of a chain, to show an error left
// it unchanged.
func chainSnapshot(t testing.TB, c *commitmentChain) []byte {
	t.Helper()
	b, err := encodeCommitmentChain(c)
	require.NoError(t, err)
	return b
}

func TestCommitmentSignedHostile(t *testing.T) {
	for _, typ := range []commit.ChannelType{commit.StaticRemoteKey, commit.AnchorsZeroFeeHTLC} {
		t.Run(typ.String(), func(t *testing.T) {
			pr := newCommitmentPair(t, typ)
			content := commitmentHTLCContent()
			good, view := pr.sign(t, pr.a, content)
			require.Len(t, good.HTLCSignatures, 4)
			// The same commitment signed with SIGHASH_ALL HTLC signatures
			// (what an owner signs): wrong for the counterparty with anchors.
			wrongHash := func() *wire.CommitmentSigned {
				st := view
				st.PerCommitmentPoint = commitmentPoint(t, pr.b.signer, st.Number)
				theirs := content.view(false, st.Number)
				theirs.PerCommitmentPoint = st.PerCommitmentPoint
				cm, err := pr.a.ch.Build(commit.Remote, &theirs)
				require.NoError(t, err)
				sigs, err := cm.SignAsOwner(pr.a.signer)
				require.NoError(t, err)
				return &wire.CommitmentSigned{ChannelID: pr.id, Signature: sigs.Commitment, HTLCSignatures: sigs.HTLCs}
			}
			mutate := func(f func(m *wire.CommitmentSigned)) func() *wire.CommitmentSigned {
				return func() *wire.CommitmentSigned {
					m := *good
					m.HTLCSignatures = slices.Clone(good.HTLCSignatures)
					f(&m)
					return &m
				}
			}
			otherFee := view
			otherFee.FeeRate++
			tests := []struct {
				name string
				msg  func() *wire.CommitmentSigned
				view commit.State
				rule Rule
				skip bool
			}{
				{name: "commitment signature flipped", msg: mutate(func(m *wire.CommitmentSigned) { m.Signature[10] ^= 1 }), view: view, rule: RuleCommitmentSignedSignature},
				{name: "commitment signature high-S", msg: mutate(func(m *wire.CommitmentSigned) { m.Signature = negateS(m.Signature) }), view: view, rule: RuleCommitmentSignedSignature},
				{name: "commitment signature zero", msg: mutate(func(m *wire.CommitmentSigned) { m.Signature = wire.Signature{} }), view: view, rule: RuleCommitmentSignedSignature},
				{name: "signature of another state", msg: mutate(func(*wire.CommitmentSigned) {}), view: otherFee, rule: RuleCommitmentSignedSignature},
				{name: "one htlc signature missing", msg: mutate(func(m *wire.CommitmentSigned) { m.HTLCSignatures = m.HTLCSignatures[1:] }), view: view, rule: RuleCommitmentSignedHTLCSignatureCount},
				{name: "one htlc signature too many", msg: mutate(func(m *wire.CommitmentSigned) {
					m.HTLCSignatures = append(m.HTLCSignatures, m.HTLCSignatures[0])
				}), view: view, rule: RuleCommitmentSignedHTLCSignatureCount},
				{name: "no htlc signatures", msg: mutate(func(m *wire.CommitmentSigned) { m.HTLCSignatures = nil }), view: view, rule: RuleCommitmentSignedHTLCSignatureCount},
				{name: "htlc signatures swapped", msg: mutate(func(m *wire.CommitmentSigned) {
					m.HTLCSignatures[1], m.HTLCSignatures[2] = m.HTLCSignatures[2], m.HTLCSignatures[1]
				}), view: view, rule: RuleCommitmentSignedHTLCSignature},
				{name: "last htlc signature flipped", msg: mutate(func(m *wire.CommitmentSigned) { m.HTLCSignatures[3][40] ^= 0x80 }), view: view, rule: RuleCommitmentSignedHTLCSignature},
				{name: "htlc signature high-S", msg: mutate(func(m *wire.CommitmentSigned) { m.HTLCSignatures[0] = negateS(m.HTLCSignatures[0]) }), view: view, rule: RuleCommitmentSignedHTLCSignature},
				{name: "htlc signatures SIGHASH_ALL with anchors", msg: wrongHash, view: view, rule: RuleCommitmentSignedHTLCSignature, skip: !typ.HasAnchors()},
			}
			for _, tc := range tests {
				if tc.skip {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					before := chainSnapshot(t, pr.b.chain)
					step, raa, err := pr.b.chain.receiveCommitmentSigned(tc.msg(), tc.view)
					require.ErrorIs(t, err, &RuleError{Rule: tc.rule})
					require.Nil(t, step)
					require.Nil(t, raa)
					require.Equal(t, before, chainSnapshot(t, pr.b.chain), "chain unchanged")
				})
			}
			if !typ.HasAnchors() {
				// Without anchors the counterparty signs SIGHASH_ALL too:
				// the owner-style signatures are the right ones.
				_, _, err := pr.b.chain.receiveCommitmentSigned(wrongHash(), view)
				require.NoError(t, err)
				return
			}
			// The genuine message still passes after all the refusals.
			raa := pr.receiveSigned(t, pr.b, good, view)
			pr.receiveRevoke(t, pr.a, raa)
		})
	}
}

func TestCommitmentChainMisuse(t *testing.T) {
	pr := newCommitmentPair(t, commit.AnchorsZeroFeeHTLC)
	content := commitmentHTLCContent()
	c := pr.b.chain
	good, view := pr.sign(t, pr.a, content)

	wrongNumber := view
	wrongNumber.Number = 2
	_, _, err := c.receiveCommitmentSigned(good, wrongNumber)
	require.ErrorIs(t, err, errCommitmentChain)

	wrongPoint := view
	wrongPoint.PerCommitmentPoint = commitmentPoint(t, pr.a.signer, 1)
	_, _, err = c.receiveCommitmentSigned(good, wrongPoint)
	require.ErrorIs(t, err, errCommitmentChain)

	otherChannel := *good
	otherChannel.ChannelID[0] ^= 1
	_, _, err = c.receiveCommitmentSigned(&otherChannel, view)
	require.ErrorIs(t, err, errCommitmentChain)

	_, _, err = c.receiveCommitmentSigned(nil, view)
	require.ErrorIs(t, err, errCommitmentChain)

	unbalanced := view
	unbalanced.LocalBalance++
	_, _, err = c.receiveCommitmentSigned(good, unbalanced)
	require.ErrorIs(t, err, errCommitmentChain)

	// A second commitment_signed of A while its first is outstanding.
	_, _, err = pr.a.chain.signCommitment(content.view(false, 2))
	require.ErrorIs(t, err, errCommitmentChain)
	// Retransmission of a commitment_signed that is not pending.
	_, err = pr.a.chain.retransmitCommitmentSigned(2)
	require.ErrorIs(t, err, errCommitmentChain)
	_, err = pr.b.chain.retransmitCommitmentSigned(1)
	require.ErrorIs(t, err, errCommitmentChain)
	// No revoke_and_ack was sent yet.
	_, err = pr.b.chain.retransmitRevokeAndAck()
	require.ErrorIs(t, err, errCommitmentChain)

	// B signs with the wrong number.
	_, _, err = pr.b.chain.signCommitment(content.view(true, 5))
	require.ErrorIs(t, err, errCommitmentChain)
	// B signs with a point that is not A's next.
	bad := content.view(true, 1)
	bad.PerCommitmentPoint = commitmentPoint(t, pr.a.signer, 2)
	_, _, err = pr.b.chain.signCommitment(bad)
	require.ErrorIs(t, err, errCommitmentChain)
}

func TestRevokeAndAckHostile(t *testing.T) {
	pr := newCommitmentPair(t, commit.StaticRemoteKey)
	content := commitmentHTLCContent()

	// Out of order: nothing of A's awaits a revoke_and_ack.
	early := &wire.RevokeAndAck{ChannelID: pr.id, NextPerCommitmentPoint: wire.NewPoint(commitmentPoint(t, pr.b.signer, 2))}
	early.PerCommitmentSecret, _ = pr.b.signer.PerCommitmentSecret(0)
	_, err := pr.a.chain.receiveRevokeAndAck(early)
	require.ErrorIs(t, err, &RuleError{Rule: RuleRevokeAndAckUnexpected})

	msg, view := pr.sign(t, pr.a, content)
	good := pr.receiveSigned(t, pr.b, msg, view)
	secret1, err := pr.b.signer.PerCommitmentSecret(1)
	require.NoError(t, err)
	var overflow wire.PerCommitmentSecret
	for i := range overflow {
		overflow[i] = 0xff
	}
	mutate := func(f func(m *wire.RevokeAndAck)) *wire.RevokeAndAck {
		m := *good
		f(&m)
		return &m
	}
	tests := []struct {
		name string
		msg  *wire.RevokeAndAck
		rule Rule
	}{
		{"secret of another commitment", mutate(func(m *wire.RevokeAndAck) { m.PerCommitmentSecret = secret1 }), RuleRevokeAndAckPerCommitmentSecret},
		{"secret flipped", mutate(func(m *wire.RevokeAndAck) { m.PerCommitmentSecret[31] ^= 1 }), RuleRevokeAndAckPerCommitmentSecret},
		{"secret zero", mutate(func(m *wire.RevokeAndAck) { m.PerCommitmentSecret = wire.PerCommitmentSecret{} }), RuleRevokeAndAckPerCommitmentSecret},
		{"secret above the order", mutate(func(m *wire.RevokeAndAck) { m.PerCommitmentSecret = overflow }), RuleRevokeAndAckPerCommitmentSecret},
		{"next point not on the curve", mutate(func(m *wire.RevokeAndAck) { m.NextPerCommitmentPoint = wire.Point{0x02} }), RuleRevokeAndAckNextPerCommitmentPoint},
		{"next point bad prefix", mutate(func(m *wire.RevokeAndAck) { m.NextPerCommitmentPoint[0] = 0x05 }), RuleRevokeAndAckNextPerCommitmentPoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := chainSnapshot(t, pr.a.chain)
			step, err := pr.a.chain.receiveRevokeAndAck(tc.msg)
			require.ErrorIs(t, err, &RuleError{Rule: tc.rule})
			require.Nil(t, step)
			require.Equal(t, before, chainSnapshot(t, pr.a.chain))
		})
	}
	otherChannel := *good
	otherChannel.ChannelID[3] ^= 1
	_, err = pr.a.chain.receiveRevokeAndAck(&otherChannel)
	require.ErrorIs(t, err, errCommitmentChain)
	_, err = pr.a.chain.receiveRevokeAndAck(nil)
	require.ErrorIs(t, err, errCommitmentChain)

	pr.receiveRevoke(t, pr.a, good)
	// The same revoke_and_ack again: nothing awaits it any more.
	_, err = pr.a.chain.receiveRevokeAndAck(good)
	require.ErrorIs(t, err, &RuleError{Rule: RuleRevokeAndAckUnexpected})
}

// TestRevokeAndAckShachain: a peer whose secret matches the point it gave
// but not its earlier secrets (not one shachain) is refused.
func TestRevokeAndAckShachain(t *testing.T) {
	pr := newCommitmentPair(t, commit.StaticRemoteKey)
	a := pr.a.chain
	var rogue [32]byte
	rogue[0], rogue[31] = 7, 9
	// B announced (as its commitment 1's point) the point of a secret
	// outside its shachain.
	a.theirNextPoint = keys.PerCommitmentPointFromSecret(rogue)
	_, _, err := a.signCommitment(commitmentHTLCContent().view(false, 1))
	require.NoError(t, err)
	secret0, err := pr.b.signer.PerCommitmentSecret(0)
	require.NoError(t, err)
	_, err = a.receiveRevokeAndAck(&wire.RevokeAndAck{ChannelID: pr.id, PerCommitmentSecret: secret0,
		NextPerCommitmentPoint: wire.NewPoint(commitmentPoint(t, pr.b.signer, 2))})
	require.NoError(t, err)
	_, _, err = a.signCommitment(commitmentNoHTLCContent().view(false, 2))
	require.NoError(t, err)
	before := chainSnapshot(t, a)
	_, err = a.receiveRevokeAndAck(&wire.RevokeAndAck{ChannelID: pr.id, PerCommitmentSecret: rogue,
		NextPerCommitmentPoint: wire.NewPoint(commitmentPoint(t, pr.b.signer, 3))})
	require.ErrorIs(t, err, &RuleError{Rule: RuleRevokeAndAckPerCommitmentSecret})
	require.ErrorContains(t, err, "earlier secrets")
	require.Equal(t, before, chainSnapshot(t, a))
}

// commitmentNoHTLCContent is a content without HTLCs.
func commitmentNoHTLCContent() commitmentContent {
	return commitmentContent{a: 700_000_000, b: 300_000_000, feeRate: wire.FeeRateFloor}
}
