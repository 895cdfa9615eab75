package noise

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/lnkit/lnkit/internal/secp"
)

// benchSizes are the message sizes benchmarked: a small message, the largest
// message whose frame fits in 64 KiB, and the largest message.
var benchSizes = []int{100, 65536 - Overhead, MaxMessageSize}

// BenchmarkTransport measures encrypting and then decrypting one message,
// in bytes of message per second.
func BenchmarkTransport(b *testing.B) {
	for _, size := range benchSizes {
		rng := rand.New(rand.NewPCG(1, uint64(size)))
		msg := make([]byte, size)
		fillRandom(rng, msg)

		b.Run(fmt.Sprintf("size=%d/encrypt+decrypt", size), func(b *testing.B) {
			send, recv := cipherPair(rng)
			frame := make([]byte, 0, size+Overhead)
			plain := make([]byte, 0, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				frame, err = send.Encrypt(frame[:0], msg)
				if err != nil {
					b.Fatal(err)
				}
				plain, err = recv.Decrypt(plain[:0], frame)
				if err != nil {
					b.Fatal(err)
				}
			}
		})

		b.Run(fmt.Sprintf("size=%d/encrypt+decode", size), func(b *testing.B) {
			send, recv := cipherPair(rng)
			dec := NewDecoder(recv)
			frame, _ := send.Encrypt(make([]byte, 0, size+Overhead), msg)
			if _, _, err := dec.Decode(frame); err != nil { // grow the decoder's buffer
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				frame, err = send.Encrypt(frame[:0], msg)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err = dec.Decode(frame); err != nil {
					b.Fatal(err)
				}
			}
		})

		b.Run(fmt.Sprintf("size=%d/encrypt", size), func(b *testing.B) {
			send, _ := cipherPair(rng)
			frame := make([]byte, 0, size+Overhead)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if frame, err = send.Encrypt(frame[:0], msg); err != nil {
					b.Fatal(err)
				}
			}
		})

		// The AEAD alone, sealing and opening the same message once each,
		// for comparison with encrypt+decrypt.
		b.Run(fmt.Sprintf("size=%d/raw-chacha20poly1305", size), func(b *testing.B) {
			var key [32]byte
			fillRandom(rng, key[:])
			aead, err := chacha20poly1305.New(key[:])
			if err != nil {
				b.Fatal(err)
			}
			nonce := make([]byte, chacha20poly1305.NonceSize)
			sealed := make([]byte, 0, size+MACSize)
			plain := make([]byte, 0, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				sealed = aead.Seal(sealed[:0], nonce, msg, nil)
				plain, err = aead.Open(plain[:0], nonce, sealed, nil)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// handshakeFixture holds the BOLT 8 test keys and the acts they produce.
type handshakeFixture struct {
	initKey, respKey *LocalKey
	respPub          *btcec.PublicKey
	initEph, respEph *btcec.PrivateKey
	act1, act2, act3 []byte
}

func newHandshakeFixture(b *testing.B) *handshakeFixture {
	b.Helper()
	vecs := loadVectors(b)
	iv, rv := vecs.Initiator[0], vecs.Responder[0]
	fx := &handshakeFixture{
		initKey: localKey(b, iv.LSPriv),
		respKey: localKey(b, rv.LSPriv),
		initEph: privKey(b, iv.EPriv),
		respEph: privKey(b, rv.EPriv),
		act1:    unhex(b, rv.ActOneInput),
		act2:    unhex(b, iv.ActTwoInput),
		act3:    unhex(b, rv.ActThreeInput),
	}
	var err error
	fx.respPub, err = btcec.ParsePubKey(unhex(b, iv.RSPub))
	require.NoError(b, err)
	return fx
}

func (fx *handshakeFixture) initiator(b *testing.B, act2 []byte) []byte {
	b.Helper()
	hs, err := NewInitiator(fx.initKey, fx.respPub, fx.initEph)
	require.NoError(b, err)
	act1, err := hs.ActOne()
	require.NoError(b, err)
	if act2 == nil {
		return act1[:]
	}
	act3, err := hs.ProcessActTwo(act2)
	require.NoError(b, err)
	_, err = hs.Cipher()
	require.NoError(b, err)
	return act3[:]
}

// BenchmarkHandshake measures one side of a handshake (replaying the
// other side's recorded acts) and a full handshake of both sides.
func BenchmarkHandshake(b *testing.B) {
	fx := newHandshakeFixture(b)

	b.Run("initiator", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fx.initiator(b, fx.act2)
		}
	})

	b.Run("responder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			hs, err := NewResponder(fx.respKey, fx.respEph)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := hs.ProcessActOne(fx.act1); err != nil {
				b.Fatal(err)
			}
			if _, err := hs.ProcessActThree(fx.act3); err != nil {
				b.Fatal(err)
			}
			if _, err := hs.Cipher(); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			init, err := NewInitiator(fx.initKey, fx.respPub, fx.initEph)
			if err != nil {
				b.Fatal(err)
			}
			resp, err := NewResponder(fx.respKey, fx.respEph)
			if err != nil {
				b.Fatal(err)
			}
			act1, err := init.ActOne()
			if err != nil {
				b.Fatal(err)
			}
			act2, err := resp.ProcessActOne(act1[:])
			if err != nil {
				b.Fatal(err)
			}
			act3, err := init.ProcessActTwo(act2[:])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := resp.ProcessActThree(act3[:]); err != nil {
				b.Fatal(err)
			}
			if _, err := init.Cipher(); err != nil {
				b.Fatal(err)
			}
			if _, err := resp.Cipher(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkECDH measures the handshake's building blocks.
func BenchmarkECDH(b *testing.B) {
	fx := newHandshakeFixture(b)
	var p btcec.JacobianPoint
	fx.respPub.AsJacobian(&p)
	b.Run("ecdh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			secp.ECDHPoint(&fx.initEph.Key, &p)
		}
	})
	b.Run("basemult", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r btcec.JacobianPoint
			btcec.ScalarBaseMultNonConst(&fx.initEph.Key, &r)
			secp.Compress(&r)
		}
	})
	// toAffine against btcec's ToAffine, on a point with Z != 1.
	var q btcec.JacobianPoint
	btcec.ScalarMultNonConst(&fx.initEph.Key, &p, &q)
	b.Run("affine/big", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := q
			secp.ToAffine(&r)
		}
	})
	b.Run("affine/btcec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := q
			r.ToAffine()
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		key := fx.act1[1 : 1+pubKeySize]
		for b.Loop() {
			if !secp.ParseCompressed(key, &p) {
				b.Fatal("parse")
			}
		}
	})
	b.Run("hkdf", func(b *testing.B) {
		b.ReportAllocs()
		var ck, k [32]byte
		for b.Loop() {
			ck, k = hkdf(&ck, k[:])
		}
	})
}
