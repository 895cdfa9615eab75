package commit

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// TestBuiltFrom: a commitment is BuiltFrom exactly its channel (or one
// with equal parameters), owner and state.
func TestBuiltFrom(t *testing.T) {
	s := newBenchSetup(t, AnchorsZeroFeeHTLC, 4)
	cm, err := s.ch.Build(Remote, s.st)
	require.NoError(t, err)
	twin, err := New(s.ch.Params())
	require.NoError(t, err)
	p := s.ch.Params()
	p.Remote.CSVDelay++
	other, err := New(p)
	require.NoError(t, err)
	clone := func(f func(st *State)) *State {
		st := *s.st
		st.HTLCs = append([]HTLC(nil), s.st.HTLCs...)
		f(&st)
		return &st
	}
	tests := []struct {
		name  string
		ch    *Channel
		owner Side
		st    *State
		want  bool
	}{
		{"same", s.ch, Remote, s.st, true},
		{"equal params and state", twin, Remote, clone(func(*State) {}), true},
		{"other params", other, Remote, s.st, false},
		{"other owner", s.ch, Local, s.st, false},
		{"other number", s.ch, Remote, clone(func(st *State) { st.Number++ }), false},
		{"other point", s.ch, Remote, clone(func(st *State) { st.PerCommitmentPoint = must(s.local.PerCommitmentPoint(1000)) }), false},
		{"other fee rate", s.ch, Remote, clone(func(st *State) { st.FeeRate++ }), false},
		{"other balances", s.ch, Remote, clone(func(st *State) { st.LocalBalance--; st.RemoteBalance++ }), false},
		{"other htlc", s.ch, Remote, clone(func(st *State) { st.HTLCs[2].CLTVExpiry++ }), false},
		{"htlcs reordered", s.ch, Remote, clone(func(st *State) { st.HTLCs[0], st.HTLCs[1] = st.HTLCs[1], st.HTLCs[0] }), false},
		{"htlc dropped", s.ch, Remote, clone(func(st *State) { st.HTLCs = st.HTLCs[1:] }), false},
		{"nil channel", nil, Remote, s.st, false},
		{"nil state", s.ch, Remote, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, cm.BuiltFrom(tc.ch, tc.owner, tc.st))
		})
	}
	// The state kept is a copy: changing the caller's does not change it.
	s.st.HTLCs[0].Amount++
	require.False(t, cm.BuiltFrom(s.ch, Remote, s.st))
}

// TestVerifyRemembersOnlyGoodSignatures: a commitment recalls the last
// signatures it verified, and only those: other signatures, or the same
// ones checked as the other party's, are verified.
func TestVerifyRemembersOnlyGoodSignatures(t *testing.T) {
	s := newBenchSetup(t, AnchorsZeroFeeHTLC, 4)
	s.st.PerCommitmentPoint = must(s.local.PerCommitmentPoint(1000))
	cm, err := s.ch.Build(Local, s.st)
	require.NoError(t, err)
	sigs, err := cm.SignAsCounterparty(s.remote)
	require.NoError(t, err)
	require.Len(t, sigs.HTLCs, 4)
	require.NoError(t, cm.VerifyCounterparty(sigs))
	require.NotNil(t, cm.verified.Load())
	require.NoError(t, cm.VerifyCounterparty(sigs), "recalled")

	bad := Signatures{Commitment: sigs.Commitment, HTLCs: append([]wire.Signature(nil), sigs.HTLCs...)}
	bad.HTLCs[3][5] ^= 1
	var se *SignatureError
	require.ErrorAs(t, cm.VerifyCounterparty(bad), &se)
	require.Equal(t, 3, se.Index)
	bad = Signatures{Commitment: sigs.Commitment, HTLCs: append([]wire.Signature(nil), sigs.HTLCs...)}
	bad.Commitment[7] ^= 1
	require.ErrorIs(t, cm.VerifyCounterparty(bad), ErrInvalidSignature)
	require.Error(t, cm.VerifyOwner(sigs), "the counterparty's signatures are not the owner's")

	// Changing the caller's slice after a verification changes nothing.
	sigs.HTLCs[0][9] ^= 1
	require.ErrorIs(t, cm.VerifyCounterparty(sigs), ErrInvalidSignature)
}
