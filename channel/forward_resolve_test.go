package channel

import (
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// A failure from downstream is wrapped with our onion's shared secret on
// its way upstream: the payer, peeling our layer and then the next hop's,
// reads the next hop's message as the next hop's (sender index 1).
func TestForwardFailureRewrappedForThePayer(t *testing.T) {
	ours, theirs := onion.SharedSecret{1}, onion.SharedSecret{2}
	msg, err := onion.EncodeFailureMessage(nil, &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: 5, Height: 9}, nil)
	require.NoError(t, err)
	downstream, _, err := onion.NewFailure(theirs, msg, onion.FailureOptions{})
	require.NoError(t, err)
	f := &forward{state: fwdAdded, secret: ours}
	nf, err := f.failedDownstream(htlcOutcome{kind: htlcFailed, reason: downstream})
	require.NoError(t, err)
	require.Equal(t, fwdFailed, nf.state)
	require.Equal(t, htlcFailed, nf.failure.kind)
	require.NotEqual(t, downstream, nf.failure.reason, "wrapped, and the downstream reason left as it was")
	got, err := onion.DecryptFailure([]onion.SharedSecret{ours, theirs}, nf.failure.reason, nil)
	require.NoError(t, err)
	require.Equal(t, 1, got.SenderIndex)
	m, _, err := got.Decode()
	require.NoError(t, err)
	require.Equal(t, &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: 5, Height: 9}, m)
}

// update_fail_malformed_htlc from downstream becomes our own failure
// (BOLT 4): its failure_code with sha256_of_onion, from us (sender 0).
func TestForwardMalformedDownstreamBecomesOurFailure(t *testing.T) {
	ours := onion.SharedSecret{3}
	hash := sha256.Sum256([]byte("next onion"))
	f := &forward{state: fwdAdded, secret: ours}
	nf, err := f.failedDownstream(htlcOutcome{kind: htlcFailedMalformed, failureCode: uint16(onion.CodeInvalidOnionHMAC), onionHash: hash})
	require.NoError(t, err)
	got, err := onion.DecryptFailure([]onion.SharedSecret{ours, {4}}, nf.failure.reason, nil)
	require.NoError(t, err)
	require.Equal(t, 0, got.SenderIndex)
	m, _, err := got.Decode()
	require.NoError(t, err)
	require.Equal(t, &onion.InvalidOnionHMAC{OnionHash: hash}, m)
}

// Our own refusal is a failure from us, with the message given.
func TestForwardRefusalIsOurs(t *testing.T) {
	ours := onion.SharedSecret{5}
	f := &forward{state: fwdPending, secret: ours, next: make([]byte, onion.PacketSize)}
	nf, err := f.failedWith(&onion.FeeInsufficient{HTLCMsat: 1000, ChannelUpdate: []byte{1, 2, 3}})
	require.NoError(t, err)
	require.Nil(t, nf.next)
	require.NotNil(t, f.next, "f itself unchanged")
	got, err := onion.DecryptFailure([]onion.SharedSecret{ours}, nf.failure.reason, nil)
	require.NoError(t, err)
	m, _, err := got.Decode()
	require.NoError(t, err)
	require.Equal(t, &onion.FeeInsufficient{HTLCMsat: 1000, ChannelUpdate: []byte{1, 2, 3}}, m)
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
