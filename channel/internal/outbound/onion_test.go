package outbound

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// peel processes pkt hop by hop with the hops' keys, checks every
// intermediate payload against route, and returns the final payload and
// every hop's shared secret.
func peel(t *testing.T, route *router.Route, keys []*btcec.PrivateKey, pkt *onion.Packet, hash wire.PaymentHash) (onion.HopPayload, []onion.SharedSecret) {
	t.Helper()
	secrets := make([]onion.SharedSecret, len(keys))
	cltv := route.TotalCLTV
	for i, k := range keys {
		proc, err := onion.NewProcessor(onion.ProcessorConfig{ECDH: onion.PrivateKeyECDH{Key: k}})
		require.NoError(t, err)
		out, err := proc.Process(pkt, hash[:], cltv)
		require.NoError(t, err, "hop %d", i)
		secrets[i] = out.SharedSecret
		h := route.Hops[i]
		require.Equal(t, wire.Some(h.AmountToForward), out.Payload.AmountToForward, "hop %d", i)
		require.Equal(t, wire.Some(h.OutgoingCLTV), out.Payload.OutgoingCLTV, "hop %d", i)
		require.Equal(t, i == len(keys)-1, out.Final, "hop %d", i)
		if out.Final {
			require.False(t, out.Payload.ShortChannelID.Present)
			return out.Payload, secrets
		}
		require.Equal(t, wire.Some(route.Hops[i+1].ShortChannelID), out.Payload.ShortChannelID, "hop %d", i)
		require.False(t, out.Payload.PaymentData.Present, "hop %d", i)
		require.False(t, out.Payload.KeysendPreimage.Present, "hop %d", i)
		pkt, cltv = &out.Next, h.OutgoingCLTV
	}
	t.Fatal("no final hop")
	return onion.HopPayload{}, nil
}

func TestBuildOnion(t *testing.T) {
	secret := wire.PaymentSecret{5, 6}
	pre := wire.Preimage{8}
	tests := []struct {
		name      string
		hops      int
		final     router.FinalPayload
		keysend   bool
		wantTotal wire.MilliSatoshi // zero: no payment_data
	}{
		{name: "one hop", hops: 1, final: router.FinalPayload{PaymentSecret: secret}, wantTotal: testAmount},
		{name: "one hop, mpp total and metadata", hops: 1,
			final: router.FinalPayload{PaymentSecret: secret, TotalMsat: 3 * testAmount, Metadata: []byte{1, 2, 3}}, wantTotal: 3 * testAmount},
		{name: "three hops", hops: 3, final: router.FinalPayload{PaymentSecret: secret, Metadata: []byte("invoice metadata")}, wantTotal: testAmount},
		{name: "three hops keysend with secret", hops: 3, final: router.FinalPayload{PaymentSecret: secret}, keysend: true, wantTotal: testAmount},
		{name: "three hops keysend without secret", hops: 3, keysend: true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			route, keys := testRoute(t, tc.name, tc.hops, testAmount)
			hash := wire.PaymentHash{1}
			var ks *wire.Preimage
			if tc.keysend {
				ks, hash = &pre, pre.Hash()
			}
			pkt, err := BuildOnion(route, tc.final, ks, testSession(i+1), hash)
			require.NoError(t, err)
			final, _ := peel(t, route, keys, pkt, hash)

			if tc.wantTotal == 0 {
				require.False(t, final.PaymentData.Present)
			} else {
				require.Equal(t, wire.Some(onion.PaymentData{PaymentSecret: secret, TotalMsat: tc.wantTotal}), final.PaymentData)
			}
			if tc.final.Metadata != nil {
				require.Equal(t, wire.Some(tc.final.Metadata), final.PaymentMetadata)
			} else {
				require.False(t, final.PaymentMetadata.Present)
			}
			if tc.keysend {
				require.Equal(t, wire.Some(pre), final.KeysendPreimage)
			} else {
				require.False(t, final.KeysendPreimage.Present)
			}
		})
	}
}

func TestBuildOnionWrongHash(t *testing.T) {
	route, keys := testRoute(t, "hash", 2, testAmount)
	pkt, err := BuildOnion(route, router.FinalPayload{}, nil, testSession(1), wire.PaymentHash{1})
	require.NoError(t, err)
	proc, err := onion.NewProcessor(onion.ProcessorConfig{ECDH: onion.PrivateKeyECDH{Key: keys[0]}})
	require.NoError(t, err)
	_, err = proc.Process(pkt, []byte{2}, route.TotalCLTV)
	require.ErrorIs(t, err, onion.ErrInvalidHMAC, "the payment hash is the associated data")
}

func TestBuildOnionErrors(t *testing.T) {
	route, _ := testRoute(t, "errors", 2, testAmount)
	long, _ := testRoute(t, "errors", MaxHops+1, testAmount)
	badKey := *route
	badKey.Hops = append([]router.Hop{}, route.Hops...)
	badKey.Hops[1].NodeID = wire.NodeID{2}
	pre := wire.Preimage{1}
	tests := []struct {
		name    string
		route   *router.Route
		keysend *wire.Preimage
		session SessionKey
		err     error
	}{
		{"nil route", nil, nil, testSession(1), ErrInvalidRoute},
		{"no hops", &router.Route{}, nil, testSession(1), ErrInvalidRoute},
		{"too many hops", long, nil, testSession(1), ErrInvalidRoute},
		{"invalid node id", &badKey, nil, testSession(1), ErrInvalidRoute},
		{"zero session key", route, nil, SessionKey{}, onion.ErrInvalidSessionKey},
		{"keysend preimage of another hash", route, &pre, testSession(1), ErrWrongPreimage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BuildOnion(tc.route, router.FinalPayload{}, tc.keysend, tc.session, wire.PaymentHash{})
			require.ErrorIs(t, err, tc.err)
		})
	}
}

func TestPaymentOnion(t *testing.T) {
	pre := wire.Preimage{9}
	p, err := NewPayment(Request{ID: PaymentID{3}, KeysendPreimage: wire.Some(pre), Amount: testAmount})
	require.NoError(t, err)
	route, keys := testRoute(t, "route", 2, testAmount/2)
	i, err := p.AddAttempt(Attempt{SessionKey: testSession(1), Route: *route})
	require.NoError(t, err)
	pkt, err := p.Onion(i)
	require.NoError(t, err)
	final, secrets := peel(t, route, keys, pkt, p.Hash)
	require.Equal(t, wire.Some(pre), final.KeysendPreimage)
	require.False(t, final.PaymentData.Present, "keysend without a secret")

	got, err := p.Attempts[i].SharedSecrets()
	require.NoError(t, err)
	require.Equal(t, secrets, got)

	_, err = p.Onion(1)
	require.ErrorIs(t, err, ErrUnknownAttempt)
}

func TestPaymentOnionMPPTotal(t *testing.T) {
	p := testPayment(t)
	route, keys := testRoute(t, "route", 3, testAmount/4)
	i, err := p.AddAttempt(Attempt{SessionKey: testSession(1), Route: *route})
	require.NoError(t, err)
	pkt, err := p.Onion(i)
	require.NoError(t, err)
	final, _ := peel(t, route, keys, pkt, p.Hash)
	require.Equal(t, wire.Some(onion.PaymentData{PaymentSecret: p.Secret.Value, TotalMsat: testAmount}), final.PaymentData)
	require.Equal(t, wire.Some(p.Metadata), final.PaymentMetadata)
}
