package outbound

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

func BenchmarkBuildOnion1Hop(b *testing.B) {
	route, _ := testRoute(b, "bench", 1, testAmount)
	final := router.FinalPayload{PaymentSecret: wire.PaymentSecret{1}}
	s := testSession(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildOnion(route, final, nil, s, wire.PaymentHash{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildOnion3Hops(b *testing.B) {
	route, _ := testRoute(b, "bench", 3, testAmount)
	final := router.FinalPayload{PaymentSecret: wire.PaymentSecret{1}}
	s := testSession(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildOnion(route, final, nil, s, wire.PaymentHash{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeFailure decodes a failure of the last hop of a 3-hop
// route: the shared secrets are recomputed from the session key each time.
func BenchmarkDecodeFailure(b *testing.B) {
	a, secrets := failingAttempt(b)
	msg, err := onion.EncodeFailureMessage(nil, &onion.TemporaryChannelFailure{}, nil)
	require.NoError(b, err)
	reason := returnFailure(b, secrets, 2, msg)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeFailure(a, reason); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPaymentEncode(b *testing.B) {
	p := testPayment(b)
	addTestAttempt(b, p, 1, 5, testAmount)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPaymentDecode(b *testing.B) {
	p := testPayment(b)
	addTestAttempt(b, p, 1, 5, testAmount)
	data, err := p.Encode()
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodePayment(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeAttributedFailure is BenchmarkDecodeFailure with
// attribution data: every hop's attribution HMAC checked too.
func BenchmarkDecodeAttributedFailure(b *testing.B) {
	a, secrets := failingAttempt(b)
	msg, err := onion.EncodeFailureMessage(nil, &onion.TemporaryChannelFailure{}, nil)
	require.NoError(b, err)
	reason, attr := returnAttributedFailure(b, secrets, 2, msg, -1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeAttributedFailure(a, reason, attr); err != nil {
			b.Fatal(err)
		}
	}
}
