package monitor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
)

// build builds owner's commitment of st on ch.
func build(t testing.TB, ch *commit.Channel, owner commit.Side, st *commit.State) *commit.Commitment {
	t.Helper()
	cm, err := ch.Build(owner, st)
	require.NoError(t, err)
	return cm
}

// TestBuiltHintUsed: a hint that is exactly the commitment the monitor
// would build is kept in place of a new one, for both kinds of step.
func TestBuiltHintUsed(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	h := holderStep(t, ch.a, ch.b, 1, aBalance-10_000_000)
	h.Built = build(t, ch.a.ch, commit.Local, h.State)
	require.NoError(t, h.Built.VerifyCounterparty(commit.Signatures{Commitment: h.CounterpartySig, HTLCs: h.HTLCSigs}))
	c := &monitor.NewCounterpartyCommitment{State: state(t, 1, ch.b.signer, aBalance-10_000_000)}
	c.Built = build(t, ch.a.ch, commit.Remote, c.State)
	require.NoError(t, ch.a.mon.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{h, c}}))
	require.Same(t, h.Built, monitor.HolderCommitmentOf(ch.a.mon))
	cms := monitor.CounterpartyCommitments(ch.a.mon)
	require.Same(t, c.Built, cms[len(cms)-1])
}

// TestBuiltHintMismatchIgnored: a hint built from anything else than the
// step (another state, owner or channel) is not used: the monitor builds
// its own commitment, the one it builds without a hint.
func TestBuiltHintMismatchIgnored(t *testing.T) {
	tests := []struct {
		name string
		hint func(ch *testChannel, s *monitor.NewHolderCommitment) *commit.Commitment
	}{
		{"other balances", func(ch *testChannel, s *monitor.NewHolderCommitment) *commit.Commitment {
			other := *s.State
			other.LocalBalance -= 1_000_000
			other.RemoteBalance += 1_000_000
			return build(t, ch.a.ch, commit.Local, &other)
		}},
		{"other htlcs", func(ch *testChannel, s *monitor.NewHolderCommitment) *commit.Commitment {
			other := *s.State
			other.HTLCs = []commit.HTLC{{ID: 0, Offerer: commit.Local, Amount: 1_000_000, CLTVExpiry: 500_000}}
			other.LocalBalance -= 1_000_000
			return build(t, ch.a.ch, commit.Local, &other)
		}},
		{"other number", func(ch *testChannel, s *monitor.NewHolderCommitment) *commit.Commitment {
			other := *s.State
			other.Number++
			return build(t, ch.a.ch, commit.Local, &other)
		}},
		{"other owner", func(ch *testChannel, s *monitor.NewHolderCommitment) *commit.Commitment {
			return build(t, ch.a.ch, commit.Remote, s.State)
		}},
		{"other channel", func(ch *testChannel, s *monitor.NewHolderCommitment) *commit.Commitment {
			return build(t, ch.b.ch, commit.Local, s.State)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChannel(t, commit.StaticRemoteKey)
			s := holderStep(t, ch.a, ch.b, 1, aBalance-10_000_000)
			want := build(t, ch.a.ch, commit.Local, s.State).TxID()
			s.Built = tc.hint(ch, s)
			require.NotEqual(t, want, s.Built.TxID())
			require.NoError(t, ch.a.mon.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{s}}))
			got := monitor.HolderCommitmentOf(ch.a.mon)
			require.NotSame(t, s.Built, got)
			require.Equal(t, want, got.TxID())
		})
	}
}

// TestBuiltHintCannotPassBadSignatures: a hint whose signatures were
// verified does not let a step with other signatures, or with a state the
// signatures do not sign, through.
func TestBuiltHintCannotPassBadSignatures(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	// Signatures of A's commitment with 20,000 sat less, verified on the
	// commitment they sign, given as the hint of a step whose state has
	// 10,000 sat less.
	signed := holderStep(t, ch.a, ch.b, 1, aBalance-20_000_000)
	hint := build(t, ch.a.ch, commit.Local, signed.State)
	sigs := commit.Signatures{Commitment: signed.CounterpartySig, HTLCs: signed.HTLCSigs}
	require.NoError(t, hint.VerifyCounterparty(sigs))
	wrongState := holderStep(t, ch.a, ch.b, 1, aBalance-10_000_000)
	wrongState.CounterpartySig, wrongState.HTLCSigs, wrongState.Built = sigs.Commitment, sigs.HTLCs, hint

	// The hint matches the step, but the step's signature is not the one
	// the hint verified.
	badSig := holderStep(t, ch.a, ch.b, 1, aBalance-20_000_000)
	badSig.CounterpartySig[10] ^= 1
	badSig.Built = hint

	before := encoded(t, ch.a.mon)
	for _, s := range []*monitor.NewHolderCommitment{wrongState, badSig} {
		err := ch.a.mon.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{s}})
		require.ErrorIs(t, err, monitor.ErrInvalidUpdate)
		require.ErrorIs(t, err, commit.ErrInvalidSignature)
		require.Equal(t, before, encoded(t, ch.a.mon))
	}
	// The good step with the same hint applies.
	signed.Built = hint
	require.NoError(t, ch.a.mon.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{signed}}))
}

// TestBuiltHintNotEncoded: Encode ignores the hints (the record is the one
// without them) and a decoded step has none.
func TestBuiltHintNotEncoded(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	plain := nextUpdate(t, ch, 1)
	want, err := plain.Encode()
	require.NoError(t, err)
	hinted := nextUpdate(t, ch, 1)
	h := hinted.Steps[0].(*monitor.NewHolderCommitment)
	h.Built = build(t, ch.a.ch, commit.Local, h.State)
	c := hinted.Steps[1].(*monitor.NewCounterpartyCommitment)
	c.Built = build(t, ch.a.ch, commit.Remote, c.State)
	got, err := hinted.Encode()
	require.NoError(t, err)
	require.Equal(t, want, got)
	dec, err := monitor.DecodeUpdate(got)
	require.NoError(t, err)
	require.Nil(t, dec.Steps[0].(*monitor.NewHolderCommitment).Built)
	require.Nil(t, dec.Steps[1].(*monitor.NewCounterpartyCommitment).Built)
	require.Equal(t, plain, dec)

	// The monitor applied from the hinted update encodes as the one
	// applied from the plain update.
	other, err := monitor.Decode(encoded(t, ch.a.mon))
	require.NoError(t, err)
	require.NoError(t, ch.a.mon.Apply(hinted))
	require.NoError(t, other.Apply(plain))
	require.Equal(t, encoded(t, other), encoded(t, ch.a.mon))
}
