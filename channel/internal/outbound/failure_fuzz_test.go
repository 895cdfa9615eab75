package outbound

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router/onion"
)

// FuzzDecodeFailure feeds arbitrary update_fail_htlc reasons to
// DecodeFailure for a 3-hop attempt: it must never panic, always return a
// Failure, name a hop of the route or -1, and fail only with
// ErrUnreadableFailure.
func FuzzDecodeFailure(f *testing.F) {
	a, secrets := failingAttempt(f)
	for k := range secrets {
		msg, err := onion.EncodeFailureMessage(nil, &onion.TemporaryChannelFailure{ChannelUpdate: []byte{1, 2}}, nil)
		require.NoError(f, err)
		f.Add(returnFailure(f, secrets, k, msg))
		f.Add(returnFailure(f, secrets, k, []byte{0x10}))
	}
	f.Add([]byte{})
	f.Add(make([]byte, 36))

	f.Fuzz(func(t *testing.T, reason []byte) {
		fl, err := DecodeFailure(a, reason)
		require.NotNil(t, fl)
		require.GreaterOrEqual(t, fl.HopIndex, -1)
		require.Less(t, fl.HopIndex, len(a.Route.Hops))
		if err != nil {
			require.True(t, errors.Is(err, ErrUnreadableFailure), "%v", err)
			return
		}
		require.NotNil(t, fl.Message)
		require.Equal(t, a.Route.Hops[fl.HopIndex].NodeID, fl.ErringNode)
	})
}
