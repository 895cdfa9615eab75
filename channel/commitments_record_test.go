package channel

import (
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// commitmentRecordSamples returns encoded chains in several states: new,
// with HTLCs and a pending commitment, after revocations, with no next
// point known; and the configuration to decode them with.
func commitmentRecordSamples(t testing.TB) ([][]byte, commitmentChainConfig) {
	t.Helper()
	pr := newCommitmentPair(t, commit.AnchorsZeroFeeHTLC)
	var out [][]byte
	add := func() { out = append(out, chainSnapshot(t, pr.a.chain)) }
	add() // new
	pr.round(t, pr.a, commitmentHTLCContent())
	pr.round(t, pr.b, commitmentNoHTLCContent())
	pr.round(t, pr.b, commitmentHTLCContent())
	add() // revoked each way, HTLC signatures held
	msg, view := pr.sign(t, pr.a, commitmentHTLCContent())
	add() // pending
	pr.receiveRevoke(t, pr.a, pr.receiveSigned(t, pr.b, msg, view))
	add() // revokeAndAckLast false, next point known
	cfg := pr.a.chain.cfg
	unknown := *pr.a.chain
	unknown.theirNextPoint = nil
	out = append(out, chainSnapshot(t, &unknown))
	return out, cfg
}

func TestCommitmentChainRecordRoundTrip(t *testing.T) {
	samples, cfg := commitmentRecordSamples(t)
	for i, b := range samples {
		c, err := decodeCommitmentChain(b, cfg)
		require.NoError(t, err, "sample %d", i)
		require.Equal(t, b, chainSnapshot(t, c), "sample %d", i)
	}
}

func TestCommitmentChainRecordRefused(t *testing.T) {
	samples, cfg := commitmentRecordSamples(t)
	pending := samples[2]
	c, err := decodeCommitmentChain(pending, cfg)
	require.NoError(t, err)
	reencode := func(f func(c *commitmentChain)) []byte {
		cp := *c
		st := *c.theirPending
		cp.theirPending = &st
		f(&cp)
		b, err := encodeCommitmentChain(&cp)
		require.NoError(t, err)
		return b
	}
	otherSigner := commitmentTestSigner(9)
	tests := []struct {
		name string
		b    []byte
		cfg  commitmentChainConfig
	}{
		{"empty", nil, cfg},
		{"unknown version", append([]byte{2}, pending[1:]...), cfg},
		{"truncated", pending[:len(pending)-1], cfg},
		{"trailing byte", append(append([]byte(nil), pending...), 0), cfg},
		{"signer of another channel", pending, commitmentChainConfig{ch: cfg.ch, signer: otherSigner, id: cfg.id}},
		{"no channel", pending, commitmentChainConfig{signer: cfg.signer}},
		{"pending and next point", reencode(func(c *commitmentChain) { c.theirNextPoint = c.theirs.PerCommitmentPoint }), cfg},
		{"pending number gap", reencode(func(c *commitmentChain) { c.theirPending.Number++ }), cfg},
		{"secrets missing", reencode(func(c *commitmentChain) { c.secrets = keys.SecretStore{} }), cfg},
		{"htlc signature missing", reencode(func(c *commitmentChain) { c.holderSigs.HTLCs = c.holderSigs.HTLCs[1:] }), cfg},
		{"holder unbalanced", reencode(func(c *commitmentChain) { c.holder.LocalBalance++ }), cfg},
		{"counterparty number at the limit", reencode(func(c *commitmentChain) {
			c.theirs.Number, c.theirPending = keys.MaxCommitmentNumber, nil
		}), cfg},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeCommitmentChain(tc.b, tc.cfg)
			require.ErrorIs(t, err, ErrCorruptRecord)
		})
	}
}

// TestCommitmentChainNumberBounds: numbers at 2^48-1 give errors before
// they reach keys, never a panic.
func TestCommitmentChainNumberBounds(t *testing.T) {
	pr := newCommitmentPair(t, commit.StaticRemoteKey)
	c := pr.a.chain

	atLimit := *c
	atLimit.holder.Number = keys.MaxCommitmentNumber - 1
	_, _, err := atLimit.receiveCommitmentSigned(&wire.CommitmentSigned{ChannelID: pr.id},
		commitmentNoHTLCContent().view(false, keys.MaxCommitmentNumber))
	require.ErrorIs(t, err, errCommitmentChain)

	above := *c
	above.holder.Number = keys.MaxCommitmentNumber + 5
	_, _, err = above.receiveCommitmentSigned(&wire.CommitmentSigned{ChannelID: pr.id},
		commitmentNoHTLCContent().view(false, keys.MaxCommitmentNumber+6))
	require.Error(t, err)
	_, err = above.retransmitRevokeAndAck()
	require.Error(t, err)

	theirs := *c
	theirs.theirs.Number = keys.MaxCommitmentNumber + 1
	st := commitmentNoHTLCContent().view(false, 0)
	theirs.theirPending = &st
	_, err = theirs.receiveRevokeAndAck(&wire.RevokeAndAck{ChannelID: pr.id, PerCommitmentSecret: wire.PerCommitmentSecret{1}})
	require.ErrorIs(t, err, errCommitmentChain)
	var rs reestablishState
	require.ErrorIs(t, theirs.fillReestablishState(&rs), errCommitmentChain)
}

// TestCommitmentChainRedacted: no verb or log prints a secret.
func TestCommitmentChainRedacted(t *testing.T) {
	pr := newCommitmentPair(t, commit.StaticRemoteKey)
	pr.round(t, pr.a, commitmentHTLCContent())
	secret, err := pr.b.signer.PerCommitmentSecret(0)
	require.NoError(t, err)
	c := pr.a.chain
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("chain", "c", c)
	for _, out := range []string{fmt.Sprintf("%v %+v %#v %s %x", c, c, c, c, c), fmt.Sprintf("%v", *c), logged.String()} {
		require.NotContains(t, out, hex.EncodeToString(secret[:]))
		require.NotContains(t, out, fmt.Sprintf("%x", secret[:4]))
	}
	require.Contains(t, c.String(), "holder=0 counterparty=1")
}
