package channel

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// commitmentFuzzFixture is a channel (anchors) where B awaits both A's
// commitment_signed (four HTLCs) and A's revoke_and_ack of B's last
// commitment_signed: B's persisted chain, the genuine messages and B's
// view of the commitment A signed.
type commitmentFuzzFixture struct {
	cfgB   commitmentChainConfig
	chainB []byte
	cs     *wire.CommitmentSigned
	view   commit.State
	raa    *wire.RevokeAndAck
}

func newCommitmentFuzzFixture(t testing.TB) *commitmentFuzzFixture {
	t.Helper()
	pr := newCommitmentPair(t, commit.AnchorsZeroFeeHTLC)
	pr.round(t, pr.b, commitmentHTLCContent())
	// B signs and A revokes, but A's revoke_and_ack is held back; then A
	// signs, and its commitment_signed is held back too.
	csB, viewA := pr.sign(t, pr.b, commitmentNoHTLCContent())
	raa := pr.receiveSigned(t, pr.a, csB, viewA)
	fx := &commitmentFuzzFixture{cfgB: pr.b.chain.cfg, raa: raa}
	fx.cs, fx.view = pr.sign(t, pr.a, commitmentHTLCContent())
	fx.chainB = chainSnapshot(t, pr.b.chain)
	return fx
}

// FuzzCommitmentMessages feeds hostile commitment_signed and
// revoke_and_ack payloads to a chain awaiting both: no panic, an error is
// a RuleError or errCommitmentChain and leaves the chain unchanged, and
// only the genuine signatures or secret are ever accepted.
func FuzzCommitmentMessages(f *testing.F) {
	fx := newCommitmentFuzzFixture(f)
	cs, err := fx.cs.Encode(nil)
	require.NoError(f, err)
	raa, err := fx.raa.Encode(nil)
	require.NoError(f, err)
	f.Add(byte(0), cs)
	f.Add(byte(1), raa)
	f.Add(byte(0), cs[:len(cs)-64])
	f.Add(byte(1), raa[:40])
	flipped := bytes.Clone(cs)
	flipped[32+64+2+10] ^= 1
	f.Add(byte(0), flipped)
	zeroSecret := bytes.Clone(raa)
	clear(zeroSecret[32:64])
	f.Add(byte(1), zeroSecret)
	f.Fuzz(func(t *testing.T, kind byte, payload []byte) {
		// B receives both: A's commitment_signed and A's revoke_and_ack.
		c, err := decodeCommitmentChain(fx.chainB, fx.cfgB)
		require.NoError(t, err)
		if kind%2 == 0 {
			var m wire.CommitmentSigned
			if m.Decode(payload) != nil {
				return
			}
			step, out, err := c.receiveCommitmentSigned(&m, fx.view)
			if err != nil {
				checkCommitmentFuzzError(t, err, c, fx.chainB)
				return
			}
			require.Equal(t, fx.cs.Signature, m.Signature)
			require.Equal(t, fx.cs.HTLCSignatures, m.HTLCSignatures)
			require.NotNil(t, step)
			require.NotNil(t, out)
			return
		}
		var m wire.RevokeAndAck
		if m.Decode(payload) != nil {
			return
		}
		step, err := c.receiveRevokeAndAck(&m)
		if err != nil {
			checkCommitmentFuzzError(t, err, c, fx.chainB)
			return
		}
		require.Equal(t, fx.raa.PerCommitmentSecret, m.PerCommitmentSecret)
		require.Equal(t, [32]byte(m.PerCommitmentSecret), step.Secret)
	})
}

// checkCommitmentFuzzError checks a refusal: a peer's rule or a channel id
// that is not ours, and the chain as it was.
func checkCommitmentFuzzError(t *testing.T, err error, c *commitmentChain, before []byte) {
	t.Helper()
	var re *RuleError
	require.True(t, errors.As(err, &re) || errors.Is(err, errCommitmentChain), "unexpected error %v", err)
	require.Equal(t, before, chainSnapshot(t, c))
}

// FuzzCommitmentChainRecord decodes hostile persisted chains: no panic,
// errors match ErrCorruptRecord, and what decodes encodes back to the same
// bytes.
func FuzzCommitmentChainRecord(f *testing.F) {
	samples, cfg := commitmentRecordSamples(f)
	for _, s := range samples {
		f.Add(s)
	}
	f.Add([]byte{})
	f.Add([]byte{commitmentChainVersion})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCommitmentChain(b, cfg)
		if err != nil {
			require.ErrorIs(t, err, ErrCorruptRecord)
			return
		}
		require.Equal(t, b, chainSnapshot(t, c))
		var st reestablishState
		require.NoError(t, c.fillReestablishState(&st))
		require.NoError(t, st.validate())
	})
}

// TestCommitmentFuzzFixture: the fuzz fixture's genuine messages are
// accepted, so the fuzz target's success branch is reachable.
func TestCommitmentFuzzFixture(t *testing.T) {
	fx := newCommitmentFuzzFixture(t)
	c, err := decodeCommitmentChain(fx.chainB, fx.cfgB)
	require.NoError(t, err)
	_, _, err = c.receiveCommitmentSigned(fx.cs, fx.view)
	require.NoError(t, err)
	_, err = c.receiveRevokeAndAck(fx.raa)
	require.NoError(t, err)
}
