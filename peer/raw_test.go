package peer_test

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/peer/peertest"
	"github.com/lnkit/lnkit/wire"
)

// rawPeer is a hand-driven remote end of an inbound connection to a
// Manager: it runs the handshake with peer/noise and then sends whatever
// plaintext a test wants.
type rawPeer struct {
	t      testing.TB
	n      *testNode
	d      *peertest.Descriptor
	key    *noise.LocalKey
	cipher *noise.Cipher
	dec    *noise.Decoder
	err    error // last ReadEvent error
}

// newRawPeer registers an inbound connection on n and completes the
// handshake; n's init is then waiting in r.d.
func newRawPeer(t testing.TB, n *testNode) *rawPeer {
	t.Helper()
	r := &rawPeer{t: t, n: n, d: &peertest.Descriptor{}, key: testKey(t, 0x77)}
	require.NoError(t, n.m.NewInboundConnection(r.d, nil))
	pub, err := n.id.PublicKey()
	require.NoError(t, err)
	eph, _ := btcec.PrivKeyFromBytes([]byte("raw peer ephemeral key 32 bytes!"))
	hs, err := noise.NewInitiator(r.key, pub, eph)
	require.NoError(t, err)
	act1, err := hs.ActOne()
	require.NoError(t, err)
	_, err = n.m.ReadEvent(r.d, act1[:])
	require.NoError(t, err)
	act2 := r.d.Take(noise.ActTwoSize)
	act3, err := hs.ProcessActTwo(act2)
	require.NoError(t, err)
	_, err = n.m.ReadEvent(r.d, act3[:])
	require.NoError(t, err)
	r.cipher, err = hs.Cipher()
	require.NoError(t, err)
	r.dec = noise.NewDecoder(r.cipher)
	return r
}

// sendRaw encrypts plaintext as one frame and feeds it to the peer.Manager.
func (r *rawPeer) sendRaw(plain []byte) error {
	frame, err := r.cipher.Encrypt(nil, plain)
	require.NoError(r.t, err)
	_, r.err = r.n.m.ReadEvent(r.d, frame)
	return r.err
}

// send encodes and sends msg.
func (r *rawPeer) send(msg wire.Message) error {
	b, err := wire.Encode(nil, msg)
	require.NoError(r.t, err)
	return r.sendRaw(b)
}

// sendInit sends a default acceptable init, modified by mod.
func (r *rawPeer) sendInit(mod func(*wire.Init)) error {
	init := &wire.Init{Features: peer.DefaultFeatures(), Networks: wire.Some([]chainhash.Hash{regtest})}
	if mod != nil {
		mod(init)
	}
	return r.send(init)
}

// recv decrypts and decodes everything the peer.Manager has sent.
func (r *rawPeer) recv() []wire.Message { return r.decode(r.d.Take(0)) }

// decode decrypts and decodes data the Manager sent.
func (r *rawPeer) decode(data []byte) []wire.Message {
	var out []wire.Message
	for len(data) > 0 {
		n, plain, err := r.dec.Decode(data)
		require.NoError(r.t, err)
		data = data[n:]
		if plain != nil {
			msg, err := wire.Decode(plain)
			require.NoError(r.t, err)
			out = append(out, msg)
		}
	}
	return out
}

// connectRaw returns a raw peer past the init exchange.
func connectRaw(t testing.TB, n *testNode) *rawPeer {
	t.Helper()
	r := newRawPeer(t, n)
	require.NoError(t, r.sendInit(nil))
	msgs := r.recv()
	require.Len(t, msgs, 1)
	require.IsType(t, &wire.Init{}, msgs[0])
	_, ok := n.m.PeerByNodeID(r.key.NodeID())
	require.True(t, ok)
	return r
}

// requireGone checks that the peer.Manager forgot every connection and
// disconnected d.
func requireGone(t testing.TB, n *testNode, d *peertest.Descriptor) {
	t.Helper()
	require.True(t, d.Disconnected(), "descriptor not disconnected")
	byDesc, byID := peer.ConnCount(n.m)
	require.Zero(t, byDesc, "connections left")
	require.Zero(t, byID, "node ids left")
	require.Empty(t, n.m.Peers())
}

// mustPriv returns a private key from a one-byte seed.
func mustPriv(t testing.TB, seed byte) *btcec.PrivateKey {
	t.Helper()
	b := make([]byte, 32)
	for i := range b {
		b[i] = seed
	}
	priv, _ := btcec.PrivKeyFromBytes(b)
	return priv
}
