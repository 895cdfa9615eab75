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

// FuzzDecodeAttributedFailure is FuzzDecodeFailure with attribution data
// (taken from attr, padded or cut to its size): besides, the hold times
// are at most one per hop and a Tampered failure has no code.
func FuzzDecodeAttributedFailure(f *testing.F) {
	a, secrets := failingAttempt(f)
	msg, err := onion.EncodeFailureMessage(nil, &onion.TemporaryNodeFailure{}, nil)
	require.NoError(f, err)
	for k := range secrets {
		for _, tamper := range []int{-1, 0, k} {
			reason, attr := returnAttributedFailure(f, secrets, k, msg, tamper)
			f.Add(reason, attr[:])
		}
	}
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, reason, attrBytes []byte) {
		var attr onion.AttributionData
		copy(attr[:], attrBytes)
		fl, err := DecodeAttributedFailure(a, reason, &attr)
		require.NotNil(t, fl)
		require.GreaterOrEqual(t, fl.HopIndex, -1)
		require.Less(t, fl.HopIndex, len(a.Route.Hops))
		require.LessOrEqual(t, len(fl.HoldTimes), len(a.Route.Hops))
		if fl.Tampered {
			require.Zero(t, fl.Code)
		}
		if err != nil {
			require.True(t, errors.Is(err, ErrUnreadableFailure), "%v", err)
			return
		}
		require.False(t, fl.Tampered)
		require.Equal(t, a.Route.Hops[fl.HopIndex].NodeID, fl.ErringNode)
	})
}
