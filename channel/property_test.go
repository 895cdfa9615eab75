package channel

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// TestDefaultPolicyInteroperates: an open_channel built from
// DefaultUserConfig by a simulated opener passes an acceptor with the
// default limits, and the acceptor's accept_channel, built from the same
// defaults, passes the opener's checks. Funding, push, channel type and
// fee estimates vary; the opener only opens what it can afford (the fee
// and the peer's reserve left to it), as the manager will.
func TestDefaultPolicyInteroperates(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cfg := DefaultUserConfig()
	opened := 0
	for i := 0; i < 600; i++ {
		est := estimatorAround(wire.FeeRate(253 + rng.IntN(20_000)))
		ct := ChannelType{Commitment: commit.StaticRemoteKey}
		if rng.IntN(2) == 0 {
			ct = anchorsType()
		}
		if rng.IntN(4) == 0 {
			ct.ScidAlias = true // private channels may ask for aliases
		}
		// Log-uniform, so that the smallest channels are drawn as often
		// as the largest.
		lo, hi := cfg.Limits.MinFundingSatoshis, cfg.Limits.MaxFundingSatoshis
		funding := lo + wire.Satoshi(rng.Uint64N(uint64(lo)<<rng.IntN(11)))
		funding = min(funding, hi)
		if rng.IntN(8) == 0 {
			funding = []wire.Satoshi{lo, hi}[rng.IntN(2)]
		}
		push := wire.MilliSatoshi(rng.Uint64N(uint64(funding.ToMilliSatoshi()) + 1))
		open := simulatedOpen(t, cfg, est, ct, funding, push)
		if !openerCanAfford(open, ct) {
			continue
		}
		opened++
		in := testInbound(t, est)
		got, err := CheckOpenChannel(open, in)
		require.NoError(t, err, "funding %d push %d rate %d %s", funding, push, open.FeeRate, ct)
		require.Equal(t, ct, got)

		accept := simulatedAccept(t, cfg, open)
		out := &OutboundAccept{Sent: open, OurFeatures: testFeatures(), TheirFeatures: testFeatures(), Config: cfg}
		got, err = CheckAcceptChannel(accept, out)
		require.NoError(t, err, "funding %d push %d rate %d %s", funding, push, open.FeeRate, ct)
		require.Equal(t, ct, got)
	}
	require.Greater(t, opened, 250, "most generated channels must be affordable")
}

// openerCanAfford is the opener's own precondition: after the commitment
// fee (and anchors) it keeps more than the reserve it must hold.
func openerCanAfford(m *wire.OpenChannel, ct ChannelType) bool {
	cost := commit.CommitmentFee(ct.Commitment, m.FeeRate, 0)
	if ct.Commitment.HasAnchors() {
		cost += 2 * commit.AnchorAmount
	}
	theirReserve := DefaultUserConfig().Handshake.ChannelReserve(m.FundingAmount, m.DustLimit)
	need := (cost + theirReserve + 1).ToMilliSatoshi()
	return m.FundingAmount.ToMilliSatoshi() >= m.PushAmount+need
}
