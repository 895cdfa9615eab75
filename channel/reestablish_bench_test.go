package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// BenchmarkReestablish measures one channel's side of a reconnection after
// a million commitments: building our channel_reestablish, and deciding on
// the peer's when in sync (one secret derived) and when our last
// revoke_and_ack must be rebuilt (two secrets and a point).
func BenchmarkReestablish(b *testing.B) {
	ours := reestablishTestKeys(1, 1)
	const h = 1_000_000
	st := &reestablishState{nextHolderCommitment: h, nextRevocation: h + 3, theirLastSecretNumber: h + 2, signer: ours}
	inSync := &wire.ChannelReestablish{NextCommitmentNumber: h + 4, NextRevocationNumber: h - 1,
		YourLastPerCommitmentSecret: reestablishSecret(b, ours, h-2)}
	resend := &wire.ChannelReestablish{NextCommitmentNumber: h + 4, NextRevocationNumber: h - 2,
		YourLastPerCommitmentSecret: reestablishSecret(b, ours, h-3)}
	b.Run("message", func(b *testing.B) {
		for b.Loop() {
			_, err := reestablishMessage(st, reestablishChannelID)
			require.NoError(b, err)
		}
	})
	for name, msg := range map[string]*wire.ChannelReestablish{"receive-in-sync": inSync, "receive-resend-revoke": resend} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				_, err := reestablishReceive(st, msg)
				require.NoError(b, err)
			}
		})
	}
}
