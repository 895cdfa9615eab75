package channel

import (
	"crypto/subtle"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// The bits of FuzzReestablishReceive's flags: our state's booleans, and
// whether to replace the message's secret with our real secret of
// next_revocation_number - 1 (so that proofs of data loss are reached).
const (
	reestablishFuzzPending uint8 = 1 << iota
	reestablishFuzzRevokeLast
	reestablishFuzzReady
	reestablishFuzzShutdown
	reestablishFuzzClosing
	reestablishFuzzOurSecret
)

// reestablishFuzzFlags encodes a table row's state booleans.
func reestablishFuzzFlags(row *reestablishRow) uint8 {
	var f uint8
	for bit, on := range map[uint8]bool{reestablishFuzzPending: row.pending, reestablishFuzzRevokeLast: row.raaLast,
		reestablishFuzzReady: row.ready, reestablishFuzzShutdown: row.shutdown, reestablishFuzzClosing: row.closing} {
		if on {
			f |= bit
		}
	}
	return f
}

// FuzzReestablishReceive feeds every decodable channel_reestablish to
// reestablishReceive against any valid state: it never panics nor asks the
// signer for a number above 2^48-1, fails only with a *RuleError, a
// *ProvedBehindError, a *PeerAheadError or a *PeerBehindError, reports a
// proof exactly when there is one, and what it accepts satisfies BOLT 2's
// rows. The seeds are the rows of the table test.
func FuzzReestablishReceive(f *testing.F) {
	for i := range reestablishRows {
		row := &reestablishRows[i]
		b, err := row.message(f, reestablishTestKeys(1, 1)).Encode(nil)
		require.NoError(f, err)
		f.Add(b, row.h-1, row.r, reestablishFuzzFlags(row))
	}
	ours := reestablishTestKeys(1, 1)
	f.Fuzz(func(t *testing.T, data []byte, h, r uint64, flags uint8) {
		var msg wire.ChannelReestablish
		if msg.Decode(data) != nil {
			return
		}
		st := &reestablishState{
			nextHolderCommitment:    1 + h%reestablishMax48,     // [1, 2^48-1]
			nextRevocation:          r % (reestablishMax48 - 1), // [0, 2^48-3]
			commitmentSignedPending: flags&reestablishFuzzPending != 0,
			revokeAndAckLast:        flags&reestablishFuzzRevokeLast != 0,
			channelReadySent:        flags&reestablishFuzzReady != 0,
			shutdownSent:            flags&reestablishFuzzShutdown != 0,
			closingSignedReceived:   flags&reestablishFuzzClosing != 0,
			signer:                  reestablishTestSigner{t: t, s: ours},
		}
		if st.nextRevocation > 0 {
			st.theirLastSecretNumber = st.nextRevocation - 1
		}
		nrn, ncn, hh := msg.NextRevocationNumber, msg.NextCommitmentNumber, st.nextHolderCommitment
		if flags&reestablishFuzzOurSecret != 0 && nrn >= 1 && nrn-1 <= reestablishMax48 {
			msg.YourLastPerCommitmentSecret = reestablishSecret(t, ours, nrn-1)
		}
		proof := nrn >= hh && nrn-1 <= reestablishMax48 &&
			subtle.ConstantTimeCompare(msg.YourLastPerCommitmentSecret[:], reestablishSecretBytes(t, ours, nrn-1)) == 1

		act, err := reestablishReceive(st, &msg)
		require.Equal(t, proof, errors.Is(err, ErrPeerProvedBehind), "proof %t, err %v", proof, err)
		if err != nil {
			var re *RuleError
			var be *ProvedBehindError
			var pb *PeerBehindError
			var pa *PeerAheadError
			require.True(t, errors.As(err, &re) || errors.As(err, &be) || errors.As(err, &pb) || errors.As(err, &pa),
				"untyped error %v", err)
			if pa != nil {
				require.Greater(t, ncn, st.nextCommitmentSigned())
			}
			if pb != nil {
				require.True(t, ncn <= st.nextRevocation || (hh >= 3 && nrn < hh-2), "peer not behind: %v", err)
			}
			return
		}

		// Accepted: the numbers are those BOLT 2 allows.
		require.Less(t, nrn, hh)
		require.NotZero(t, ncn)
		resendRAA := slices.Contains(act.steps, reestablishResendRevokeAndAck)
		resendCommit := slices.Contains(act.steps, reestablishResendCommitmentSigned)
		require.Equal(t, resendRAA, hh >= 2 && nrn == hh-2)
		require.True(t, resendRAA || nrn == hh-1)
		require.False(t, resendRAA && st.closingSignedReceived)
		require.Equal(t, resendCommit, st.commitmentSignedPending && ncn == st.nextRevocation+1)
		require.True(t, resendCommit || ncn == st.nextCommitmentSigned())
		if resendCommit {
			require.Equal(t, ncn, act.commitmentNumber)
		}
		if nrn > 0 {
			require.Equal(t, reestablishSecret(t, ours, nrn-1), msg.YourLastPerCommitmentSecret)
		}

		// The steps: no duplicates, channel_ready first, shutdown after the
		// commitment messages, tx_abort last.
		want := []reestablishStep{}
		if st.channelReadySent && hh == 1 && ncn == 1 {
			want = append(want, reestablishResendChannelReady)
		}
		pair := []reestablishStep{reestablishResendRevokeAndAck, reestablishResendCommitmentSigned}
		if st.revokeAndAckLast {
			slices.Reverse(pair)
		}
		for _, s := range pair {
			if (s == reestablishResendRevokeAndAck && resendRAA) || (s == reestablishResendCommitmentSigned && resendCommit) {
				want = append(want, s)
			}
		}
		if st.shutdownSent {
			want = append(want, reestablishResendShutdown)
		}
		if msg.NextFunding.Present {
			want = append(want, reestablishSendTxAbort)
		}
		require.Equal(t, want, append([]reestablishStep{}, act.steps...))
		require.Equal(t, resendRAA, act.revokeAndAck != nil)
	})
}

// reestablishSecretBytes returns our secret of n, or nil when n is beyond
// any commitment.
func reestablishSecretBytes(t testing.TB, ours *keys.InMemorySigner, n uint64) []byte {
	if n > reestablishMax48 {
		return nil
	}
	secret := reestablishSecret(t, ours, n)
	return secret[:]
}
