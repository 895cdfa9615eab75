package channel

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
)

// TestUpdateLogPropertyTwoSides drives two logs against each other with
// random valid sequences: every commitment_signed signs exactly what its
// receiver expects, no receive fails, balances are conserved to the msat
// at every step, and at rest both sides agree.
func TestUpdateLogPropertyTwoSides(t *testing.T) {
	for seed := range uint64(60) {
		typ := commit.StaticRemoteKey
		if seed%2 == 1 {
			typ = commit.AnchorsZeroFeeHTLC
		}
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		d := newLogDriver(typ, 400_000_000)
		for step := range 2000 {
			s := rng.IntN(2)
			op := byte(rng.IntN(11))
			switch {
			case op == 10:
				op = 7 // reconnect, rarely
			case op >= 7:
				op = 5 // deliver more often
			}
			require.NoError(t, d.step(s, op, rng.Uint64()), "seed %d step %d", seed, step)
			require.NoError(t, d.conserved(), "seed %d step %d", seed, step)
		}
		require.NoError(t, d.quiesce(), "seed %d", seed)
		requireLogConserved(t, d.logs[0])
		requireLogConserved(t, d.logs[1])
	}
}
