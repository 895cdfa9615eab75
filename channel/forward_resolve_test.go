package channel

import (
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// A failure from downstream is wrapped with our onion's shared secret on
// its way upstream, and so is its attribution data, with our hold time:
// the payer, peeling our layer and then the next hop's, reads the next
// hop's message as the next hop's (sender index 1) and both hold times.
func TestForwardFailureRewrappedForThePayer(t *testing.T) {
	ours, theirs := onion.SharedSecret{1}, onion.SharedSecret{2}
	msg, err := onion.EncodeFailureMessage(nil, &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: 5, Height: 9}, nil)
	require.NoError(t, err)
	downstream, dattr, err := onion.NewFailure(theirs, msg, onion.FailureOptions{Attribution: true, HoldTime: 3})
	require.NoError(t, err)
	sent := *dattr
	f := &forward{state: fwdAdded, secret: ours, inReceivedAt: 1_000_000}
	nf, err := f.failedDownstream(htlcOutcome{kind: htlcFailed, reason: downstream, attr: (*wire.AttributionData)(dattr)}, 1_000_750)
	require.NoError(t, err)
	require.Equal(t, fwdFailed, nf.state)
	require.Equal(t, htlcFailed, nf.failure.kind)
	require.NotEqual(t, downstream, nf.failure.reason, "wrapped, and the downstream reason left as it was")
	require.Equal(t, sent, *dattr, "the downstream attribution data left as it was")
	require.NotNil(t, nf.failure.attr)
	got, err := onion.DecryptFailure([]onion.SharedSecret{ours, theirs}, nf.failure.reason, (*onion.AttributionData)(nf.failure.attr))
	require.NoError(t, err)
	require.Equal(t, 1, got.SenderIndex)
	require.Equal(t, []uint32{7, 3}, got.HoldTimes, "750 ms held here: 7 units of 100 ms")
	require.Equal(t, -1, got.AttributionFailedAt)
	m, _, err := got.Decode()
	require.NoError(t, err)
	require.Equal(t, &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: 5, Height: 9}, m)
}

// A downstream failure without attribution data (a peer without
// option_attribution_data) goes upstream with a zeroed block and our part
// added (BOLT 4): the payer verifies our hop, and the next one fails.
func TestForwardFailureWithoutDownstreamAttribution(t *testing.T) {
	ours, theirs := onion.SharedSecret{1}, onion.SharedSecret{2}
	msg, err := onion.EncodeFailureMessage(nil, &onion.TemporaryNodeFailure{}, nil)
	require.NoError(t, err)
	downstream, _, err := onion.NewFailure(theirs, msg, onion.FailureOptions{})
	require.NoError(t, err)
	f := &forward{state: fwdAdded, secret: ours}
	nf, err := f.failedDownstream(htlcOutcome{kind: htlcFailed, reason: downstream}, 5000)
	require.NoError(t, err)
	require.NotNil(t, nf.failure.attr)
	got, err := onion.DecryptFailure([]onion.SharedSecret{ours, theirs}, nf.failure.reason, (*onion.AttributionData)(nf.failure.attr))
	require.NoError(t, err)
	require.Equal(t, 1, got.SenderIndex)
	require.Equal(t, []uint32{0}, got.HoldTimes, "arrival unknown: hold time 0")
	require.Equal(t, 1, got.AttributionFailedAt)
}

// update_fail_malformed_htlc from downstream becomes our own failure
// (BOLT 4): its failure_code with sha256_of_onion, from us (sender 0).
func TestForwardMalformedDownstreamBecomesOurFailure(t *testing.T) {
	ours := onion.SharedSecret{3}
	hash := sha256.Sum256([]byte("next onion"))
	f := &forward{state: fwdAdded, secret: ours, inReceivedAt: 100}
	nf, err := f.failedDownstream(htlcOutcome{kind: htlcFailedMalformed, failureCode: uint16(onion.CodeInvalidOnionHMAC), onionHash: hash}, 400)
	require.NoError(t, err)
	got, err := onion.DecryptFailure([]onion.SharedSecret{ours, {4}}, nf.failure.reason, (*onion.AttributionData)(nf.failure.attr))
	require.NoError(t, err)
	require.Equal(t, 0, got.SenderIndex)
	require.Equal(t, []uint32{3}, got.HoldTimes)
	m, _, err := got.Decode()
	require.NoError(t, err)
	require.Equal(t, &onion.InvalidOnionHMAC{OnionHash: hash}, m)
}

// Our own refusal is a failure from us, with the message given and our
// hold time in its attribution data.
func TestForwardRefusalIsOurs(t *testing.T) {
	ours := onion.SharedSecret{5}
	f := &forward{state: fwdPending, secret: ours, next: make([]byte, onion.PacketSize), inReceivedAt: 10_000}
	nf, err := f.failedWith(&onion.FeeInsufficient{HTLCMsat: 1000, ChannelUpdate: []byte{1, 2, 3}}, 12_345)
	require.NoError(t, err)
	require.Nil(t, nf.next)
	require.NotNil(t, f.next, "f itself unchanged")
	got, err := onion.DecryptFailure([]onion.SharedSecret{ours}, nf.failure.reason, (*onion.AttributionData)(nf.failure.attr))
	require.NoError(t, err)
	require.Equal(t, []uint32{23}, got.HoldTimes)
	m, _, err := got.Decode()
	require.NoError(t, err)
	require.Equal(t, &onion.FeeInsufficient{HTLCMsat: 1000, ChannelUpdate: []byte{1, 2, 3}}, m)
}

// A forward's fulfill carries the downstream's success attribution data
// with our hold time added; the payer reads both hold times. Without
// downstream data, ours is still there (a zeroed block underneath).
func TestForwardFulfillAttribution(t *testing.T) {
	ours, theirs := onion.SharedSecret{6}, onion.SharedSecret{7}
	pre := wire.Preimage{9}
	f := &forward{state: fwdAdded, secret: ours, hash: pre.Hash(), inReceivedAt: 2000}
	downstream := onion.NewSuccessAttribution(theirs, 4)
	nf := f.fulfilled(pre, (*wire.AttributionData)(downstream), false, 2000+1234)
	require.Equal(t, fwdFulfilled, nf.state)
	require.Nil(t, f.attr, "f itself unchanged")
	holds, err := onion.DecryptSuccessAttribution([]onion.SharedSecret{ours, theirs}, (*onion.AttributionData)(nf.attr))
	require.NoError(t, err)
	require.Equal(t, []uint32{12, 4}, holds)

	nf = f.fulfilled(pre, nil, true, 2000+99)
	_, err = onion.DecryptSuccessAttribution([]onion.SharedSecret{ours, theirs}, (*onion.AttributionData)(nf.attr))
	var ae *onion.AttributionError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 1, ae.Index)
	require.Equal(t, []uint32{0}, ae.HoldTimes)
}

// BOLT 4 hold times are in units of 100 ms, 0 when the arrival is unknown
// or the clock went back.
func TestHoldTime(t *testing.T) {
	for _, c := range []struct {
		at, now uint64
		want    uint32
	}{
		{0, 5000, 0}, {1000, 0, 0}, {1000, 999, 0}, {1000, 1000, 0}, {1000, 1099, 0},
		{1000, 1100, 1}, {1000, 61_000, 600}, {1, 1 << 62, 0xffffffff},
	} {
		require.Equal(t, c.want, holdTime(c.at, c.now), "%d → %d", c.at, c.now)
	}
}

// The forward book indexes a forward by its outgoing HTLC only while it is
// added, and forgets the index when the forward moves on or is removed.
func TestForwardBookIndexes(t *testing.T) {
	var b forwardBook
	in, out := htlcRef{wire.ChannelID{1}, 1}, htlcRef{wire.ChannelID{2}, 7}
	b.put(&forward{state: fwdPending, in: in})
	require.True(t, b.has(in))
	_, ok := b.added(out)
	require.False(t, ok)
	b.put(&forward{state: fwdAdded, in: in, out: out})
	f, ok := b.added(out)
	require.True(t, ok)
	require.Equal(t, in, f.in)
	require.Empty(t, b.work(), "added: nothing to do until the downstream resolves it")
	require.Equal(t, []htlcRef{in}, b.refs())
	b.put(&forward{state: fwdFailed, in: in, out: out, failure: htlcOutcome{kind: htlcFailed}})
	_, ok = b.added(out)
	require.False(t, ok, "resolved: no longer found by its outgoing HTLC")
	require.Equal(t, []htlcRef{in}, b.work())
	require.True(t, b.has(in))
	b.remove(in)
	require.False(t, b.has(in))
	require.Empty(t, b.refs())
}
