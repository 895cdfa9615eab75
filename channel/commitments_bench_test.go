package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
)

// BenchmarkCommitmentRound measures one exchange of the chains alone (no
// monitor): A signs B's next commitment with four HTLCs, B verifies every
// signature and revokes, A checks and stores the secret.
func BenchmarkCommitmentRound(b *testing.B) {
	for _, typ := range []commit.ChannelType{commit.StaticRemoteKey, commit.AnchorsZeroFeeHTLC} {
		b.Run(typ.String(), func(b *testing.B) {
			pr := newCommitmentPair(b, typ)
			content := commitmentHTLCContent()
			a, c := pr.a.chain, pr.b.chain
			b.ReportAllocs()
			for b.Loop() {
				n := a.theirs.Number + 1
				msg, _, err := a.signCommitment(content.view(false, n))
				require.NoError(b, err)
				_, raa, err := c.receiveCommitmentSigned(msg, content.view(true, n))
				require.NoError(b, err)
				_, err = a.receiveRevokeAndAck(raa)
				require.NoError(b, err)
			}
		})
	}
}
