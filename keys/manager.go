package keys

import (
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
)

// Config configures a Manager. The zero Config means the defaults; no
// Config is invalid, so NewManager cannot fail.
type Config struct {
	// Entropy supplies the randomness of Manager.NewChannelKeyID.
	// Default (nil): NewCryptoEntropy(), the operating system's generator.
	Entropy EntropySource
}

// Manager holds a node's keys, all derived from one Seed (the scheme is in
// the package documentation): the node key, used for the node id, BOLT 8
// ECDH and signatures, and the keys of every channel (ChannelKeys).
//
// A Manager is immutable and safe for concurrent use. It never exposes its
// secrets and redacts them when printed or logged.
type Manager struct {
	master  masterKey
	nodeKey btcec.PrivateKey
	nodePub *btcec.PublicKey
	nodeID  wire.NodeID
	entropy EntropySource
}

// NewManager derives a Manager from seed; the zero Config means the
// defaults. Every seed and every Config is valid, so it cannot fail.
func NewManager(seed Seed, cfg Config) *Manager {
	if cfg.Entropy == nil {
		cfg.Entropy = NewCryptoEntropy()
	}
	m := &Manager{
		master:  newMasterKey(&seed),
		entropy: cfg.Entropy,
	}
	m.nodeKey.Key = m.master.nodeKey()
	m.nodePub = m.nodeKey.PubKey()
	m.nodeID = wire.NewNodeID(m.nodePub)
	return m
}

// NodeID returns the node id: the compressed node public key.
func (m *Manager) NodeID() wire.NodeID { return m.nodeID }

// PublicKey returns the node public key.
func (m *Manager) PublicKey() *btcec.PublicKey { return m.nodePub }

// ECDH returns the BOLT 8 shared secret of the node key and pub: the SHA-256
// of the compressed point node_secret * pub. It implements ECDH (and so
// peer/noise.StaticKey, peer.NodeKey and router/onion.ECDH). It fails with
// ErrInvalidPublicKey if pub is nil or not on the curve.
func (m *Manager) ECDH(pub *btcec.PublicKey) ([32]byte, error) {
	ss, ok := secp.ECDH(&m.nodeKey.Key, pub)
	if !ok {
		return [32]byte{}, fmt.Errorf("keys: ecdh: %w", ErrInvalidPublicKey)
	}
	return ss, nil
}

// SignHash signs a digest with the node key (deterministic RFC 6979 ECDSA,
// low-S), as node_announcement, channel_announcement and channel_update
// signatures require. The error is always nil; it is there for signers
// that can fail (a remote or hardware signer).
func (m *Manager) SignHash(digest wire.Digest) (wire.Signature, error) {
	return signCompact(&m.nodeKey, &digest), nil
}

// SignInvoice signs the digest of a BOLT 11 invoice's signing data (already
// SHA-256 hashed: it is not hashed again) with the node key and returns the
// signature with its recovery id (0 to 3), so a payer can recover the node
// id. It implements invoice.Signer; the error is always nil.
func (m *Manager) SignInvoice(digest wire.Digest) (wire.Signature, byte, error) {
	compact := ecdsa.SignCompact(&m.nodeKey, digest[:], true)
	var sig wire.Signature
	copy(sig[:], compact[1:])
	// SignCompact's first byte is 27 + 4 (compressed key) + recovery id.
	return sig, compact[0] - 31, nil
}

// signCompact signs digest with key and returns r || s.
func signCompact(key *btcec.PrivateKey, digest *wire.Digest) wire.Signature {
	compact := ecdsa.SignCompact(key, digest[:], true)
	var sig wire.Signature
	copy(sig[:], compact[1:])
	return sig
}

// ChannelKeys derives the signer of the channel whose key id is keyID. The
// same seed and key id always give the same keys, so a channel's signer can
// be re-derived after a restart from its stored key id. Use NewChannelKeyID
// or ChannelKeyIDFromCounter to choose key ids; two channels must never
// share one.
func (m *Manager) ChannelKeys(keyID [32]byte) *InMemorySigner {
	s := &InMemorySigner{keyID: keyID}
	s.funding.Key = m.master.channelScalar(channelFunding, &keyID)
	s.revocation.Key = m.master.channelScalar(channelRevocation, &keyID)
	s.payment.Key = m.master.channelScalar(channelPayment, &keyID)
	s.delayed.Key = m.master.channelScalar(channelDelayedPayment, &keyID)
	s.htlc.Key = m.master.channelScalar(channelHTLC, &keyID)
	s.commitmentSeed = m.master.commitmentSeed(&keyID)
	s.init()
	return s
}

// NewChannelKeyID returns a fresh random channel key id from the Manager's
// entropy source.
func (m *Manager) NewChannelKeyID() [32]byte { return NewChannelKeyID(m.entropy) }

// String describes the Manager by its node id.
func (m Manager) String() string { return "keys.Manager{node_id=" + m.nodeID.String() + "}" }

// Format implements fmt.Formatter so that no verb prints the secrets.
func (m Manager) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(m.String())) }

// LogValue implements slog.LogValuer: it logs the node id only.
func (m Manager) LogValue() slog.Value {
	return slog.GroupValue(slog.String("node_id", m.nodeID.String()))
}
