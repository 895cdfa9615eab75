package outbound

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// failingAttempt returns a payment with one added 3-hop attempt and the
// hops' shared secrets as the hops themselves computed them.
func failingAttempt(t testing.TB) (*Attempt, []onion.SharedSecret) {
	t.Helper()
	p := testPayment(t)
	route, keys := testRoute(t, "fail", 3, testAmount)
	i, err := p.AddAttempt(Attempt{SessionKey: testSession(1), Route: *route})
	require.NoError(t, err)
	pkt, err := p.Onion(i)
	require.NoError(t, err)
	secrets := make([]onion.SharedSecret, len(keys))
	cltv := route.TotalCLTV
	for j, k := range keys {
		proc, err := onion.NewProcessor(onion.ProcessorConfig{ECDH: onion.PrivateKeyECDH{Key: k}})
		require.NoError(t, err)
		out, err := proc.Process(pkt, p.Hash[:], cltv)
		require.NoError(t, err)
		secrets[j], pkt, cltv = out.SharedSecret, &out.Next, route.Hops[j].OutgoingCLTV
	}
	return &p.Attempts[i], secrets
}

// returnFailure is what hop k and the hops before it do with msg: hop k
// wraps it with NewFailure, every earlier hop obfuscates it on the way
// back.
func returnFailure(t testing.TB, secrets []onion.SharedSecret, k int, msg []byte) []byte {
	t.Helper()
	reason, _, err := onion.NewFailure(secrets[k], msg, onion.FailureOptions{})
	require.NoError(t, err)
	for j := k - 1; j >= 0; j-- {
		onion.ForwardFailure(secrets[j], reason, nil, 0)
	}
	return reason
}

func TestDecodeFailure(t *testing.T) {
	a, secrets := failingAttempt(t)
	update := []byte{0x01, 0x02, 0x01, 0x02, 0x03}
	msgs := []struct {
		msg       onion.FailureMessage
		update    []byte
		permanent bool // PERM bit
	}{
		{msg: &onion.TemporaryChannelFailure{ChannelUpdate: update}, update: update},
		{msg: &onion.FeeInsufficient{HTLCMsat: 5000, ChannelUpdate: update}, update: update},
		{msg: &onion.ChannelDisabled{ChannelUpdate: update}, update: update},
		{msg: &onion.TemporaryNodeFailure{}},
		{msg: &onion.PermanentNodeFailure{}, permanent: true},
		{msg: &onion.UnknownNextPeer{}, permanent: true},
		{msg: &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: testAmount, Height: 800_001}, permanent: true},
		{msg: &onion.FinalIncorrectCLTVExpiry{CLTVExpiry: 5}},
		{msg: &onion.MPPTimeout{}},
		{msg: &onion.UnknownFailure{FailureCode: 0x4077, Data: []byte{1}}, permanent: true},
	}
	last := len(a.Route.Hops) - 1
	for k := range a.Route.Hops {
		for _, m := range msgs {
			t.Run(fmt.Sprintf("hop %d %s", k, m.msg.Code()), func(t *testing.T) {
				b, err := onion.EncodeFailureMessage(nil, m.msg, nil)
				require.NoError(t, err)
				f, err := DecodeFailure(a, returnFailure(t, secrets, k, b))
				require.NoError(t, err)
				require.Equal(t, k, f.HopIndex)
				require.Equal(t, a.Route.Hops[k].NodeID, f.ErringNode)
				require.Equal(t, m.msg.Code(), f.Code)
				require.Equal(t, m.msg, f.Message)
				require.Equal(t, m.update, f.ChannelUpdate)
				require.Equal(t, m.permanent || k == last, f.Permanent)
				require.Equal(t, m.permanent && k == last, f.PaymentFailedPermanently)
				blame := a.Route.Hops[k].ShortChannelID
				if k < last {
					blame = a.Route.Hops[k+1].ShortChannelID
				}
				require.Equal(t, blame, f.ShortChannelID)
			})
		}
	}
}

func TestDecodeFailureUnreadable(t *testing.T) {
	a, secrets := failingAttempt(t)
	good := returnFailure(t, secrets, 1, []byte{0x10, 0x07, 0, 0})
	corrupt := append([]byte{}, good...)
	corrupt[40] ^= 1
	tests := []struct {
		name   string
		reason []byte
		cause  error
	}{
		{"corrupted on the way", corrupt, onion.ErrUnknownFailureSource},
		{"random bytes", make([]byte, 292), onion.ErrUnknownFailureSource},
		{"too short", []byte{1, 2, 3}, onion.ErrInvalidFailure},
		{"empty", nil, onion.ErrInvalidFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := DecodeFailure(a, tc.reason)
			require.ErrorIs(t, err, ErrUnreadableFailure)
			require.ErrorIs(t, err, tc.cause)
			require.NotNil(t, f)
			require.Equal(t, -1, f.HopIndex)
			require.Equal(t, wire.NodeID{}, f.ErringNode)
			require.False(t, f.Permanent)
		})
	}
}

func TestDecodeFailureBadMessage(t *testing.T) {
	a, secrets := failingAttempt(t)
	// fee_insufficient without its data: the hop is known, its message is
	// garbage.
	f, err := DecodeFailure(a, returnFailure(t, secrets, 1, []byte{0x10, 0x0c, 0}))
	require.ErrorIs(t, err, ErrUnreadableFailure)
	require.ErrorIs(t, err, onion.ErrInvalidFailure)
	require.Equal(t, 1, f.HopIndex)
	require.Equal(t, a.Route.Hops[1].NodeID, f.ErringNode)
	require.Equal(t, onion.CodeFeeInsufficient, f.Code)
	require.Nil(t, f.Message)
	require.Equal(t, a.Route.Hops[2].ShortChannelID, f.ShortChannelID)

	f, err = DecodeFailure(a, returnFailure(t, secrets, 2, []byte{0x40}))
	require.ErrorIs(t, err, ErrUnreadableFailure)
	require.Equal(t, 2, f.HopIndex)
	require.True(t, f.Permanent, "the final node's garbage ends the route")
	require.False(t, f.PaymentFailedPermanently)
}

func TestDecodeFailureBadAttempt(t *testing.T) {
	a, secrets := failingAttempt(t)
	reason := returnFailure(t, secrets, 0, []byte{0x20, 0x02})
	bad := *a
	bad.SessionKey = SessionKey{}
	f, err := DecodeFailure(&bad, reason)
	require.ErrorIs(t, err, onion.ErrInvalidSessionKey)
	require.Nil(t, f)

	bad = *a
	bad.SessionKey = testSession(2)
	f, err = DecodeFailure(&bad, reason)
	require.ErrorIs(t, err, ErrUnreadableFailure, "another session key reads nothing")
	require.Equal(t, -1, f.HopIndex)
}

func TestMalformedFailure(t *testing.T) {
	a, _ := failingAttempt(t)
	f := MalformedFailure(a, uint16(onion.CodeInvalidOnionHMAC))
	require.Equal(t, 0, f.HopIndex)
	require.Equal(t, a.Route.Hops[0].NodeID, f.ErringNode)
	require.Equal(t, a.Route.Hops[0].ShortChannelID, f.ShortChannelID)
	require.Equal(t, onion.CodeInvalidOnionHMAC, f.Code)
	require.True(t, f.Permanent)
	require.False(t, f.PaymentFailedPermanently)
	require.Nil(t, f.Message)

	f = MalformedFailure(&Attempt{}, uint16(onion.CodeInvalidOnionKey))
	require.Equal(t, -1, f.HopIndex)
}

// returnAttributedFailure is returnFailure with attribution data: hop j
// reports hold time 10*(j+1). When tamper is at least 0, hop tamper flips
// a bit of the failure after adding its part (before, for the erring hop:
// it garbles its own packet).
func returnAttributedFailure(t testing.TB, secrets []onion.SharedSecret, k int, msg []byte, tamper int) ([]byte, *onion.AttributionData) {
	t.Helper()
	reason, attr, err := onion.NewFailure(secrets[k], msg, onion.FailureOptions{Attribution: true, HoldTime: uint32(10 * (k + 1))})
	require.NoError(t, err)
	if tamper == k {
		reason[40] ^= 1
	}
	for j := k - 1; j >= 0; j-- {
		onion.ForwardFailure(secrets[j], reason, attr, uint32(10*(j+1)))
		if tamper == j {
			reason[40] ^= 1
		}
	}
	return reason, attr
}

// With attribution data the payer reads every hop's hold time along with
// the failure.
func TestDecodeAttributedFailureHoldTimes(t *testing.T) {
	a, secrets := failingAttempt(t)
	b, err := onion.EncodeFailureMessage(nil, &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: testAmount, Height: 7}, nil)
	require.NoError(t, err)
	for k := range a.Route.Hops {
		reason, attr := returnAttributedFailure(t, secrets, k, b, -1)
		f, err := DecodeAttributedFailure(a, reason, attr)
		require.NoError(t, err)
		require.Equal(t, k, f.HopIndex)
		require.False(t, f.Tampered)
		want := []uint32{10, 20, 30}[:k+1]
		require.Equal(t, want, f.HoldTimes, "hop %d", k)
	}
	f, err := DecodeFailure(a, returnFailure(t, secrets, 2, b))
	require.NoError(t, err)
	require.Nil(t, f.HoldTimes, "no attribution data")
}

// A failure a hop altered on its way back is unreadable; its attribution
// data names where: the first hop whose HMAC no longer verifies, which is
// the culprit (its HMAC covers the packet before it altered it) or its
// successor (had the link between them altered it, the predecessor's HMAC
// would cover the altered packet): the pair, and the channel between
// them, is to blame.
func TestDecodeAttributedFailureTampered(t *testing.T) {
	a, secrets := failingAttempt(t)
	b, err := onion.EncodeFailureMessage(nil, &onion.TemporaryNodeFailure{}, nil)
	require.NoError(t, err)
	hops := a.Route.Hops
	for _, c := range []struct {
		erring, tamper, blamed int
		holds                  []uint32
	}{
		{erring: 2, tamper: 1, blamed: 1, holds: []uint32{10}},
		{erring: 2, tamper: 0, blamed: 0, holds: []uint32{}},
		{erring: 1, tamper: 0, blamed: 0, holds: []uint32{}},
		// The erring node alters its own packet after its attribution
		// HMAC: blamed.
		{erring: 2, tamper: 2, blamed: 2, holds: []uint32{10, 20}},
	} {
		reason, attr := returnAttributedFailure(t, secrets, c.erring, b, c.tamper)
		f, err := DecodeAttributedFailure(a, reason, attr)
		require.ErrorIs(t, err, ErrUnreadableFailure)
		require.True(t, f.Tampered)
		require.Equal(t, c.blamed, f.HopIndex, "%+v", c)
		require.Equal(t, hops[c.blamed].NodeID, f.ErringNode)
		require.Equal(t, hops[c.blamed].ShortChannelID, f.ShortChannelID, "the channel into the blamed hop")
		require.Equal(t, c.holds, f.HoldTimes)
		require.Zero(t, f.Code)
	}
	// Without attribution data the tampering cannot be placed.
	reason, _ := returnAttributedFailure(t, secrets, 2, b, 1)
	f, err := DecodeAttributedFailure(a, reason, nil)
	require.ErrorIs(t, err, ErrUnreadableFailure)
	require.Equal(t, -1, f.HopIndex)
	require.True(t, f.Tampered)
}
