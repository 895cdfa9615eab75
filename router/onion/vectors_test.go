package onion

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

type onionTestVector struct {
	Generate struct {
		SessionKey     string `json:"session_key"`
		AssociatedData string `json:"associated_data"`
		Hops           []struct {
			Pubkey  string `json:"pubkey"`
			Payload string `json:"payload"`
		} `json:"hops"`
	} `json:"generate"`
	Onion  string   `json:"onion"`
	Decode []string `json:"decode"`
}

// stripLength removes the BigSize length the vectors put before payloads.
func stripLength(t testing.TB, b []byte) []byte {
	t.Helper()
	l, n, err := wire.ReadBigSize(b)
	require.NoError(t, err, "payload framing: len %d", l)
	require.Equal(t, len(b)-n, int(l), "payload framing: len %d, %v", l, err)
	return b[n:]
}

func TestOnionVector(t *testing.T) {
	var v onionTestVector
	loadVector(t, "bolt04-onion-test.json", &v)
	session := mustPriv(t, v.Generate.SessionKey)
	ad := mustHex(t, v.Generate.AssociatedData)
	route := make([]Hop, len(v.Generate.Hops))
	for i, h := range v.Generate.Hops {
		route[i] = Hop{PubKey: mustPub(t, h.Pubkey), Payload: stripLength(t, mustHex(t, h.Payload))}
	}
	pkt, secrets, err := NewPacket(session, route, ad)
	require.NoError(t, err)
	hexEq(t, "onion", pkt.Encode(nil), v.Onion)

	// The error vector uses the same keys: its shared secrets must match.
	var ev onionErrorVector
	loadVector(t, "bolt04-onion-error-test.json", &ev)
	for i, h := range ev.Generate.Hops {
		hexEq(t, "shared secret", secrets[i][:], h.HopSharedSecret)
	}
	pubs := make([]*btcec.PublicKey, len(route))
	for i := range route {
		pubs[i] = route[i].PubKey
	}
	again, err := SharedSecrets(session, pubs)
	require.NoError(t, err)
	for i := range secrets {
		require.Equal(t, secrets[i], again[i], "SharedSecrets hop %d differs", i)
	}

	// Every hop peels its layer.
	require.Len(t, v.Decode, len(route), "%d decode keys for %d hops", len(v.Decode), len(route))
	var wire Packet
	require.NoError(t, wire.Decode(mustHex(t, v.Onion)))
	cur := &wire
	for i, k := range v.Decode {
		proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: mustPriv(t, k)}})
		require.NoError(t, err)
		out, err := proc.Process(cur, ad, testExpiry)
		require.NoError(t, err, "hop %d", i)
		hexEq(t, "payload", out.RawPayload, v.Generate.Hops[i].Payload[len(v.Generate.Hops[i].Payload)-2*len(route[i].Payload):])
		require.Equal(t, secrets[i], out.SharedSecret, "hop %d shared secret differs", i)
		final := i == len(route)-1
		require.Equal(t, final, out.Final, "hop %d: final = %v", i, out.Final)
		// A replay of the same packet is refused.
		_, err = proc.Process(cur, ad, testExpiry)
		require.Error(t, err, "hop %d accepted a replay", i)
		cur = &out.Next
	}
}

type onionErrorVector struct {
	Generate struct {
		SessionKey     string `json:"session_key"`
		FailureMessage string `json:"failure_message"`
		Hops           []struct {
			Pubkey          string `json:"pubkey"`
			HopSharedSecret string `json:"hop_shared_secret"`
			AmmagKey        string `json:"ammag_key"`
			UmKey           string `json:"um_key"`
			Payload         string `json:"payload"`
		} `json:"hops"`
	} `json:"generate"`
	ErrorPacket string `json:"errorpacket"`
}

func TestOnionErrorVector(t *testing.T) {
	var v onionErrorVector
	loadVector(t, "bolt04-onion-error-test.json", &v)
	session := mustPriv(t, v.Generate.SessionKey)
	hops := v.Generate.Hops
	pubs := make([]*btcec.PublicKey, len(hops))
	for i, h := range hops {
		pubs[i] = mustPub(t, h.Pubkey)
	}
	secrets, err := SharedSecrets(session, pubs)
	require.NoError(t, err)
	for i, h := range hops {
		hexEq(t, "shared secret", secrets[i][:], h.HopSharedSecret)
		ammag := generateKey(keyAmmag, (*[32]byte)(&secrets[i]))
		hexEq(t, "ammag key", ammag[:], h.AmmagKey)
		if h.UmKey != "" {
			um := generateKey(keyUm, (*[32]byte)(&secrets[i]))
			hexEq(t, "um key", um[:], h.UmKey)
		}
	}

	// The erring node (the last) builds the packet; its body (without the
	// HMAC) is the vector's payload.
	last := len(hops) - 1
	msg := mustHex(t, v.Generate.FailureMessage)
	reason, attr, err := NewFailure(secrets[last], msg, FailureOptions{})
	require.NoError(t, err)
	require.Nil(t, attr, "attribution data without asking")
	raw := append([]byte(nil), reason...)
	ammag := generateKey(keyAmmag, (*[32]byte)(&secrets[last]))
	xorStream(&ammag, raw, 0)
	hexEq(t, "payload", raw[HMACSize:], hops[last].Payload)

	for i := last - 1; i >= 0; i-- {
		ForwardFailure(secrets[i], reason, nil, 0)
	}
	hexEq(t, "error packet", reason, v.ErrorPacket)

	got, err := DecryptFailure(secrets, reason, nil)
	require.NoError(t, err)
	require.Equal(t, last, got.SenderIndex, "sender %d, want %d", got.SenderIndex, last)
	hexEq(t, "failure message", got.Message, v.Generate.FailureMessage)
	m, _, err := got.Decode()
	require.NoError(t, err)
	_, ok := m.(*TemporaryNodeFailure)
	require.True(t, ok, "decoded %T", m)
}

type attributableVector struct {
	Hops []struct {
		Index        int    `json:"index"`
		Pubkey       string `json:"pubkey"`
		HTLCHoldTime uint32 `json:"htlc_hold_time"`
	} `json:"hops"`
	SessionKey        string `json:"session_key"`
	FailureSourceNode int    `json:"failure_source_node"`
	FailureMessage    struct {
		Name     string `json:"name"`
		HTLCMsat uint64 `json:"htlc_msat"`
		Height   uint32 `json:"height"`
		TLV      struct {
			Type  uint64 `json:"type"`
			Value string `json:"value"`
		} `json:"tlv"`
	} `json:"failure_message"`
	Creating struct {
		EncodedFailureMessage string `json:"encoded_failure_message"`
		SharedSecret          string `json:"shared_secret"`
		Payload               string `json:"payload"`
		UmKey                 string `json:"um_key"`
		RawErrorPacket        string `json:"raw_error_packet"`
	} `json:"creating_error_message"`
	Forwarding []struct {
		SharedSecret    string `json:"shared_secret"`
		AmmagKey        string `json:"ammag_key"`
		Stream          string `json:"stream"`
		ErrorPacket     string `json:"error_packet"`
		AttributionData string `json:"attribution_data"`
		Node            int    `json:"node"`
	} `json:"forwarding"`
	ReturningSuccess struct {
		AttributionData []struct {
			Node            int    `json:"node"`
			AttributionData string `json:"attribution_data"`
		} `json:"attribution_data"`
	} `json:"returning_success"`
}

func TestAttributableErrorVector(t *testing.T) {
	var v attributableVector
	loadVector(t, "bolt04-attributable-errors.json", &v)
	session := mustPriv(t, v.SessionKey)
	pubs := make([]*btcec.PublicKey, len(v.Hops))
	holds := make([]uint32, len(v.Hops))
	for i, h := range v.Hops {
		require.Equal(t, i, h.Index, "hop %d has index %d", i, h.Index)
		pubs[i] = mustPub(t, h.Pubkey)
	}
	// The vector's htlc_hold_time[i] is the hold time of the i-th node to
	// handle the failure on its way back: the erring node (the last hop)
	// reports htlc_hold_time[0]. Map them onto route order.
	for i, h := range v.Hops {
		holds[len(v.Hops)-1-i] = h.HTLCHoldTime
	}
	secrets, err := SharedSecrets(session, pubs)
	require.NoError(t, err)
	src := v.FailureSourceNode
	require.Equal(t, len(v.Hops)-1, src, "failure source %d: the trace below expects the last hop", src)

	// Creating the failure.
	fm := v.FailureMessage
	require.Equal(t, "incorrect_or_unknown_payment_details", fm.Name, "unexpected failure %s", fm.Name)
	ext := wire.TLVRecords{{Type: fm.TLV.Type, Value: mustHex(t, fm.TLV.Value)}}
	msg, err := EncodeFailureMessage(nil, &IncorrectOrUnknownPaymentDetails{HTLCMsat: wire.MilliSatoshi(fm.HTLCMsat), Height: fm.Height}, ext)
	require.NoError(t, err)
	// The vector's "encoded_failure_message" runs on into pad_len and pad.
	enc := mustHex(t, v.Creating.EncodedFailureMessage)
	hexEq(t, "encoded failure message", msg, toHex(enc[:len(msg)]))
	hexEq(t, "shared secret", secrets[src][:], v.Creating.SharedSecret)
	um := generateKey(keyUm, (*[32]byte)(&secrets[src]))
	hexEq(t, "um key", um[:], v.Creating.UmKey)
	rawWant := mustHex(t, v.Creating.RawErrorPacket)
	padded := len(rawWant) - minFailurePacketSize
	reason, attr, err := NewFailure(secrets[src], msg, FailureOptions{PaddedLen: padded, Attribution: true, HoldTime: holds[src]})
	require.NoError(t, err)
	raw := append([]byte(nil), reason...)
	ammag := generateKey(keyAmmag, (*[32]byte)(&secrets[src]))
	xorStream(&ammag, raw, 0)
	hexEq(t, "payload", raw[HMACSize:], v.Creating.Payload)
	hexEq(t, "raw error packet", raw, v.Creating.RawErrorPacket)

	// Forwarding: the erring node's own obfuscation, then every hop back.
	for k, f := range v.Forwarding {
		node := f.Node
		require.Equal(t, src-k, node, "forwarding step %d is node %d", k, node)
		hexEq(t, "shared secret", secrets[node][:], f.SharedSecret)
		ammag := generateKey(keyAmmag, (*[32]byte)(&secrets[node]))
		hexEq(t, "ammag key", ammag[:], f.AmmagKey)
		stream := make([]byte, len(reason))
		xorStream(&ammag, stream, 0)
		hexEq(t, "stream", stream, f.Stream)
		if node != src {
			ForwardFailure(secrets[node], reason, attr, holds[node])
		}
		hexEq(t, "error packet", reason, f.ErrorPacket)
		hexEq(t, "attribution data", attr[:], f.AttributionData)
	}

	got, err := DecryptFailure(secrets, reason, attr)
	require.NoError(t, err)
	require.Equal(t, src, got.SenderIndex, "sender %d, attribution failed at %d", got.SenderIndex, got.AttributionFailedAt)
	require.Equal(t, -1, got.AttributionFailedAt, "sender %d, attribution failed at %d", got.SenderIndex, got.AttributionFailedAt)
	require.Len(t, got.HoldTimes, len(holds), "hold times %v, want %v", got.HoldTimes, holds)
	for i := range holds {
		require.Equal(t, holds[i], got.HoldTimes[i], "hold times %v, want %v", got.HoldTimes, holds)
	}
	m, gotExt, err := got.Decode()
	require.NoError(t, err)
	d, ok := m.(*IncorrectOrUnknownPaymentDetails)
	require.True(t, ok, "decoded %#v", m)
	require.Equal(t, fm.HTLCMsat, uint64(d.HTLCMsat), "decoded %#v", m)
	require.Equal(t, fm.Height, d.Height, "decoded %#v", m)
	require.Len(t, gotExt, 1, "extension %v", gotExt)
	require.Equal(t, fm.TLV.Type, gotExt[0].Type, "extension %v", gotExt)
	require.Equal(t, fm.TLV.Value, toHex(gotExt[0].Value), "extension %v", gotExt)

	// Data altered on the link from hop `bad` to its predecessor is
	// blamed on hop `bad`: its HMAC no longer verifies, while the HMACs
	// of the hops before it cover the altered data.
	for bad := 0; bad <= src; bad++ {
		// Its hold time, its HMAC for its position, and a downstream HMAC
		// its HMAC covers.
		for _, flip := range []int{0, holdTimesSize + 4*bad + 3, holdTimesSize + 4*(blockStart(1)+bad)} {
			r, a, err := NewFailure(secrets[src], msg, FailureOptions{PaddedLen: padded, Attribution: true, HoldTime: holds[src]})
			require.NoError(t, err)
			for node := src; node >= 0; node-- {
				if node != src {
					ForwardFailure(secrets[node], r, a, holds[node])
				}
				if node == bad {
					a[flip] ^= 0x10
				}
			}
			got, err := DecryptFailure(secrets, r, a)
			require.NoError(t, err)
			require.Equal(t, bad, got.AttributionFailedAt, "tamper after hop %d at byte %d: attribution failed at %d, sender %d, holds %v", bad, flip, got.AttributionFailedAt, got.SenderIndex, got.HoldTimes)
			require.Equal(t, src, got.SenderIndex, "tamper after hop %d at byte %d: attribution failed at %d, sender %d, holds %v", bad, flip, got.AttributionFailedAt, got.SenderIndex, got.HoldTimes)
			require.Len(t, got.HoldTimes, bad, "tamper after hop %d at byte %d: attribution failed at %d, sender %d, holds %v", bad, flip, got.AttributionFailedAt, got.SenderIndex, got.HoldTimes)
		}
	}

	// Success: the same hops report their hold times with a fulfill.
	succ := v.ReturningSuccess.AttributionData
	var sa *AttributionData
	for k, s := range succ {
		node := s.Node
		require.Equal(t, src-k, node, "success step %d is node %d", k, node)
		if sa == nil {
			sa = NewSuccessAttribution(secrets[node], holds[node])
		} else {
			ForwardSuccessAttribution(secrets[node], sa, holds[node])
		}
		hexEq(t, "success attribution data", sa[:], s.AttributionData)
	}
	gotHolds, err := DecryptSuccessAttribution(secrets, sa)
	require.NoError(t, err)
	for i := range holds {
		require.Equal(t, holds[i], gotHolds[i], "success hold times %v, want %v", gotHolds, holds)
	}
}
