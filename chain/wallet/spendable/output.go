package spendable

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/keys"
	lnwire "github.com/lnkit/lnkit/wire"
)

// Kind is what an [Output] is, which fixes its script and witness (BOLT 3).
type Kind uint8

// The kinds of output a sweep can spend.
const (
	// StaticRemote is the to_remote output of a counterparty's commitment
	// with option_static_remotekey and no anchors: P2WPKH of our
	// payment_basepoint, spendable at once.
	StaticRemote Kind = iota + 1

	// AnchorToRemote is the to_remote output of a counterparty's anchors
	// commitment: P2WSH of `<payment_basepoint> OP_CHECKSIGVERIFY 1
	// OP_CHECKSEQUENCEVERIFY`, spendable one block after it confirms.
	AnchorToRemote

	// ToLocalDelayed is the to_local output of our own commitment (or the
	// output of one of our HTLC transactions): P2WSH of the to_local script
	// with our delayed key, spendable ToSelfDelay blocks after it confirms.
	ToLocalDelayed

	// Anchor is our anchor output of a commitment with anchors: P2WSH of
	// `<funding_pubkey> OP_CHECKSIG OP_IFDUP OP_NOTIF 16
	// OP_CHECKSEQUENCEVERIFY OP_ENDIF`, spent with our funding key to bump
	// the commitment's fee (wallet.BumpFee).
	Anchor
)

// String names the kind, e.g. "to-local-delayed".
func (k Kind) String() string {
	switch k {
	case StaticRemote:
		return "static-remote"
	case AnchorToRemote:
		return "anchor-to-remote"
	case ToLocalDelayed:
		return "to-local-delayed"
	case Anchor:
		return "anchor"
	default:
		return fmt.Sprintf("kind(%d)", uint8(k))
	}
}

// Output describes one output the node can spend alone.
type Output struct {
	// Kind is the output's kind.
	Kind Kind

	// OutPoint is the output.
	OutPoint btcwire.OutPoint

	// Value is its value in satoshis.
	Value lnwire.Satoshi

	// PkScript is its output script, as found on chain. The sweeper
	// checks it against the script it derives from the fields below.
	PkScript []byte

	// ChannelKeyID is the key id of the channel's keys (keys.Manager
	// ChannelKeys): the signer of the input.
	ChannelKeyID [32]byte

	// PerCommitmentPoint is the per-commitment point of the commitment the
	// output belongs to. ToLocalDelayed only (the delayed key is derived
	// from it).
	PerCommitmentPoint *btcec.PublicKey

	// RevocationPubKey is the revocation key of that commitment, part of
	// the to_local script. ToLocalDelayed only.
	RevocationPubKey *btcec.PublicKey

	// ToSelfDelay is the relative delay (blocks) of a ToLocalDelayed output:
	// the input's nSequence. AnchorToRemote outputs always have 1.
	ToSelfDelay uint16

	// CLTV, when not zero, is the absolute height before which the output
	// cannot be spent: the sweep's locktime is at least this.
	CLTV uint32
}

// Signer signs for the channel keys of one channel. *keys.InMemorySigner
// implements it. sigHash is the BIP 143 signature hash of the input. A
// signer may refuse or fail (a remote signer): the error reaches Sweep's caller.
type Signer interface {
	// Basepoints returns the channel's public basepoints (our side).
	Basepoints() keys.ChannelPublicKeys

	// SignFunding signs with the funding key (anchor outputs).
	SignFunding(sigHash lnwire.Digest) (lnwire.Signature, error)

	// SignPayment signs with the payment basepoint secret (to_remote with
	// option_static_remotekey, with or without anchors).
	SignPayment(sigHash lnwire.Digest) (lnwire.Signature, error)

	// SignDelayedPayment signs with the delayed key of the commitment
	// whose per-commitment point is given (to_local).
	SignDelayedPayment(perCommitmentPoint *btcec.PublicKey, sigHash lnwire.Digest) (lnwire.Signature, error)
}

// SignerSource returns the signer of a channel key id. For a keys.Manager:
//
//	func(id [32]byte) (spendable.Signer, error) { return m.ChannelKeys(id), nil }
type SignerSource func(channelKeyID [32]byte) (Signer, error)
