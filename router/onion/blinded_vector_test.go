package onion

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
)

type blindedPaymentVector struct {
	Generate struct {
		SessionKey     string `json:"session_key"`
		AssociatedData string `json:"associated_data"`
		FullRoute      struct {
			Hops []struct {
				Alias   string `json:"alias"`
				Pubkey  string `json:"pubkey"`
				Payload string `json:"payload"`
			} `json:"hops"`
		} `json:"full_route"`
		Onion string `json:"onion"`
	} `json:"generate"`
	Decrypt struct {
		Hops []struct {
			Alias       string `json:"alias"`
			Onion       string `json:"onion"`
			NodePrivkey string `json:"node_privkey"`
			NextPathKey string `json:"next_path_key"`
		} `json:"hops"`
	} `json:"decrypt"`
}

// TestBlindedPaymentOnionVector builds the onion of a route that ends in a
// blinded path and peels it hop by hop: the hops after the introduction
// node get the path key of update_add_htlc and use ProcessBlinded.
func TestBlindedPaymentOnionVector(t *testing.T) {
	var v blindedPaymentVector
	loadVector(t, "bolt04-blinded-payment-onion-test.json", &v)
	g := v.Generate
	ad := mustHex(t, g.AssociatedData)
	route := make([]Hop, len(g.FullRoute.Hops))
	for i, h := range g.FullRoute.Hops {
		route[i] = Hop{PubKey: mustPub(t, h.Pubkey), Payload: stripLength(t, mustHex(t, h.Payload))}
	}
	pkt, _, err := NewPacket(mustPriv(t, g.SessionKey), route, ad)
	require.NoError(t, err)
	hexEq(t, "onion", pkt.Encode(nil), g.Onion)

	hops := v.Decrypt.Hops
	require.Len(t, hops, len(route), "%d decrypt hops for %d route hops", len(hops), len(route))
	var pathKey *btcec.PublicKey
	for i, h := range hops {
		var in Packet
		require.NoError(t, in.Decode(mustHex(t, h.Onion)))
		proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: mustPriv(t, h.NodePrivkey)}})
		require.NoError(t, err)
		var out *ProcessedPacket
		if pathKey == nil {
			out, err = proc.Process(&in, ad, testExpiry)
		} else {
			out, err = proc.ProcessBlinded(&in, ad, testExpiry, pathKey)
		}
		require.NoError(t, err, "%s", h.Alias)
		hexEq(t, h.Alias+" payload", out.RawPayload, toHex(route[i].Payload))
		if i+1 < len(hops) {
			hexEq(t, h.Alias+" next onion", out.Next.Encode(nil), hops[i+1].Onion)
		} else {
			require.True(t, out.Final, "%s is not final", h.Alias)
		}
		if h.NextPathKey != "" {
			pathKey = mustPub(t, h.NextPathKey)
		}

		// Without the path key (or with a wrong one), a blinded hop cannot
		// read its layer, and inside a blinded route every failure is
		// invalid_onion_blinding.
		if i >= 2 {
			proc, _ := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: mustPriv(t, h.NodePrivkey)}})
			_, err := proc.ProcessBlinded(&in, ad, testExpiry, mustPub(t, g.FullRoute.Hops[0].Pubkey))
			var pe *ProcessError
			require.ErrorAs(t, err, &pe, "%s with a wrong path key: %v", h.Alias, err)
			require.Equal(t, CodeInvalidOnionBlinding, pe.Code, "%s with a wrong path key: %v", h.Alias, err)
			require.Equal(t, in.Hash(), pe.OnionHash, "%s with a wrong path key: %v", h.Alias, err)
		}
	}
}
