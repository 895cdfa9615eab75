package outbound

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/vectors"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// TestDecodeFailureVector reads BOLT 4's returned-error test vector
// (temporary_node_failure from the fifth of five hops) through an attempt.
func TestDecodeFailureVector(t *testing.T) {
	var v struct {
		Generate struct {
			SessionKey string `json:"session_key"`
			Hops       []struct {
				Pubkey string `json:"pubkey"`
			} `json:"hops"`
		} `json:"generate"`
		ErrorPacket string `json:"errorpacket"`
	}
	vectors.Load(t, "bolt04-onion-error-test.json", &v)
	var a Attempt
	key, err := hex.DecodeString(v.Generate.SessionKey)
	require.NoError(t, err)
	copy(a.SessionKey[:], key)
	for i, h := range v.Generate.Hops {
		id, err := wire.ParseNodeID(h.Pubkey)
		require.NoError(t, err)
		a.Route.Hops = append(a.Route.Hops, router.Hop{NodeID: id, ShortChannelID: wire.NewShortChannelID(uint64(i + 1))})
	}
	reason, err := hex.DecodeString(v.ErrorPacket)
	require.NoError(t, err)

	f, err := DecodeFailure(&a, reason)
	require.NoError(t, err)
	require.Equal(t, 4, f.HopIndex)
	require.Equal(t, a.Route.Hops[4].NodeID, f.ErringNode)
	require.Equal(t, onion.CodeTemporaryNodeFailure, f.Code)
	require.Equal(t, &onion.TemporaryNodeFailure{}, f.Message)
	require.True(t, f.IsNode())
	require.True(t, f.Permanent, "the final node failed")
	require.False(t, f.PaymentFailedPermanently, "no PERM bit: a retry may succeed")
	require.Equal(t, a.Route.Hops[4].ShortChannelID, f.ShortChannelID)
}
