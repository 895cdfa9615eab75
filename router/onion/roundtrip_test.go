package onion

import (
	"math/rand"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// randPrivKey returns a private key drawn from r.
func randPrivKey(t testing.TB, r *rand.Rand) *btcec.PrivateKey {
	t.Helper()
	for {
		var b [32]byte
		r.Read(b[:])
		var s btcec.ModNScalar
		if overflow := s.SetBytes(&b); overflow == 0 && !s.IsZero() {
			return btcec.PrivKeyFromScalar(&s)
		}
	}
}

// randTU returns a value whose truncated encoding is at most n bytes.
func randTU(r *rand.Rand, n int) uint64 {
	if n == 0 {
		return 0
	}
	return r.Uint64() >> (64 - 8*uint(n))
}

// randPayload returns a valid payload for a hop whose encoding fits in
// maxLen bytes: the mandatory records with random values, then optional
// records in random order while they fit.
func randPayload(r *rand.Rand, final bool, maxLen int) HopPayload {
	var p HopPayload
	size := func() int {
		b, err := p.Encode(nil)
		if err != nil {
			panic(err)
		}
		return len(b)
	}
	amtLen, cltvLen := r.Intn(9), r.Intn(5)
	for {
		p.AmountToForward = wire.Some(wire.MilliSatoshi(randTU(r, amtLen)))
		p.OutgoingCLTV = wire.Some(uint32(randTU(r, cltvLen)))
		if !final {
			p.ShortChannelID = wire.Some(wire.NewShortChannelID(r.Uint64()))
		}
		if size() <= maxLen {
			break
		}
		// Shrink the integers until the mandatory records fit.
		if amtLen > 0 {
			amtLen--
		} else {
			cltvLen--
		}
	}
	optional := []func(){
		func() {
			if final {
				var pd PaymentData
				r.Read(pd.PaymentSecret[:])
				pd.TotalMsat = wire.MilliSatoshi(randTU(r, r.Intn(9)))
				p.PaymentData = wire.Some(pd)
			}
		},
		func() {
			if final {
				m := make([]byte, r.Intn(40))
				r.Read(m)
				p.PaymentMetadata = wire.Some(m)
			}
		},
		func() {
			if final {
				var pre wire.Preimage
				r.Read(pre[:])
				p.KeysendPreimage = wire.Some(pre)
			}
		},
		func() {
			typ := MinCustomType + uint64(r.Intn(1000))
			if len(p.Custom) > 0 {
				typ = p.Custom[len(p.Custom)-1].Type + 1 + uint64(r.Intn(1<<20))
			}
			if typ == TypeKeysendPreimage {
				typ++
			}
			v := make([]byte, r.Intn(30))
			r.Read(v)
			p.Custom = append(p.Custom, wire.TLVRecord{Type: typ, Value: v})
		},
	}
	r.Shuffle(len(optional), func(i, j int) { optional[i], optional[j] = optional[j], optional[i] })
	for _, add := range optional {
		saved := p
		saved.Custom = append(wire.TLVRecords(nil), p.Custom...)
		add()
		if size() > maxLen {
			p = saved
		}
	}
	return p
}

// randFailure returns a random failure message.
func randFailure(r *rand.Rand) FailureMessage {
	var update []byte // decoding gives nil for an empty channel_update
	if l := r.Intn(140); l > 0 {
		update = make([]byte, l)
		r.Read(update)
	}
	var h [32]byte
	r.Read(h[:])
	msgs := []FailureMessage{
		&TemporaryNodeFailure{}, &PermanentNodeFailure{}, &RequiredNodeFeatureMissing{},
		&InvalidOnionVersion{OnionHash: h}, &InvalidOnionHMAC{OnionHash: h}, &InvalidOnionKey{OnionHash: h},
		&TemporaryChannelFailure{ChannelUpdate: update}, &PermanentChannelFailure{},
		&RequiredChannelFeatureMissing{}, &UnknownNextPeer{},
		&AmountBelowMinimum{HTLCMsat: wire.MilliSatoshi(r.Uint64()), ChannelUpdate: update},
		&FeeInsufficient{HTLCMsat: wire.MilliSatoshi(r.Uint64()), ChannelUpdate: update},
		&IncorrectCLTVExpiry{CLTVExpiry: r.Uint32(), ChannelUpdate: update},
		&ExpiryTooSoon{ChannelUpdate: update},
		&IncorrectOrUnknownPaymentDetails{HTLCMsat: wire.MilliSatoshi(r.Uint64()), Height: r.Uint32()},
		&FinalIncorrectCLTVExpiry{CLTVExpiry: r.Uint32()},
		&FinalIncorrectHTLCAmount{IncomingHTLCAmount: wire.MilliSatoshi(r.Uint64())},
		&ChannelDisabled{DisabledFlags: uint16(r.Uint32()), ChannelUpdate: update},
		&ExpiryTooFar{}, &InvalidOnionPayload{Type: r.Uint64(), Offset: uint16(r.Uint32())},
		&MPPTimeout{}, &InvalidOnionBlinding{OnionHash: h},
	}
	return msgs[r.Intn(len(msgs))]
}

// TestRoundTripRandomRoutes builds onions over random routes of 1 to 27
// hops, peels them hop by hop, then fails the HTLC at a random hop and
// reads the failure (with attribution data) at the origin.
func TestRoundTripRandomRoutes(t *testing.T) {
	r := rand.New(rand.NewSource(20240601))
	trials := 2 * 27
	if testing.Short() {
		trials = 27
	}
	for trial := 0; trial < trials; trial++ {
		n := trial%27 + 1
		maxLen := HopPayloadsSize/n - 1 - HMACSize
		if maxLen >= 0xfd {
			maxLen -= 2 // a 3-byte BigSize length
		}
		keys := make([]*btcec.PrivateKey, n)
		route := make([]Hop, n)
		payloads := make([]HopPayload, n)
		for i := range route {
			keys[i] = randPrivKey(t, r)
			payloads[i] = randPayload(r, i == n-1, maxLen)
			enc, err := payloads[i].Encode(nil)
			require.NoError(t, err)
			route[i] = Hop{PubKey: keys[i].PubKey(), Payload: enc}
		}
		session := randPrivKey(t, r)
		ad := make([]byte, 32)
		r.Read(ad)
		pkt, secrets, err := NewPacket(session, route, ad)
		require.NoError(t, err, "trial %d (%d hops)", trial, n)

		cur := pkt
		for i := 0; i < n; i++ {
			// The hop knows the custom records it was sent (even ones
			// must be declared).
			var known []uint64
			for _, c := range payloads[i].Custom {
				known = append(known, c.Type)
			}
			proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: keys[i]}, KnownCustomTypes: known})
			require.NoError(t, err)
			// Round-trip the wire encoding on the way.
			var in Packet
			require.NoError(t, in.Decode(cur.Encode(nil)))
			out, err := proc.Process(&in, ad, testExpiry)
			require.NoError(t, err, "trial %d hop %d/%d", trial, i, n)
			require.Equal(t, route[i].Payload, out.RawPayload, "trial %d hop %d: payload differs", trial, i)
			require.True(t, reflect.DeepEqual(normalise(out.Payload), normalise(payloads[i])), "trial %d hop %d: decoded %+v want %+v", trial, i, out.Payload, payloads[i])
			require.Equal(t, secrets[i], out.SharedSecret, "trial %d hop %d: shared secret differs", trial, i)
			require.Equal(t, i == n-1, out.Final, "trial %d hop %d: final %v", trial, i, out.Final)
			cur = &out.Next
		}

		// Fail at a random hop and return the failure.
		src := r.Intn(n)
		fm := randFailure(r)
		msg, err := EncodeFailureMessage(nil, fm, nil)
		require.NoError(t, err)
		holds := make([]uint32, n)
		for i := range holds {
			holds[i] = r.Uint32() >> uint(r.Intn(32))
		}
		reason, attr, err := NewFailure(secrets[src], msg, FailureOptions{Attribution: true, HoldTime: holds[src]})
		require.NoError(t, err)
		for i := src - 1; i >= 0; i-- {
			ForwardFailure(secrets[i], reason, attr, holds[i])
		}
		got, err := DecryptFailure(secrets, reason, attr)
		require.NoError(t, err, "trial %d", trial)
		require.Equal(t, src, got.SenderIndex, "trial %d: sender %d want %d, attribution failed at %d", trial, got.SenderIndex, src, got.AttributionFailedAt)
		require.Equal(t, msg, got.Message, "trial %d: sender %d want %d, attribution failed at %d", trial, got.SenderIndex, src, got.AttributionFailedAt)
		require.Equal(t, -1, got.AttributionFailedAt, "trial %d: sender %d want %d, attribution failed at %d", trial, got.SenderIndex, src, got.AttributionFailedAt)
		wantHolds := holds[:min(src+1, MaxAttributionHops)]
		require.True(t, reflect.DeepEqual(got.HoldTimes, wantHolds), "trial %d: hold times %v want %v", trial, got.HoldTimes, wantHolds)
		dm, _, err := got.Decode()
		require.NoError(t, err)
		require.True(t, reflect.DeepEqual(dm, fm), "trial %d: failure %#v want %#v", trial, dm, fm)

		// A fulfill reports every hop's hold time.
		sa := NewSuccessAttribution(secrets[n-1], holds[n-1])
		for i := n - 2; i >= 0; i-- {
			ForwardSuccessAttribution(secrets[i], sa, holds[i])
		}
		gotHolds, err := DecryptSuccessAttribution(secrets, sa)
		require.NoError(t, err, "trial %d", trial)
		require.True(t, reflect.DeepEqual(gotHolds, holds[:min(n, MaxAttributionHops)]), "trial %d: success hold times %v want %v", trial, gotHolds, holds)
	}
}
