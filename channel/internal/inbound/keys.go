package inbound

import (
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"log/slog"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// The key schedule and the secret layout are documented in doc.go; they
// are fixed forever.
const (
	subKeySalt      = "lnkit inbound payment v1"
	metadataKeyInfo = "metadata encryption"
	hashAuthKeyInfo = "application hash authentication"
	preimageKeyInfo = "preimage"
)

// Bits of the metadata's first word.
const (
	modeAppHashBit   = uint64(1) << 63
	amountPresentBit = uint64(1) << 62
	reservedBit      = uint64(1) << 61
	amountMask       = reservedBit - 1
)

// MaxAmount is the largest minimum amount a payment secret carries
// (2^61-1 msat, more than all bitcoin).
const MaxAmount wire.MilliSatoshi = wire.MilliSatoshi(amountMask)

// MaxExpiry is the latest expiry a payment secret carries, in unix seconds
// (2^48-1).
const MaxExpiry uint64 = 1<<48 - 1

// Sizes of the payment secret's parts.
const (
	prefixLen   = 16
	metadataLen = 16
)

// Params are what a payment secret remembers about the invoice: what the
// final node checks when the payment arrives.
type Params struct {
	// Amount is the minimum amount of the payment (the invoice amount);
	// absent means the payer chooses.
	Amount wire.Option[wire.MilliSatoshi]
	// Expiry is when the invoice expires, in absolute unix seconds: the
	// invoice timestamp plus its expiry (x). It must be positive.
	Expiry uint64
	// MinFinalCLTVExpiryDelta is the invoice's min_final_cltv_expiry_delta
	// (c): the HTLC's cltv_expiry must be at least the height plus it. It
	// must be positive.
	MinFinalCLTVExpiryDelta uint16
}

// Keys creates and verifies the payment secrets of a node's stateless
// invoices. It is immutable and safe for concurrent use, and redacts
// itself when printed or logged.
type Keys struct {
	metadataKey macKey
	hashAuthKey macKey
	preimageKey macKey
}

// NewKeys derives the sub-keys of k (see the package documentation).
func NewKeys(k keys.InboundPaymentKey) *Keys {
	prk, err := hkdf.Extract(sha256.New, k[:], []byte(subKeySalt))
	if err != nil {
		// HKDF-Extract with SHA-256 cannot fail.
		panic("inbound: hkdf extract: " + err.Error())
	}
	defer clear(prk)
	return &Keys{
		metadataKey: expandMACKey(prk, metadataKeyInfo),
		hashAuthKey: expandMACKey(prk, hashAuthKeyInfo),
		preimageKey: expandMACKey(prk, preimageKeyInfo),
	}
}

// expandMACKey returns the MAC key HKDF-Expand(prk, info, 32).
func expandMACKey(prk []byte, info string) macKey {
	okm, err := hkdf.Expand(sha256.New, prk, info, 32)
	if err != nil {
		// 32 bytes is far below HKDF-SHA256's limit.
		panic("inbound: hkdf expand: " + err.Error())
	}
	var key [32]byte
	copy(key[:], okm)
	clear(okm)
	k := newMACKey(&key)
	clear(key[:])
	return k
}

// String redacts the keys.
func (Keys) String() string { return "inbound.Keys(redacted)" }

// Format implements fmt.Formatter so that no verb prints the keys.
func (k Keys) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// LogValue implements slog.LogValuer with a redaction.
func (Keys) LogValue() slog.Value { return slog.StringValue("redacted") }

// Create makes the payment secret of a new invoice whose preimage the node
// derives, and returns the payment hash, secret and preimage. iv must be
// 16 fresh random bytes. It fails with a *ParamsError for parameters the
// secret cannot carry.
func (k *Keys) Create(p Params, iv [16]byte) (wire.PaymentHash, wire.PaymentSecret, wire.Preimage, error) {
	meta, err := encodeMetadata(p, false)
	if err != nil {
		return wire.PaymentHash{}, wire.PaymentSecret{}, wire.Preimage{}, err
	}
	preimage := k.derivePreimage(&iv, &meta)
	secret := k.seal(&iv, &meta)
	return preimage.Hash(), secret, preimage, nil
}

// CreateForHash makes the payment secret of a new invoice for hash, whose
// preimage the application holds. Unlike Create it needs no randomness:
// the secret authenticates the payment hash, unique to the payment. It
// fails with a *ParamsError for parameters the secret cannot carry.
func (k *Keys) CreateForHash(hash wire.PaymentHash, p Params) (wire.PaymentSecret, error) {
	meta, err := encodeMetadata(p, true)
	if err != nil {
		return wire.PaymentSecret{}, err
	}
	prefix := k.hashTag(&meta, &hash)
	return k.seal(&prefix, &meta), nil
}

// Verify checks that secret is one this node created for hash and returns
// the invoice's parameters, with the preimage if the node derived it (nil
// when the application holds it). Any other secret, or a secret with
// another hash, fails with ErrUnknownPayment. Verify does not check the
// expiry: CheckFinal does.
func (k *Keys) Verify(hash wire.PaymentHash, secret wire.PaymentSecret) (Params, *wire.Preimage, error) {
	var prefix [prefixLen]byte
	copy(prefix[:], secret[:prefixLen])
	meta := k.open(&prefix, &secret)
	p, appHash, ok := decodeMetadata(&meta)
	if !ok {
		return Params{}, nil, ErrUnknownPayment
	}
	if appHash {
		tag := k.hashTag(&meta, &hash)
		if subtle.ConstantTimeCompare(tag[:], prefix[:]) != 1 {
			return Params{}, nil, ErrUnknownPayment
		}
		return p, nil, nil
	}
	preimage := k.derivePreimage(&prefix, &meta)
	got := preimage.Hash()
	if subtle.ConstantTimeCompare(got[:], hash[:]) != 1 {
		return Params{}, nil, ErrUnknownPayment
	}
	return p, &preimage, nil
}

// encodeMetadata writes the 16-byte metadata of p.
func encodeMetadata(p Params, appHash bool) ([metadataLen]byte, error) {
	var meta [metadataLen]byte
	var word uint64
	if appHash {
		word |= modeAppHashBit
	}
	if amt, ok := p.Amount.Get(); ok {
		if amt > MaxAmount {
			return meta, &ParamsError{Field: "Amount", Reason: fmt.Sprintf("%d msat is above %d", amt, MaxAmount)}
		}
		word |= amountPresentBit | uint64(amt)
	}
	switch {
	case p.Expiry == 0:
		return meta, &ParamsError{Field: "Expiry", Reason: "zero (an absolute unix time is required)"}
	case p.Expiry > MaxExpiry:
		return meta, &ParamsError{Field: "Expiry", Reason: fmt.Sprintf("%d is above %d", p.Expiry, MaxExpiry)}
	case p.MinFinalCLTVExpiryDelta == 0:
		return meta, &ParamsError{Field: "MinFinalCLTVExpiryDelta", Reason: "zero"}
	}
	binary.BigEndian.PutUint64(meta[0:8], word)
	var exp [8]byte
	binary.BigEndian.PutUint64(exp[:], p.Expiry)
	copy(meta[8:14], exp[2:])
	binary.BigEndian.PutUint16(meta[14:16], p.MinFinalCLTVExpiryDelta)
	return meta, nil
}

// decodeMetadata reads metadata; ok is false if it is not canonical.
func decodeMetadata(meta *[metadataLen]byte) (p Params, appHash, ok bool) {
	word := binary.BigEndian.Uint64(meta[0:8])
	if word&reservedBit != 0 {
		return Params{}, false, false
	}
	amt := wire.MilliSatoshi(word & amountMask)
	switch {
	case word&amountPresentBit != 0:
		p.Amount = wire.Some(amt)
	case amt != 0:
		return Params{}, false, false
	}
	var exp [8]byte
	copy(exp[2:], meta[8:14])
	p.Expiry = binary.BigEndian.Uint64(exp[:])
	p.MinFinalCLTVExpiryDelta = binary.BigEndian.Uint16(meta[14:16])
	if p.Expiry == 0 || p.MinFinalCLTVExpiryDelta == 0 {
		return Params{}, false, false
	}
	return p, word&modeAppHashBit != 0, true
}

// keystream returns HMAC-SHA256(metadata key, prefix)[0:16].
func (k *Keys) keystream(prefix *[prefixLen]byte) [metadataLen]byte {
	sum := k.metadataKey.mac(prefix[:], nil)
	var ks [metadataLen]byte
	copy(ks[:], sum[:])
	return ks
}

// seal returns prefix || (metadata XOR keystream(prefix)).
func (k *Keys) seal(prefix *[prefixLen]byte, meta *[metadataLen]byte) wire.PaymentSecret {
	var s wire.PaymentSecret
	copy(s[:prefixLen], prefix[:])
	ks := k.keystream(prefix)
	subtle.XORBytes(s[prefixLen:], meta[:], ks[:])
	return s
}

// open decrypts the metadata of secret, whose prefix is prefix.
func (k *Keys) open(prefix *[prefixLen]byte, secret *wire.PaymentSecret) [metadataLen]byte {
	ks := k.keystream(prefix)
	var meta [metadataLen]byte
	subtle.XORBytes(meta[:], secret[prefixLen:], ks[:])
	return meta
}

// derivePreimage returns HMAC-SHA256(preimage key, prefix || metadata).
func (k *Keys) derivePreimage(prefix *[prefixLen]byte, meta *[metadataLen]byte) wire.Preimage {
	return wire.Preimage(k.preimageKey.mac(prefix[:], meta[:]))
}

// hashTag returns HMAC-SHA256(hash auth key, metadata || hash)[0:16].
func (k *Keys) hashTag(meta *[metadataLen]byte, hash *wire.PaymentHash) [prefixLen]byte {
	sum := k.hashAuthKey.mac(meta[:], hash[:])
	var tag [prefixLen]byte
	copy(tag[:], sum[:])
	return tag
}
