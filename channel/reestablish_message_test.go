package channel

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

func TestReestablishMessage(t *testing.T) {
	ours := reestablishTestKeys(1, 1)
	theirSecret := reestablishSecret(t, reestablishTestKeys(2, 2), 5)
	cases := []struct {
		name string
		st   reestablishState
		want wire.ChannelReestablish
	}{
		{"new channel: 1, 0, zero secret, point of commitment 0",
			reestablishState{nextHolderCommitment: 1},
			wire.ChannelReestablish{NextCommitmentNumber: 1, MyCurrentPerCommitmentPoint: reestablishPointOf(t, ours, 0)}},
		{"next revocation 0: zeroes whatever is stored",
			reestablishState{nextHolderCommitment: 2, theirLastSecret: theirSecret, commitmentSignedPending: true},
			wire.ChannelReestablish{NextCommitmentNumber: 2, MyCurrentPerCommitmentPoint: reestablishPointOf(t, ours, 1)}},
		{"after HTLCs: the last secret they gave",
			reestablishState{nextHolderCommitment: 9, nextRevocation: 6, theirLastSecret: theirSecret, theirLastSecretNumber: 5},
			wire.ChannelReestablish{NextCommitmentNumber: 9, NextRevocationNumber: 6, YourLastPerCommitmentSecret: theirSecret,
				MyCurrentPerCommitmentPoint: reestablishPointOf(t, ours, 8)}},
		{"at the top of the range",
			reestablishState{nextHolderCommitment: reestablishMax48, nextRevocation: reestablishMax48 - 2,
				theirLastSecret: theirSecret, theirLastSecretNumber: reestablishMax48 - 3},
			wire.ChannelReestablish{NextCommitmentNumber: reestablishMax48, NextRevocationNumber: reestablishMax48 - 2,
				YourLastPerCommitmentSecret: theirSecret, MyCurrentPerCommitmentPoint: reestablishPointOf(t, ours, reestablishMax48-1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := c.st
			st.signer = reestablishTestSigner{t: t, s: ours}
			got, err := reestablishMessage(&st, reestablishChannelID)
			require.NoError(t, err)
			want := c.want
			want.ChannelID = reestablishChannelID
			require.Equal(t, &want, got)

			// It encodes, and decodes to itself with a valid point.
			b, err := got.Encode(nil)
			require.NoError(t, err)
			var back wire.ChannelReestablish
			require.NoError(t, back.Decode(b))
			require.Equal(t, *got, back)
			require.True(t, back.MyCurrentPerCommitmentPoint.IsValid())
		})
	}
}

// TestReestablishStateRedacted: no verb and no log prints the peer's
// secret.
func TestReestablishStateRedacted(t *testing.T) {
	secret := wire.PerCommitmentSecret{0xab, 0xcd, 0xef, 0x12}
	st := reestablishState{nextHolderCommitment: 3, nextRevocation: 2, theirLastSecret: secret, theirLastSecretNumber: 1,
		signer: reestablishTestKeys(1, 1)}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("state", "st", st, "ptr", &st)
	for _, out := range []string{fmt.Sprint(st), fmt.Sprintf("%+v %#v %x %s", st, st, st, &st), logged.String()} {
		require.NotContains(t, out, "abcdef12")
		require.NotContains(t, out, "171 205 239")
		require.NotContains(t, out, "0xab")
	}
	require.Contains(t, fmt.Sprint(st), "next_holder=3 next_revocation=2")
	require.Contains(t, logged.String(), `"next_holder_commitment":3`)
}
