package channel

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// reestablishSimMsg is a commitment message in flight in the model: a
// commitment_signed (its number) or a revoke_and_ack.
type reestablishSimMsg struct {
	commitment uint64
	raa        *wire.RevokeAndAck
}

// reestablishSim is a model of two nodes exchanging commitment_signed and
// revoke_and_ack (no HTLC content), whose durable state is a
// reestablishState, with a history of every state each node persisted.
type reestablishSim struct {
	t        *testing.T
	keys     [2]*keys.InMemorySigner
	st       [2]reestablishState
	inflight [2][]reestablishSimMsg // inflight[i]: messages to node i, in order
	history  [2][]reestablishState
}

func newReestablishSim(t *testing.T) *reestablishSim {
	s := &reestablishSim{t: t, keys: [2]*keys.InMemorySigner{reestablishTestKeys(1, 1), reestablishTestKeys(2, 2)}}
	for i := range s.st {
		s.st[i] = reestablishState{nextHolderCommitment: 1, channelReadySent: true,
			signer: reestablishTestSigner{t: t, s: s.keys[i]}}
		s.history[i] = append(s.history[i], s.st[i])
	}
	return s
}

// persist records node i's state as durable.
func (s *reestablishSim) persist(i int) { s.history[i] = append(s.history[i], s.st[i]) }

// sendCommitment has node i sign the peer's next commitment, if it may.
func (s *reestablishSim) sendCommitment(i int) {
	st := &s.st[i]
	if st.commitmentSignedPending {
		return
	}
	st.commitmentSignedPending, st.revokeAndAckLast = true, false
	s.persist(i)
	s.inflight[1-i] = append(s.inflight[1-i], reestablishSimMsg{commitment: st.nextRevocation + 1})
}

// deliver hands node i its next message in flight and applies it as the
// protocol does, failing the test on any message out of sequence.
func (s *reestablishSim) deliver(i int) {
	t, st := s.t, &s.st[i]
	m := s.inflight[i][0]
	s.inflight[i] = s.inflight[i][1:]
	if m.raa == nil {
		require.Equal(t, st.nextHolderCommitment, m.commitment, "node %d: commitment_signed out of sequence", i)
		st.nextHolderCommitment++
		st.revokeAndAckLast = true
		raa, err := st.rebuildRevokeAndAck(reestablishChannelID)
		require.NoError(t, err)
		s.persist(i)
		s.inflight[1-i] = append(s.inflight[1-i], reestablishSimMsg{raa: raa})
		return
	}
	require.True(t, st.commitmentSignedPending, "node %d: revoke_and_ack without commitment_signed", i)
	peer := s.keys[1-i]
	require.Equal(t, reestablishSecret(t, peer, st.nextRevocation), m.raa.PerCommitmentSecret, "node %d: wrong secret", i)
	require.Equal(t, reestablishPointOf(t, peer, st.nextRevocation+2), m.raa.NextPerCommitmentPoint, "node %d: wrong point", i)
	st.theirLastSecret, st.theirLastSecretNumber = m.raa.PerCommitmentSecret, st.nextRevocation
	st.nextRevocation++
	st.commitmentSignedPending = false
	s.persist(i)
}

// reconnect drops what is in flight, exchanges channel_reestablish, queues
// the retransmissions, delivers everything, and checks both nodes agree.
func (s *reestablishSim) reconnect() {
	t := s.t
	s.inflight = [2][]reestablishSimMsg{}
	var msgs [2]*wire.ChannelReestablish
	for i := range msgs {
		m, err := reestablishMessage(&s.st[i], reestablishChannelID)
		require.NoError(t, err)
		msgs[i] = m
	}
	bothNew := s.st[0].nextHolderCommitment == 1 && s.st[1].nextHolderCommitment == 1
	for i := range msgs {
		act, err := reestablishReceive(&s.st[i], msgs[1-i])
		require.NoError(t, err, "node %d", i)
		require.Equal(t, bothNew, len(act.steps) > 0 && act.steps[0] == reestablishResendChannelReady)
		for _, step := range act.steps {
			switch step {
			case reestablishResendCommitmentSigned:
				s.inflight[1-i] = append(s.inflight[1-i], reestablishSimMsg{commitment: act.commitmentNumber})
			case reestablishResendRevokeAndAck:
				s.inflight[1-i] = append(s.inflight[1-i], reestablishSimMsg{raa: act.revokeAndAck})
			}
		}
	}
	for len(s.inflight[0])+len(s.inflight[1]) > 0 {
		for i := range s.inflight {
			if len(s.inflight[i]) > 0 {
				s.deliver(i)
			}
		}
	}
	for i := range s.st {
		a, b := &s.st[i], &s.st[1-i]
		require.False(t, a.commitmentSignedPending, "node %d", i)
		require.Equal(t, a.nextRevocation, b.nextHolderCommitment-1, "node %d", i)
	}
}

// checkRestore restores node i from its k-th durable state (an old backup)
// and checks both decisions: the restored node must see the proof exactly
// when the peer holds its revocation of the commitment it would broadcast,
// and otherwise at most suspect it (never broadcast on a rule violation),
// and the up-to-date node sees the restored one as behind (or in sync),
// never as breaking a rule: it must not force-close. An honest peer never
// causes a *RuleError.
func (s *reestablishSim) checkRestore(i, k int) {
	t := s.t
	old, cur := s.history[i][k], s.st[1-i]
	mOld, err := reestablishMessage(&old, reestablishChannelID)
	require.NoError(t, err)
	mCur, err := reestablishMessage(&cur, reestablishChannelID)
	require.NoError(t, err)

	_, err = reestablishReceive(&old, mCur)
	if cur.nextRevocation >= old.nextHolderCommitment {
		require.ErrorIs(t, err, ErrPeerProvedBehind, "restored node %d from state %d: %v, peer %v", i, k, old, cur)
	} else if err != nil {
		// Behind on what it signed only: unproven, it stops without
		// broadcasting.
		require.ErrorIs(t, err, ErrPeerAhead)
	}
	// The up-to-date node sees an older peer, never a lying one.
	_, err = reestablishReceive(&cur, mOld)
	if err != nil {
		require.ErrorIs(t, err, ErrPeerBehind)
	}
}

// TestReestablishModel walks random exchanges with disconnections: every
// reconnection resynchronises both nodes through the retransmissions the
// component asks for, and every restore from an old state is caught when
// the peer can prove it.
func TestReestablishModel(t *testing.T) {
	walks, steps := 150, 40
	if testing.Short() {
		walks = 30
	}
	for w := range walks {
		rng := rand.New(rand.NewPCG(uint64(w), 0x5eed))
		s := newReestablishSim(t)
		for range steps {
			i := rng.IntN(2)
			switch r := rng.IntN(10); {
			case r < 4:
				s.sendCommitment(i)
			case r < 8:
				if len(s.inflight[i]) > 0 {
					s.deliver(i)
				}
			case r < 9:
				s.reconnect()
			default:
				s.checkRestore(i, rng.IntN(len(s.history[i])))
			}
		}
		s.reconnect()
		for i := range s.history {
			for k := range s.history[i] {
				s.checkRestore(i, k)
			}
		}
	}
}
