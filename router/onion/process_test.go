package onion

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/lnkit/lnkit/wire"
)

// rawPacket builds a one-hop packet for pub whose decrypted hop_payloads
// start with plain (whatever its framing), with a valid HMAC over ad.
func rawPacket(t testing.TB, session *btcec.PrivateKey, pub *btcec.PublicKey, plain []byte, ad []byte) *Packet {
	t.Helper()
	secrets, err := SharedSecrets(session, []*btcec.PublicKey{pub})
	if err != nil {
		t.Fatal(err)
	}
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
			if err != nil {
				t.Fatal(err)
			}
			ad := ad
			if tt.ad != nil {
				ad = tt.ad
			}
			pkt := tt.pkt()
			_, err = proc.Process(pkt, ad, testExpiry)
			var pe *ProcessError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ProcessError", err)
			}
			if pe.Code != tt.code || !errors.Is(err, tt.cause) {
				t.Fatalf("code %v (%v), want %v (%v)", pe.Code, err, tt.code, tt.cause)
			}
			if pe.PayloadType != tt.typ || pe.PayloadOffset != tt.offset {
				t.Fatalf("payload type %d offset %d, want %d %d", pe.PayloadType, pe.PayloadOffset, tt.typ, tt.offset)
			}
			if tt.hashSet != (pe.OnionHash != [32]byte{}) || (tt.hashSet && pe.OnionHash != pkt.Hash()) {
				t.Fatalf("onion hash %x", pe.OnionHash)
			}
			if pe.Code.IsBadOnion() != tt.hashSet {
				t.Fatalf("BADONION flag %v", pe.Code.IsBadOnion())
			}
			// The failure message to send back carries the same data.
			msg, err := EncodeFailureMessage(nil, pe.FailureMessage(), nil)
			if err != nil {
				t.Fatal(err)
			}
			back, _, err := DecodeFailureMessage(msg)
			if err != nil || back.Code() != pe.Code {
				t.Fatalf("failure message %v: %v", back, err)
			}
		})
	}
	// The good packet itself is accepted.
	proc, _ := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: node}})
	out, err := proc.Process(good(), ad, testExpiry)
	if err != nil || !out.Final {
		t.Fatalf("good packet: %v", err)
	}
}

func TestProcessReplay(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	node := randPrivKey(t, r)
	log, err := NewMemoryReplayLog(MemoryReplayLogConfig{MaxEntries: 8})
	if err != nil {
		t.Fatal(err)
	}
	proc, err := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: node}, ReplayLog: log})
	if err != nil {
		t.Fatal(err)
	}
	ad := make([]byte, 32)
	pkt := rawPacket(t, randPrivKey(t, r), node.PubKey(), framed(mustHex(t, "02020100040132"), 0), ad)
	if _, err := proc.Process(pkt, ad, testExpiry); err != nil {
		t.Fatal(err)
	}
	_, err = proc.Process(pkt, ad, testExpiry)
	var pe *ProcessError
	if !errors.As(err, &pe) || !errors.Is(err, ErrReplayed) || pe.Code != CodeTemporaryNodeFailure {
		t.Fatalf("replay: %v", err)
	}
	// A packet with a bad HMAC is not recorded.
	bad := rawPacket(t, randPrivKey(t, r), node.PubKey(), framed(mustHex(t, "02020100040132"), 0), ad)
	bad.HMAC[0] ^= 1
	if _, err := proc.Process(bad, ad, testExpiry); !errors.Is(err, ErrInvalidHMAC) {
		t.Fatal(err)
	}
	if log.Len() != 1 {
		t.Fatalf("log holds %d entries", log.Len())
	}
}

func TestSharedSecretRedacted(t *testing.T) {
	s := SharedSecret{0xab}
	if s.String() == "" || s.LogValue().String() != "redacted" {
		t.Fatal("not redacted")
	}
	p := PrivateKeyECDH{}
	if p.String() != "private_key_ecdh(redacted)" || p.LogValue().String() != "redacted" {
		t.Fatal("not redacted")
	}
	if _, err := p.ECDH(nil); !errors.Is(err, ErrECDH) {
		t.Fatal(err)
	}
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
			if _, _, err := NewPacket(tt.session, tt.route, nil); !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
		})
	}
	// The largest payload that fits is accepted, and so are 37 minimal hops.
	if _, _, err := NewPacket(session, []Hop{{PubKey: pub, Payload: big[:len(big)-1]}}, nil); err != nil {
		t.Fatal(err)
	}
	h := make([]Hop, 37)
	for i := range h {
		h[i] = Hop{PubKey: pub, Payload: []byte{1, 2}}
	}
	if _, _, err := NewPacket(session, h, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := SharedSecrets(session, []*btcec.PublicKey{nil}); !errors.Is(err, ErrInvalidHopKey) {
		t.Fatal(err)
	}
	var p Packet
	if err := p.Decode(make([]byte, PacketSize-1)); !errors.Is(err, ErrPacketSize) {
		t.Fatal(err)
	}
}

func TestProcessNil(t *testing.T) {
	proc, _ := NewProcessor(ProcessorConfig{ECDH: PrivateKeyECDH{Key: mustPriv(t, "01")}})
	for _, f := range []func() error{
		func() error { _, err := proc.Process(nil, nil, testExpiry); return err },
		func() error { _, err := proc.ProcessBlinded(nil, nil, testExpiry, nil); return err },
		func() error { _, err := proc.ProcessBlinded(&Packet{}, nil, testExpiry, nil); return err },
	} {
		var pe *ProcessError
		if err := f(); !errors.As(err, &pe) {
			t.Fatalf("error %v", err)
		}
	}
}
