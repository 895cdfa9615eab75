package noise

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// randomKey returns a deterministic pseudo-random private key.
func randomKey(tb testing.TB, rng *rand.Rand) *btcec.PrivateKey {
	tb.Helper()
	for {
		var b [32]byte
		fillRandom(rng, b[:])
		var s btcec.ModNScalar
		if overflow := s.SetBytes(&b); overflow == 0 && !s.IsZero() {
			return btcec.PrivKeyFromScalar(&s)
		}
	}
}

// pair holds both sides of a handshake between two random nodes.
type pair struct {
	initKey, respKey *LocalKey
	init             *Initiator
	resp             *Responder
}

func newPair(tb testing.TB, rng *rand.Rand) *pair {
	tb.Helper()
	initPriv, respPriv := randomKey(tb, rng), randomKey(tb, rng)
	p := &pair{}
	var err error
	p.initKey, err = NewLocalKey(initPriv)
	require.NoError(tb, err)
	p.respKey, err = NewLocalKey(respPriv)
	require.NoError(tb, err)
	p.init, err = NewInitiator(p.initKey, respPriv.PubKey(), randomKey(tb, rng))
	require.NoError(tb, err)
	p.resp, err = NewResponder(p.respKey, randomKey(tb, rng))
	require.NoError(tb, err)
	return p
}

// run completes the handshake and returns the initiator's and responder's
// ciphers.
func (p *pair) run(tb testing.TB) (*Cipher, *Cipher) {
	tb.Helper()
	act1, err := p.init.ActOne()
	require.NoError(tb, err)
	act2, err := p.resp.ProcessActOne(act1[:])
	require.NoError(tb, err)
	act3, err := p.init.ProcessActTwo(act2[:])
	require.NoError(tb, err)
	remote, err := p.resp.ProcessActThree(act3[:])
	require.NoError(tb, err)
	require.Equal(tb, p.initKey.NodeID(), remote)
	ci, err := p.init.Cipher()
	require.NoError(tb, err)
	cr, err := p.resp.Cipher()
	require.NoError(tb, err)
	return ci, cr
}

func TestHandshakeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	for i := range 20 {
		p := newPair(t, rng)
		ci, cr := p.run(t)
		require.Equal(t, p.respKey.NodeID(), p.init.RemoteNodeID())
		require.Equal(t, ci.send.k, cr.recv.k)
		require.Equal(t, ci.recv.k, cr.send.k)
		require.NotEqual(t, ci.send.k, ci.recv.k)

		for j, pr := range [][2]*Cipher{{ci, cr}, {cr, ci}} {
			msg := []byte(fmt.Sprintf("message %d/%d", i, j))
			frame, err := pr[0].Encrypt(nil, msg)
			require.NoError(t, err)
			got, err := pr[1].Decrypt(nil, frame)
			require.NoError(t, err)
			require.Equal(t, msg, got)
		}
	}
}

func TestHandshakeWrongResponderKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	p := newPair(t, rng)
	// The initiator believes the responder has another key.
	var err error
	p.init, err = NewInitiator(p.initKey, randomKey(t, rng).PubKey(), randomKey(t, rng))
	require.NoError(t, err)
	act1, err := p.init.ActOne()
	require.NoError(t, err)
	_, err = p.resp.ProcessActOne(act1[:])
	require.ErrorIs(t, err, ErrBadTag)
	var actErr *ActError
	require.ErrorAs(t, err, &actErr)
	require.Equal(t, "ACT1_BAD_TAG", actErr.Code())
}

func TestHandshakeOutOfOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 15))

	t.Run("initiator", func(t *testing.T) {
		p := newPair(t, rng)
		_, err := p.init.ProcessActTwo(make([]byte, ActTwoSize))
		require.ErrorIs(t, err, ErrOutOfOrder)
		_, err = p.init.Cipher()
		require.ErrorIs(t, err, ErrOutOfOrder)
		act1, err := p.init.ActOne()
		require.NoError(t, err)
		_, err = p.init.ActOne()
		require.ErrorIs(t, err, ErrOutOfOrder)
		_, err = p.init.Cipher()
		require.ErrorIs(t, err, ErrOutOfOrder)
		act2, err := p.resp.ProcessActOne(act1[:])
		require.NoError(t, err)
		act3, err := p.init.ProcessActTwo(act2[:])
		require.NoError(t, err)
		_, err = p.init.ProcessActTwo(act2[:])
		require.ErrorIs(t, err, ErrOutOfOrder)
		_, err = p.resp.ProcessActThree(act3[:])
		require.NoError(t, err)
		_, err = p.init.Cipher()
		require.NoError(t, err)
		_, err = p.init.Cipher()
		require.ErrorIs(t, err, ErrOutOfOrder)
	})

	t.Run("responder", func(t *testing.T) {
		p := newPair(t, rng)
		_, err := p.resp.ProcessActThree(make([]byte, ActThreeSize))
		require.ErrorIs(t, err, ErrOutOfOrder)
		_, err = p.resp.Cipher()
		require.ErrorIs(t, err, ErrOutOfOrder)
		act1, err := p.init.ActOne()
		require.NoError(t, err)
		act2, err := p.resp.ProcessActOne(act1[:])
		require.NoError(t, err)
		_, err = p.resp.ProcessActOne(act1[:])
		require.ErrorIs(t, err, ErrOutOfOrder)
		_, err = p.resp.Cipher()
		require.ErrorIs(t, err, ErrOutOfOrder)
		act3, err := p.init.ProcessActTwo(act2[:])
		require.NoError(t, err)
		_, err = p.resp.ProcessActThree(act3[:])
		require.NoError(t, err)
		_, err = p.resp.ProcessActThree(act3[:])
		require.ErrorIs(t, err, ErrOutOfOrder)
		_, err = p.resp.Cipher()
		require.NoError(t, err)
		_, err = p.resp.Cipher()
		require.ErrorIs(t, err, ErrOutOfOrder)
	})

	t.Run("after failure", func(t *testing.T) {
		p := newPair(t, rng)
		_, err := p.resp.ProcessActOne(make([]byte, ActOneSize))
		require.Error(t, err)
		_, err = p.resp.ProcessActOne(make([]byte, ActOneSize))
		require.ErrorIs(t, err, ErrHandshakeFailed)
		_, err = p.resp.ProcessActThree(make([]byte, ActThreeSize))
		require.ErrorIs(t, err, ErrHandshakeFailed)
		_, err = p.resp.Cipher()
		require.ErrorIs(t, err, ErrHandshakeFailed)

		_, err = p.init.ActOne()
		require.NoError(t, err)
		_, err = p.init.ProcessActTwo(nil)
		require.ErrorIs(t, err, ErrActLength)
		_, err = p.init.ProcessActTwo(make([]byte, ActTwoSize))
		require.ErrorIs(t, err, ErrHandshakeFailed)
		_, err = p.init.Cipher()
		require.ErrorIs(t, err, ErrHandshakeFailed)
	})
}

// corruptions of a valid act, with the error each must produce.
func TestHandshakeHostileActs(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 17))
	notOnCurve := make([]byte, 33) // x = 5: x^3+7 = 132 is not a square mod p
	notOnCurve[0], notOnCurve[32] = 0x02, 5
	xTooBig := bytes.Repeat([]byte{0xff}, 33)
	xTooBig[0] = 0x03

	type mutation struct {
		name string
		edit func(act []byte) []byte
		want error
	}
	keyMutations := []mutation{
		{"empty", func([]byte) []byte { return nil }, ErrActLength},
		{"one short", func(a []byte) []byte { return a[:len(a)-1] }, ErrActLength},
		{"one long", func(a []byte) []byte { return append(a, 0) }, ErrActLength},
		{"version 1", func(a []byte) []byte { a[0] = 1; return a }, ErrBadVersion},
		{"version 255", func(a []byte) []byte { a[0] = 0xff; return a }, ErrBadVersion},
		{"key prefix 04", func(a []byte) []byte { a[1] = 0x04; return a }, ErrBadPubKey},
		{"key prefix 00", func(a []byte) []byte { a[1] = 0x00; return a }, ErrBadPubKey},
		{"key not on curve", func(a []byte) []byte { copy(a[1:], notOnCurve); return a }, ErrBadPubKey},
		{"key x >= p", func(a []byte) []byte { copy(a[1:], xTooBig); return a }, ErrBadPubKey},
		{"key parity flipped", func(a []byte) []byte { a[1] ^= 1; return a }, ErrBadTag},
		{"tag bit flipped", func(a []byte) []byte { a[len(a)-1] ^= 0x80; return a }, ErrBadTag},
		{"all zero", func(a []byte) []byte { clear(a); return a }, ErrBadPubKey},
	}

	t.Run("act one", func(t *testing.T) {
		for _, m := range keyMutations {
			t.Run(m.name, func(t *testing.T) {
				p := newPair(t, rng)
				act1, err := p.init.ActOne()
				require.NoError(t, err)
				_, err = p.resp.ProcessActOne(m.edit(bytes.Clone(act1[:])))
				require.ErrorIs(t, err, m.want)
				var actErr *ActError
				require.ErrorAs(t, err, &actErr)
				require.Equal(t, 1, actErr.Act)
			})
		}
	})

	t.Run("act two", func(t *testing.T) {
		for _, m := range keyMutations {
			t.Run(m.name, func(t *testing.T) {
				p := newPair(t, rng)
				act1, err := p.init.ActOne()
				require.NoError(t, err)
				act2, err := p.resp.ProcessActOne(act1[:])
				require.NoError(t, err)
				_, err = p.init.ProcessActTwo(m.edit(bytes.Clone(act2[:])))
				require.ErrorIs(t, err, m.want)
				var actErr *ActError
				require.ErrorAs(t, err, &actErr)
				require.Equal(t, 2, actErr.Act)
			})
		}
	})

	t.Run("act three", func(t *testing.T) {
		for _, m := range []mutation{
			{"empty", func([]byte) []byte { return nil }, ErrActLength},
			{"one short", func(a []byte) []byte { return a[:len(a)-1] }, ErrActLength},
			{"one long", func(a []byte) []byte { return append(a, 0) }, ErrActLength},
			{"version 2", func(a []byte) []byte { a[0] = 2; return a }, ErrBadVersion},
			{"ciphertext bit flipped", func(a []byte) []byte { a[5] ^= 1; return a }, ErrBadCiphertext},
			{"ciphertext tag flipped", func(a []byte) []byte { a[40] ^= 1; return a }, ErrBadCiphertext},
			{"final tag flipped", func(a []byte) []byte { a[65] ^= 1; return a }, ErrBadTag},
			{"all zero", func(a []byte) []byte { clear(a); return a }, ErrBadCiphertext},
		} {
			t.Run(m.name, func(t *testing.T) {
				p := newPair(t, rng)
				act1, err := p.init.ActOne()
				require.NoError(t, err)
				act2, err := p.resp.ProcessActOne(act1[:])
				require.NoError(t, err)
				act3, err := p.init.ProcessActTwo(act2[:])
				require.NoError(t, err)
				_, err = p.resp.ProcessActThree(m.edit(bytes.Clone(act3[:])))
				require.ErrorIs(t, err, m.want)
				var actErr *ActError
				require.ErrorAs(t, err, &actErr)
				require.Equal(t, 3, actErr.Act)
			})
		}
	})
}

func TestHandshakeGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 19))
	for i := range 200 {
		p := newPair(t, rng)
		garbage := make([]byte, rng.IntN(2*ActThreeSize))
		fillRandom(rng, garbage)
		if i%2 == 0 && len(garbage) > 0 {
			garbage[0] = Version
		}
		_, err := p.resp.ProcessActOne(garbage)
		require.Error(t, err)
		var actErr *ActError
		require.ErrorAs(t, err, &actErr)

		_, err = p.init.ActOne()
		require.NoError(t, err)
		_, err = p.init.ProcessActTwo(garbage)
		require.ErrorAs(t, err, &actErr)
	}
}

// failingKey is a StaticKey whose signer refuses ECDH.
type failingKey struct{ id wire.NodeID }

var errSignerOffline = errors.New("signer offline")

func (k failingKey) ECDH(*btcec.PublicKey) ([32]byte, error) { return [32]byte{}, errSignerOffline }
func (k failingKey) NodeID() wire.NodeID                     { return k.id }

func TestHandshakeStaticKeyFailure(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 21))
	p := newPair(t, rng)

	resp, err := NewResponder(failingKey{p.respKey.NodeID()}, randomKey(t, rng))
	require.NoError(t, err)
	act1, err := p.init.ActOne()
	require.NoError(t, err)
	_, err = resp.ProcessActOne(act1[:])
	require.ErrorIs(t, err, ErrStaticKey)
	require.ErrorIs(t, err, errSignerOffline)
	var actErr *ActError
	require.ErrorAs(t, err, &actErr)
	require.Equal(t, "ACT1_ECDH_FAILED", actErr.Code())

	init, err := NewInitiator(failingKey{p.initKey.NodeID()}, nodePub(t, p.respKey.NodeID()), randomKey(t, rng))
	require.NoError(t, err)
	act1, err = init.ActOne()
	require.NoError(t, err)
	act2, err := p.resp.ProcessActOne(act1[:])
	require.NoError(t, err)
	_, err = init.ProcessActTwo(act2[:])
	require.ErrorIs(t, err, errSignerOffline)
	require.ErrorAs(t, err, &actErr)
	require.Equal(t, "ACT3_ECDH_FAILED", actErr.Code())
}

func TestConstructorsRejectBadConfig(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 23))
	local, err := NewLocalKey(randomKey(t, rng))
	require.NoError(t, err)
	remote := randomKey(t, rng).PubKey()
	eph := randomKey(t, rng)
	zero := &btcec.PrivateKey{}

	_, err = NewLocalKey(nil)
	require.ErrorIs(t, err, ErrInvalidConfig)
	_, err = NewLocalKey(zero)
	require.ErrorIs(t, err, ErrInvalidConfig)

	for _, tc := range []struct {
		name   string
		local  StaticKey
		remote *btcec.PublicKey
		eph    *btcec.PrivateKey
		want   error
	}{
		{"nil local", nil, remote, eph, ErrInvalidConfig},
		{"nil ephemeral", local, remote, nil, ErrInvalidConfig},
		{"zero ephemeral", local, remote, zero, ErrInvalidConfig},
		{"nil remote", local, nil, eph, ErrBadPubKey},
		{"invalid remote", local, &btcec.PublicKey{}, eph, ErrBadPubKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewInitiator(tc.local, tc.remote, tc.eph)
			require.ErrorIs(t, err, tc.want)
			if tc.want == ErrInvalidConfig {
				_, err = NewResponder(tc.local, tc.eph)
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
	_, err = local.ECDH(nil)
	require.ErrorIs(t, err, ErrBadPubKey)
}

func TestSecretsAreRedacted(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 25))
	p := newPair(t, rng)
	ci, cr := p.run(t)
	secrets := []string{
		fmt.Sprintf("%x", p.initKey.key.Bytes()),
		fmt.Sprintf("%x", ci.send.k),
		fmt.Sprintf("%x", ci.recv.k),
		fmt.Sprintf("%x", ci.send.ck),
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	log.Info("handshake", "key", p.initKey, "init", p.init, "resp", p.resp, "cipher", ci, "cipher2", cr)
	out := logs.String() + fmt.Sprint(p.initKey, p.init, p.resp, ci, cr) + fmt.Sprintf("%v %+v %s", ci, p.initKey, p.resp)
	for _, s := range secrets {
		require.False(t, strings.Contains(out, s), "secret leaked: %s", out)
	}
	require.Contains(t, out, p.initKey.NodeID().String())
	require.Contains(t, out, "redacted")
}

// nodePub parses a node id in tests.
func nodePub(tb testing.TB, id wire.NodeID) *btcec.PublicKey {
	tb.Helper()
	pub, err := id.PublicKey()
	require.NoError(tb, err)
	return pub
}
