package signertest

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

var (
	_ commit.Signer  = (*keys.InMemorySigner)(nil)
	_ SweepSigner    = (*keys.InMemorySigner)(nil)
	_ invoice.Signer = (*keys.Manager)(nil)
	_ NodeHashSigner = (*keys.Manager)(nil)
)

func newManager(b byte) *keys.Manager { return keys.NewManager(keys.Seed{b}, keys.Config{}) }

func TestInMemorySigner(t *testing.T) {
	RunChannel(t, func(t *testing.T) Channel {
		s := newManager(1).ChannelKeys(keys.ChannelKeyIDFromCounter(7))
		return Channel{Signer: s, Keys: s.Basepoints()}
	})
}

func TestManager(t *testing.T) {
	RunNode(t, func(t *testing.T) Node {
		m := newManager(2)
		return Node{Signer: m, NodeID: m.NodeID()}
	})
}

var errOffline = errors.New("signer offline")

// offline refuses everything with errOffline.
type offline struct{}

func (offline) SignFunding(wire.Digest) (wire.Signature, error) { return wire.Signature{}, errOffline }
func (offline) SignHTLC(*btcec.PublicKey, wire.Digest) (wire.Signature, error) {
	return wire.Signature{}, errOffline
}
func (offline) SignInvoice(wire.Digest) (wire.Signature, byte, error) {
	return wire.Signature{}, 0, errOffline
}

func TestErrors(t *testing.T) {
	RunChannelErrors(t, func(*testing.T) (commit.Signer, error) { return offline{}, errOffline })
	RunNodeErrors(t, func(*testing.T) (invoice.Signer, error) { return offline{}, errOffline })
}

// channelOnly hides the sweep methods of an InMemorySigner.
type channelOnly struct{ s *keys.InMemorySigner }

func (c channelOnly) SignFunding(d wire.Digest) (wire.Signature, error) { return c.s.SignFunding(d) }
func (c channelOnly) SignHTLC(p *btcec.PublicKey, d wire.Digest) (wire.Signature, error) {
	return c.s.SignHTLC(p, d)
}

// baseHTLC signs HTLCs with the payment key instead of the derived HTLC
// key.
type baseHTLC struct{ channelOnly }

func (b baseHTLC) SignHTLC(_ *btcec.PublicKey, d wire.Digest) (wire.Signature, error) {
	return b.s.SignPayment(d)
}

// highS returns the high-S form of every funding signature.
type highS struct{ channelOnly }

func (h highS) SignFunding(d wire.Digest) (wire.Signature, error) {
	sig, err := h.s.SignFunding(d)
	var s btcec.ModNScalar
	s.SetByteSlice(sig[32:])
	s.Negate()
	b := s.Bytes()
	copy(sig[32:], b[:])
	return sig, err
}

// swallowing returns an empty signature and no error when it fails.
type swallowing struct{}

func (swallowing) SignFunding(wire.Digest) (wire.Signature, error) { return wire.Signature{}, nil }
func (swallowing) SignHTLC(*btcec.PublicKey, wire.Digest) (wire.Signature, error) {
	return wire.Signature{}, nil
}

// wrongRecID returns a recovery id that recovers another key.
type wrongRecID struct{ *keys.Manager }

func (w wrongRecID) SignInvoice(d wire.Digest) (wire.Signature, byte, error) {
	sig, rec, err := w.Manager.SignInvoice(d)
	return sig, rec ^ 1, err
}

// xOnlyECDH returns SHA-256 of the x coordinate only (another ECDH).
type xOnlyECDH struct {
	*keys.Manager
	key *btcec.PrivateKey
}

func (x xOnlyECDH) ECDH(pub *btcec.PublicKey) ([32]byte, error) {
	if pub == nil {
		return [32]byte{}, errors.New("nil")
	}
	return [32]byte(btcec.GenerateSharedSecret(x.key, pub)), nil
}

// TestChecksCatchBrokenSigners shows each check fails a signer that breaks
// its contract.
func TestChecksCatchBrokenSigners(t *testing.T) {
	s := newManager(3).ChannelKeys(keys.ChannelKeyIDFromCounter(0))
	other := newManager(4).ChannelKeys(keys.ChannelKeyIDFromCounter(0))
	declared := s.Basepoints()

	wrongKeys := Channel{Signer: channelOnly{s}, Keys: other.Basepoints()}
	require.Error(t, checkFunding(wrongKeys))
	require.Error(t, checkHTLC(wrongKeys))
	require.Error(t, checkCommitment(wrongKeys))

	require.Error(t, checkHTLC(Channel{Signer: baseHTLC{channelOnly{s}}, Keys: declared}))
	require.Error(t, checkCommitment(Channel{Signer: baseHTLC{channelOnly{s}}, Keys: declared}))
	require.Error(t, checkFunding(Channel{Signer: highS{channelOnly{s}}, Keys: declared}))
	require.Error(t, checkChannelErrors(swallowing{}, errOffline))
	require.Error(t, checkChannelErrors(channelOnly{s}, errOffline))

	// A SweepSigner must declare its sweep basepoints, and sign with them.
	partial := declared
	partial.PaymentBasepoint = nil
	require.Error(t, checkSweep(Channel{Signer: s, Keys: partial}))
	mixed := declared
	mixed.RevocationBasepoint = other.Basepoints().RevocationBasepoint
	require.Error(t, checkSweep(Channel{Signer: s, Keys: mixed}))

	m, o := newManager(5), newManager(6)
	pub := m.PublicKey()
	require.Error(t, checkSignInvoice(node{Node{Signer: wrongRecID{m}, NodeID: m.NodeID()}, pub}))
	require.Error(t, checkBuildInvoice(node{Node{Signer: o, NodeID: m.NodeID()}, pub}))
	require.Error(t, checkSignHash(node{Node{Signer: o, NodeID: m.NodeID()}, pub}))
	priv, _ := btcec.PrivKeyFromBytes([]byte{5})
	require.Error(t, checkECDH(node{Node{Signer: xOnlyECDH{m, priv}, NodeID: wire.NewNodeID(priv.PubKey())}, priv.PubKey()}))
	require.Error(t, checkNodeErrors(m, errOffline))
}
