package keys

import (
	"crypto/sha256"
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/lnkit/lnkit/wire"
)

// Config configures a Manager. The zero value is valid.
type Config struct {
	// Entropy supplies the randomness of Manager.NewChannelKeyID.
	// Default: NewCryptoEntropy().
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

// NewManager derives a Manager from seed. At most one Config may be given;
// without one the defaults apply. NewManager panics if more than one Config
// is passed.
func NewManager(seed Seed, cfg ...Config) *Manager {
	var c Config
	switch len(cfg) {
	case 0:
	case 1:
		c = cfg[0]
	default:
		panic("keys: NewManager takes at most one Config")
	}
	if c.Entropy == nil {
		c.Entropy = NewCryptoEntropy()
	}
	m := &Manager{
		master:  newMasterKey(&seed),
		entropy: c.Entropy,
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
// of the compressed point node_secret * pub. It fails with
// ErrInvalidPublicKey if pub is nil or not on the curve.
func (m *Manager) ECDH(pub *btcec.PublicKey) ([32]byte, error) {
	return ecdh(&m.nodeKey.Key, pub)
}

// ecdh computes SHA256(compressed(k * pub)).
func ecdh(k *btcec.ModNScalar, pub *btcec.PublicKey) ([32]byte, error) {
	if pub == nil || !pub.IsOnCurve() {
		return [32]byte{}, fmt.Errorf("keys: ecdh: %w", ErrInvalidPublicKey)
	}
	var p, result btcec.JacobianPoint
	jacobian(pub, &p)
	btcec.ScalarMultNonConst(k, &p, &result)
	result.ToAffine()
	var buf [33]byte
	putCompressed(&result, &buf)
	out := sha256.Sum256(buf[:])
	clear(buf[:])
	return out, nil
}

// SignHash signs a 32-byte hash with the node key (deterministic RFC 6979
// ECDSA, low-S), as node_announcement, channel_announcement and
// channel_update signatures require.
func (m *Manager) SignHash(hash [32]byte) wire.Signature {
	return signCompact(&m.nodeKey, hash[:])
}

// SignInvoice signs the hash of a BOLT 11 invoice's signing data (already
// SHA-256 hashed: it is not hashed again) with the node key and returns the
// signature with its recovery id (0 to 3), so a payer can recover the node id.
// It implements invoice.Signer.
func (m *Manager) SignInvoice(hash [32]byte) (wire.Signature, byte, error) {
	compact := ecdsa.SignCompact(&m.nodeKey, hash[:], true)
	var sig wire.Signature
	copy(sig[:], compact[1:])
	// SignCompact's first byte is 27 + 4 (compressed key) + recovery id.
	return sig, compact[0] - 31, nil
}

// signCompact signs hash with key and returns r || s.
func signCompact(key *btcec.PrivateKey, hash []byte) wire.Signature {
	compact := ecdsa.SignCompact(key, hash, true)
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
