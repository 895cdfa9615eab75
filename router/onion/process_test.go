package onion

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// rawPacket builds a one-hop packet for pub whose decrypted hop_payloads
// start with plain (whatever its framing), with a valid HMAC over ad.
func rawPacket(t testing.TB, session *btcec.PrivateKey, pub *btcec.PublicKey, plain []byte, ad []byte) *Packet {
	t.Helper()
	secrets, err := SharedSecrets(session, []*btcec.PublicKey{pub})
	require.NoError(t, err)
	pkt := &Packet{Version: Version, EphemeralKey: wire.NewPoint(session.PubKey())}
	copy(pkt.HopPayloads[:], plain)
	rho := generateKey(keyRho, (*[32]byte)(&secrets[0]))
	xorStream(&rho, pkt.HopPayloads[:], 0)
	mu := generateKey(keyMu, (*[32]byte)(&secrets[0]))
	pkt.HMAC = hmac256(&mu, pkt.HopPayloads[:], ad)
	return pkt
}

// framed returns a BigSize-framed payload followed by a next HMAC.
func framed(payload []byte, nextHMAC byte) []byte {
	b := wire.AppendBigSize(nil, uint64(len(payload)))
	b = append(b, payload...)
	for i := 0; i < HMACSize; i++ {
		b = append(b, nextHMAC)
	}
	return b
}

type failingECDH struct{}

func (failingECDH) ECDH(*btcec.PublicKey) ([32]byte, error) {
	return [32]byte{}, errors.New("hsm unavailable")
}

func TestProcessFailures(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	node := randPrivKey(t, r)
	session := randPrivKey(t, r)
	ad := []byte("payment hash payment hash 32 by")
	finalPayload := mustHex(t, "02020100040132")
	good := func() *Packet { return rawPacket(t, session, node.PubKey(), framed(finalPayload, 0), ad) }

	tests := []struct {
		name    string
		pkt     func() *Packet
		ad      []byte
		ecdh    ECDH
		code    FailureCode
		cause   error
		typ     uint64
		offset  uint16
		hashSet bool
	}{
		{name: "version", pkt: func() *Packet { p := good(); p.Version = 1; return p }, code: CodeInvalidOnionVersion, cause: ErrInvalidVersion, hashSet: true},
		{name: "key prefix", pkt: func() *Packet { p := good(); p.EphemeralKey[0] = 0x04; return p }, code: CodeInvalidOnionKey, cause: ErrInvalidKey, hashSet: true},
		{name: "key not on curve", pkt: func() *Packet {
			p := good()
			p.EphemeralKey = wire.Point(mustHex(t, "02"+"0000000000000000000000000000000000000000000000000000000000000005"))
			return p
		}, code: CodeInvalidOnionKey, cause: ErrInvalidKey, hashSet: true},
		{name: "key x above p", pkt: func() *Packet {
			p := good()
			p.EphemeralKey = wire.Point(mustHex(t, "03"+"fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc30"))
			return p
		}, code: CodeInvalidOnionKey, cause: ErrInvalidKey, hashSet: true},
		{name: "zero key", pkt: func() *Packet { p := good(); p.EphemeralKey = wire.Point{}; return p }, code: CodeInvalidOnionKey, cause: ErrInvalidKey, hashSet: true},
		{name: "hmac", pkt: func() *Packet { p := good(); p.HMAC[5] ^= 1; return p }, code: CodeInvalidOnionHMAC, cause: ErrInvalidHMAC, hashSet: true},
		{name: "payloads", pkt: func() *Packet { p := good(); p.HopPayloads[1299] ^= 1; return p }, code: CodeInvalidOnionHMAC, cause: ErrInvalidHMAC, hashSet: true},
		{name: "associated data", pkt: good, ad: []byte("other"), code: CodeInvalidOnionHMAC, cause: ErrInvalidHMAC, hashSet: true},
		{name: "another node's key", pkt: func() *Packet {
			return rawPacket(t, session, randPrivKey(t, r).PubKey(), framed(finalPayload, 0), ad)
		}, code: CodeInvalidOnionHMAC, cause: ErrInvalidHMAC, hashSet: true},
		{name: "ecdh failure", pkt: good, ecdh: failingECDH{}, code: CodeTemporaryNodeFailure, cause: ErrECDH},
		{name: "legacy zero length", pkt: func() *Packet { return rawPacket(t, session, node.PubKey(), []byte{0}, ad) }, code: CodeInvalidOnionPayload, cause: ErrInvalidPayload},
		{name: "length one", pkt: func() *Packet { return rawPacket(t, session, node.PubKey(), []byte{1, 2}, ad) }, code: CodeInvalidOnionPayload, cause: ErrInvalidPayload},
		{name: "length not canonical", pkt: func() *Packet { return rawPacket(t, session, node.PubKey(), []byte{0xfd, 0, 5}, ad) }, code: CodeInvalidOnionPayload, cause: wire.ErrNonCanonical},
		{name: "length beyond packet", pkt: func() *Packet {
			return rawPacket(t, session, node.PubKey(), []byte{0xfd, 0x05, 0x00}, ad)
		}, code: CodeInvalidOnionPayload, cause: ErrInvalidPayload},
		{name: "length leaves no hmac", pkt: func() *Packet {
			return rawPacket(t, session, node.PubKey(), []byte{0xfd, 0x04, 0xf2}, ad)
		}, code: CodeInvalidOnionPayload, cause: ErrInvalidPayload},
		{name: "huge length", pkt: func() *Packet {
			return rawPacket(t, session, node.PubKey(), []byte{0xff, 1, 2, 3, 4, 5, 6, 7, 8}, ad)
		}, code: CodeInvalidOnionPayload, cause: ErrInvalidPayload},
		{name: "bad tlv", pkt: func() *Packet {
			return rawPacket(t, session, node.PubKey(), framed(mustHex(t, "0202010004013206"), 0), ad)
		}, code: CodeInvalidOnionPayload, cause: wire.ErrTruncated, typ: 6, offset: 7},
		{name: "types out of order", pkt: func() *Packet {
			return rawPacket(t, session, node.PubKey(), framed(mustHex(t, "0202010004013200"), 0), ad)
		}, code: CodeInvalidOnionPayload, cause: wire.ErrTLVOrder, typ: 0, offset: 7},
		{name: "unknown even type", pkt: func() *Packet {
			return rawPacket(t, session, node.PubKey(), framed(mustHex(t, "020201000401320e00"), 0), ad)
		}, code: CodeInvalidOnionPayload, cause: wire.ErrUnknownEvenType, typ: 14, offset: 7},
		{name: "not minimal", pkt: func() *Packet {
			return rawPacket(t, session, node.PubKey(), framed(mustHex(t, "0202010004020032"), 0), ad)
		}, code: CodeInvalidOnionPayload, cause: wire.ErrNotMinimal, typ: 4, offset: 4},
		{name: "intermediate without channel", pkt: func() *Packet {
			return rawPacket(t, session, node.PubKey(), framed(finalPayload, 1), ad)
		}, code: CodeInvalidOnionPayload, cause: ErrInvalidPayload, typ: TypeShortChannelID},
		{name: "missing amount", pkt: func() *Packet {
			return rawPacket(t, session, node.PubKey(), framed(mustHex(t, "040132"), 0), ad)
		}, code: CodeInvalidOnionPayload, cause: ErrInvalidPayload, typ: TypeAmountToForward},
		{name: "introduction node payload error", pkt: func() *Packet {
			// Blinded intermediate hop with a stray amount.
			p := mustHex(t, "0201010a0101"+"0c21"+"02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619")
			return rawPacket(t, session, node.PubKey(), framed(p, 1), ad)
		}, code: CodeInvalidOnionBlinding, cause: ErrInvalidPayload, typ: TypeAmountToForward, hashSet: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ecdh := tt.ecdh
			if ecdh == nil {
				ecdh = PrivateKeyECDH{Key: node}
			}
			proc, err := NewProcessor(ProcessorConfig{ECDH: ecdh})
			require.NoError(t, err)
			ad := ad
			if tt.ad != nil {
				ad = tt.ad
			}
			pkt := tt.pkt()
			_, err = proc.Process(pkt, ad, testExpiry)
			var pe *ProcessError
			require.ErrorAs(t, err, &pe, "error %v is not a *ProcessError", err)
			require.Equal(t, tt.code, pe.Code, "code %v (%v), want %v (%v)", pe.Code, err, tt.code, tt.cause)
			require.ErrorIs(t, err, tt.cause, "code %v (%v), want %v (%v)", pe.Code, err, tt.code, tt.cause)
			require.Equal(t, tt.typ, pe.PayloadType, "payload type %d offset %d, want %d %d", pe.PayloadType, pe.PayloadOffset, tt.typ, tt.offset)
			require.Equal(t, tt.offset, pe.PayloadOffset, "payload type %d offset %d, want %d %d", pe.PayloadType, pe.PayloadOffset, tt.typ, tt.offset)
			if tt.hashSet {
				require.Equal(t, pkt.Hash(), pe.OnionHash, "onion hash")
			} else {
				require.Equal(t, [32]byte{}, pe.OnionHash, "onion hash")
			}
			require.Equal(t, tt.hashSet, pe.Code.IsBadOnion(), "BADONION flag %v", pe.Code.IsBadOnion())
			// The failure message to send back carries the same data.
			msg, err := EncodeFailureMessage(nil, pe.FailureMessage(), nil)
			require.NoError(t, err)
			back, _, err := DecodeFailureMessage(msg)
			require.NoError(t, err, "failure message %v", back)
			require.Equal(t, pe.Code, back.Code(), "failure message %v: %v", back, err)
		})
	}
	// The good packet itself is accepted.
	proc, _ := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: node}})
	out, err := proc.Process(good(), ad, testExpiry)
	require.NoError(t, err, "good packet")
	require.True(t, out.Final, "good packet: %v", err)
}

func TestProcessReplay(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	node := randPrivKey(t, r)
	log, err := NewMemoryReplayLog(MemoryReplayLogConfig{MaxEntries: 8})
	require.NoError(t, err)
	proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: node}, ReplayLog: log})
	require.NoError(t, err)
	ad := make([]byte, 32)
	pkt := rawPacket(t, randPrivKey(t, r), node.PubKey(), framed(mustHex(t, "02020100040132"), 0), ad)
	_, err = proc.Process(pkt, ad, testExpiry)
	require.NoError(t, err)
	_, err = proc.Process(pkt, ad, testExpiry)
	var pe *ProcessError
	require.ErrorAs(t, err, &pe, "replay: %v", err)
	require.ErrorIs(t, err, ErrReplayed, "replay: %v", err)
	require.Equal(t, CodeTemporaryNodeFailure, pe.Code, "replay: %v", err)
	// A packet with a bad HMAC is not recorded.
	bad := rawPacket(t, randPrivKey(t, r), node.PubKey(), framed(mustHex(t, "02020100040132"), 0), ad)
	bad.HMAC[0] ^= 1
	_, err = proc.Process(bad, ad, testExpiry)
	require.ErrorIs(t, err, ErrInvalidHMAC)
	require.Equal(t, 1, log.Len(), "log holds %d entries", log.Len())
}

func TestSharedSecretRedacted(t *testing.T) {
	s := SharedSecret{0xab}
	require.NotEqual(t, "", s.String(), "not redacted")
	require.Equal(t, "redacted", s.LogValue().String(), "not redacted")
	p := PrivateKeyECDH{}
	require.Equal(t, "private_key_ecdh(redacted)", p.String(), "not redacted")
	require.Equal(t, "redacted", p.LogValue().String(), "not redacted")
	_, err := p.ECDH(nil)
	require.ErrorIs(t, err, ErrECDH)
}

func TestNewPacketErrors(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	session := randPrivKey(t, r)
	pub := randPrivKey(t, r).PubKey()
	big := make([]byte, 1300-3-32+1)
	tests := []struct {
		name    string
		session *btcec.PrivateKey
		route   []Hop
		err     error
	}{
		{"empty", session, nil, ErrEmptyRoute},
		{"no session", nil, []Hop{{PubKey: pub, Payload: []byte{1, 2}}}, ErrInvalidSessionKey},
		{"short payload", session, []Hop{{PubKey: pub, Payload: []byte{1}}}, ErrPayloadTooShort},
		{"nil key", session, []Hop{{Payload: []byte{1, 2}}}, ErrInvalidHopKey},
		{"too large", session, []Hop{{PubKey: pub, Payload: big}}, ErrRouteTooLarge},
		{"too many hops", session, func() []Hop {
			h := make([]Hop, 38)
			for i := range h {
				h[i] = Hop{PubKey: pub, Payload: []byte{1, 2}}
			}
			return h
		}(), ErrRouteTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := NewPacket(tt.session, tt.route, nil)
			require.ErrorIs(t, err, tt.err, "error %v, want %v", err, tt.err)
		})
	}
	// The largest payload that fits is accepted, and so are 37 minimal hops.
	_, _, err := NewPacket(session, []Hop{{PubKey: pub, Payload: big[:len(big)-1]}}, nil)
	require.NoError(t, err)
	h := make([]Hop, 37)
	for i := range h {
		h[i] = Hop{PubKey: pub, Payload: []byte{1, 2}}
	}
	_, _, err = NewPacket(session, h, nil)
	require.NoError(t, err)
	_, err = SharedSecrets(session, []*btcec.PublicKey{nil})
	require.ErrorIs(t, err, ErrInvalidHopKey)
	var p Packet
	require.ErrorIs(t, p.Decode(make([]byte, PacketSize-1)), ErrPacketSize)
}

func TestProcessNil(t *testing.T) {
	proc, _ := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: mustPriv(t, "01")}})
	for _, f := range []func() error{
		func() error { _, err := proc.Process(nil, nil, testExpiry); return err },
		func() error { _, err := proc.ProcessBlinded(nil, nil, testExpiry, nil); return err },
		func() error { _, err := proc.ProcessBlinded(&Packet{}, nil, testExpiry, nil); return err },
	} {
		var pe *ProcessError
		err := f()
		require.ErrorAs(t, err, &pe, "error %v", err)
	}
}
