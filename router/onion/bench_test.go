package onion

import (
	"math/rand"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// benchRoute returns n hops with realistic intermediate payloads (amount,
// cltv, channel) and a final payload with payment data.
func benchRoute(b *testing.B, n int) ([]*btcec.PrivateKey, []Hop) {
	b.Helper()
	r := rand.New(rand.NewSource(int64(n)))
	keys := make([]*btcec.PrivateKey, n)
	route := make([]Hop, n)
	for i := range route {
		keys[i] = randPrivKey(b, r)
		p := HopPayload{
			AmountToForward: wire.Some(wire.MilliSatoshi(1_000_000 + i)),
			OutgoingCLTV:    wire.Some(uint32(800_000 + 40*(n-i))),
		}
		if i < n-1 {
			p.ShortChannelID = wire.Some(wire.NewShortChannelID(r.Uint64()))
		} else {
			p.PaymentData = wire.Some(PaymentData{TotalMsat: 1_000_000})
		}
		enc, err := p.Encode(nil)
		if err != nil {
			b.Fatal(err)
		}
		route[i] = Hop{PubKey: keys[i].PubKey(), Payload: enc}
	}
	return keys, route
}

func benchmarkNewPacket(b *testing.B, n int) {
	b.Helper()
	_, route := benchRoute(b, n)
	session := mustPriv(b, "4141414141414141414141414141414141414141414141414141414141414141")
	ad := make([]byte, 32)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := NewPacket(session, route, ad); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewPacket5 builds a 5-hop onion.
func BenchmarkNewPacket5(b *testing.B) { benchmarkNewPacket(b, 5) }

// BenchmarkNewPacket20 builds a 20-hop onion.
func BenchmarkNewPacket20(b *testing.B) { benchmarkNewPacket(b, 20) }

// BenchmarkProcess peels one (intermediate) layer, replay check included.
// Two packets alternate in a one-entry replay log, so neither is a replay.
func BenchmarkProcess(b *testing.B) {
	keys, route := benchRoute(b, 5)
	ad := make([]byte, 32)
	var pkts [2]*Packet
	for i := range pkts {
		session := mustPriv(b, []string{
			"4141414141414141414141414141414141414141414141414141414141414141",
			"4242424242424242424242424242424242424242424242424242424242424242",
		}[i])
		p, _, err := NewPacket(session, route, ad)
		if err != nil {
			b.Fatal(err)
		}
		pkts[i] = p
	}
	proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: keys[0]}, ReplayLog: forgetfulReplayLog{}})
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := proc.Process(pkts[i&1], ad, testExpiry); err != nil {
			b.Fatal(err)
		}
	}
}

// failureFrom20th returns the secrets of a 20-hop route and a failure the
// 20th hop returned, with its attribution data.
func failureFrom20th(b *testing.B) (*btcec.PrivateKey, []*btcec.PublicKey, []SharedSecret, []byte, *AttributionData) {
	b.Helper()
	_, route := benchRoute(b, 20)
	session := mustPriv(b, "4141414141414141414141414141414141414141414141414141414141414141")
	_, secrets, err := NewPacket(session, route, nil)
	require.NoError(b, err)
	msg, _ := EncodeFailureMessage(nil, &IncorrectOrUnknownPaymentDetails{HTLCMsat: 1000, Height: 800_000}, nil)
	reason, attr, err := NewFailure(secrets[19], msg, FailureOptions{Attribution: true, HoldTime: 3})
	require.NoError(b, err)
	for i := 18; i >= 0; i-- {
		ForwardFailure(secrets[i], reason, attr, 1)
	}
	pubs := make([]*btcec.PublicKey, len(route))
	for i := range route {
		pubs[i] = route[i].PubKey
	}
	return session, pubs, secrets, reason, attr
}

// BenchmarkDecryptFailure20 reads a failure from the 20th hop with the
// shared secrets kept from NewPacket.
func BenchmarkDecryptFailure20(b *testing.B) {
	_, _, secrets, reason, _ := failureFrom20th(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d, err := DecryptFailure(secrets, reason, nil); err != nil || d.SenderIndex != 19 {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecryptFailure20Rederive also recomputes the shared secrets from
// the session key, as an origin that did not keep them must.
func BenchmarkDecryptFailure20Rederive(b *testing.B) {
	session, pubs, _, reason, _ := failureFrom20th(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		secrets, err := SharedSecrets(session, pubs)
		if err != nil {
			b.Fatal(err)
		}
		if d, err := DecryptFailure(secrets, reason, nil); err != nil || d.SenderIndex != 19 {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecryptFailure20Attributed reads the failure and verifies the
// attribution data of all 20 hops.
func BenchmarkDecryptFailure20Attributed(b *testing.B) {
	_, _, secrets, reason, attr := failureFrom20th(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d, err := DecryptFailure(secrets, reason, attr); err != nil || d.SenderIndex != 19 || d.AttributionFailedAt != -1 {
			b.Fatal(err)
		}
	}
}

// BenchmarkForwardFailureAttributed is one hop's work on a returning
// failure with attribution data.
func BenchmarkForwardFailureAttributed(b *testing.B) {
	_, _, secrets, reason, attr := failureFrom20th(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ForwardFailure(secrets[0], reason, attr, 1)
	}
}
