package keys

import (
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
)

// ChannelPublicKeys are one side's public keys of a channel: its funding key
// and the four basepoints of open_channel / accept_channel.
type ChannelPublicKeys struct {
	// FundingKey is funding_pubkey, one of the two keys of the funding output.
	FundingKey *btcec.PublicKey
	// RevocationBasepoint is revocation_basepoint.
	RevocationBasepoint *btcec.PublicKey
	// PaymentBasepoint is payment_basepoint (the to_remote key with
	// option_static_remotekey).
	PaymentBasepoint *btcec.PublicKey
	// DelayedPaymentBasepoint is delayed_payment_basepoint.
	DelayedPaymentBasepoint *btcec.PublicKey
	// HTLCBasepoint is htlc_basepoint.
	HTLCBasepoint *btcec.PublicKey
}

// InMemorySigner holds the secrets of one channel, derived by
// Manager.ChannelKeys, and signs with them. The secrets never leave it: it
// has no accessor for them and redacts them when printed or logged.
//
// An InMemorySigner is immutable and safe for concurrent use. Signatures are
// deterministic (RFC 6979) and low-S. digest arguments are the BIP 143
// signature hashes of the transactions being signed. The signing methods
// return an error, like channel/commit.Signer, so that a remote signer can
// take the InMemorySigner's place; the InMemorySigner fails only on invalid
// arguments.
type InMemorySigner struct {
	keyID          [32]byte
	funding        btcec.PrivateKey
	revocation     btcec.PrivateKey
	payment        btcec.PrivateKey
	delayed        btcec.PrivateKey
	htlc           btcec.PrivateKey
	commitmentSeed [32]byte

	pub          ChannelPublicKeys
	htlcBase     [33]byte
	delayedBase  [33]byte
	revocationBP [33]byte
}

// init computes the public keys from the secrets.
func (s *InMemorySigner) init() {
	s.pub = ChannelPublicKeys{
		FundingKey:              s.funding.PubKey(),
		RevocationBasepoint:     s.revocation.PubKey(),
		PaymentBasepoint:        s.payment.PubKey(),
		DelayedPaymentBasepoint: s.delayed.PubKey(),
		HTLCBasepoint:           s.htlc.PubKey(),
	}
	s.htlcBase = secp.CompressPubKey(s.pub.HTLCBasepoint)
	s.delayedBase = secp.CompressPubKey(s.pub.DelayedPaymentBasepoint)
	s.revocationBP = secp.CompressPubKey(s.pub.RevocationBasepoint)
}

// KeyID returns the key id the signer was derived from.
func (s *InMemorySigner) KeyID() [32]byte { return s.keyID }

// Basepoints returns this side's funding key and basepoints, as sent in
// open_channel or accept_channel. The returned struct is a copy; the keys
// it points to must not be modified.
func (s *InMemorySigner) Basepoints() ChannelPublicKeys { return s.pub }

// PerCommitmentPoint returns the per-commitment point of this side's
// commitment number commitmentNumber (0 for the first commitment, counting
// up). It returns a *CommitmentNumberError (matching
// ErrCommitmentNumberTooLarge) if commitmentNumber exceeds
// MaxCommitmentNumber.
func (s *InMemorySigner) PerCommitmentPoint(commitmentNumber uint64) (*btcec.PublicKey, error) {
	idx, err := ShachainIndex(commitmentNumber)
	if err != nil {
		return nil, err
	}
	return PerCommitmentPoint(s.commitmentSeed, idx), nil
}

// PerCommitmentSecret returns the per-commitment secret of this side's
// commitment number commitmentNumber, to reveal in revoke_and_ack once that
// commitment is revoked. It returns a *CommitmentNumberError (matching
// ErrCommitmentNumberTooLarge) if commitmentNumber exceeds
// MaxCommitmentNumber.
func (s *InMemorySigner) PerCommitmentSecret(commitmentNumber uint64) ([32]byte, error) {
	idx, err := ShachainIndex(commitmentNumber)
	if err != nil {
		return [32]byte{}, err
	}
	return PerCommitmentSecret(s.commitmentSeed, idx), nil
}

// SignFunding signs digest with the funding key (the 2-of-2 funding
// output: commitment and closing transactions). It implements
// channel/commit.Signer. The error is always nil.
func (s *InMemorySigner) SignFunding(digest wire.Digest) (wire.Signature, error) {
	return signCompact(&s.funding, &digest), nil
}

// SignPayment signs digest with the payment basepoint secret: the
// to_remote output of the counterparty's commitment with
// option_static_remotekey. The error is always nil.
func (s *InMemorySigner) SignPayment(digest wire.Digest) (wire.Signature, error) {
	return signCompact(&s.payment, &digest), nil
}

// SignHTLC signs digest with this side's HTLC key of the commitment whose
// per-commitment point is perCommitmentPoint (local_htlcpubkey or
// remote_htlcpubkey, derived from htlc_basepoint): HTLC transactions and
// HTLC outputs. It implements channel/commit.Signer. It fails with
// ErrInvalidPublicKey if perCommitmentPoint is nil.
func (s *InMemorySigner) SignHTLC(perCommitmentPoint *btcec.PublicKey, digest wire.Digest) (wire.Signature, error) {
	return s.signDerived(&s.htlc.Key, &s.htlcBase, perCommitmentPoint, &digest)
}

// SignDelayedPayment signs digest with this side's delayed key of the
// commitment whose per-commitment point is perCommitmentPoint
// (local_delayedpubkey, derived from delayed_payment_basepoint): to_local
// and second-stage HTLC outputs after their delay. It fails with
// ErrInvalidPublicKey if perCommitmentPoint is nil.
func (s *InMemorySigner) SignDelayedPayment(perCommitmentPoint *btcec.PublicKey, digest wire.Digest) (wire.Signature, error) {
	return s.signDerived(&s.delayed.Key, &s.delayedBase, perCommitmentPoint, &digest)
}

// signDerived signs with baseSecret + SHA256(pcp || basepoint).
func (s *InMemorySigner) signDerived(baseSecret *btcec.ModNScalar, basepoint *[33]byte, perCommitmentPoint *btcec.PublicKey, digest *wire.Digest) (wire.Signature, error) {
	if perCommitmentPoint == nil {
		return wire.Signature{}, fmt.Errorf("keys: nil per-commitment point: %w", ErrInvalidPublicKey)
	}
	var key btcec.PrivateKey
	key.Key = derivePrivScalar(baseSecret, basepoint, perCommitmentPoint)
	sig := signCompact(&key, digest)
	key.Zero()
	return sig, nil
}

// SignRevocation signs digest with the revocation private key of a revoked
// counterparty commitment, derived from this side's revocation basepoint
// secret and the per-commitment secret the counterparty revealed for it
// (penalty transactions). It fails with ErrInvalidSecret if
// perCommitmentSecret is not a valid private key.
func (s *InMemorySigner) SignRevocation(perCommitmentSecret [32]byte, digest wire.Digest) (wire.Signature, error) {
	var pcs btcec.ModNScalar
	overflow := pcs.SetBytes(&perCommitmentSecret)
	if overflow != 0 || pcs.IsZero() {
		return wire.Signature{}, fmt.Errorf("keys: revocation: per-commitment secret: %w", ErrInvalidSecret)
	}
	var key btcec.PrivateKey
	key.Key = deriveRevocationScalar(&s.revocation.Key, &pcs)
	pcs.Zero()
	sig := signCompact(&key, &digest)
	key.Zero()
	return sig, nil
}

// String describes the signer by its key id and funding key.
func (s InMemorySigner) String() string {
	return "keys.InMemorySigner{key_id=" + hex.EncodeToString(s.keyID[:]) +
		" funding_key=" + s.fundingKeyHex() + "}"
}

// fundingKeyHex returns the funding public key in hex ("" for a zero signer).
func (s *InMemorySigner) fundingKeyHex() string {
	if s.pub.FundingKey == nil {
		return ""
	}
	return hex.EncodeToString(s.pub.FundingKey.SerializeCompressed())
}

// Format implements fmt.Formatter so that no verb prints the secrets.
func (s InMemorySigner) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue implements slog.LogValuer: it logs the key id and funding key only.
func (s InMemorySigner) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("key_id", hex.EncodeToString(s.keyID[:])),
		slog.String("funding_key", s.fundingKeyHex()),
	)
}
