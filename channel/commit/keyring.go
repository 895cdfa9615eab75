package commit

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"

	"github.com/lnkit/lnkit/keys"
)

// Keys are the keys of one commitment transaction, derived from the
// basepoints and the owner's per_commitment_point. "Local" is the owner of
// the commitment and "remote" its counterparty, as in BOLT 3. Keys come
// from Channel.DeriveKeys and must not be modified.
type Keys struct {
	// PerCommitmentPoint is the owner's per_commitment_point.
	PerCommitmentPoint *btcec.PublicKey
	// Revocation is revocationpubkey: the counterparty's
	// revocation_basepoint blinded with PerCommitmentPoint.
	Revocation *btcec.PublicKey
	// LocalDelayed is local_delayedpubkey, which claims to_local and the
	// second-stage HTLC outputs after the delay.
	LocalDelayed *btcec.PublicKey
	// LocalHTLC is local_htlcpubkey.
	LocalHTLC *btcec.PublicKey
	// RemoteHTLC is remote_htlcpubkey.
	RemoteHTLC *btcec.PublicKey
	// RemotePayment is remotepubkey: with static remote keys, the
	// counterparty's payment_basepoint itself.
	RemotePayment *btcec.PublicKey
	// LocalFunding and RemoteFunding are the funding pubkeys, which also
	// lock the anchors.
	LocalFunding, RemoteFunding *btcec.PublicKey

	// Serialized forms, computed once for script building.
	revocation33      [33]byte
	revocationHash160 [20]byte
	localDelayed33    [33]byte
	localHTLC33       [33]byte
	remoteHTLC33      [33]byte
	remotePayment33   [33]byte
}

// DeriveKeys derives the keys of the commitment owned by owner for the
// owner's per_commitment_point.
func (c *Channel) DeriveKeys(owner Side, perCommitmentPoint *btcec.PublicKey) (*Keys, error) {
	if perCommitmentPoint == nil {
		return nil, fmt.Errorf("%w: missing per-commitment point", ErrInvalidState)
	}
	own, other := c.party(owner), c.party(owner.Other())
	k := &Keys{
		PerCommitmentPoint: perCommitmentPoint,
		RemotePayment:      other.Payment,
		LocalFunding:       own.Funding,
		RemoteFunding:      other.Funding,
	}
	var ok bool
	k.Revocation, k.LocalDelayed, k.LocalHTLC, k.RemoteHTLC, ok = keys.DeriveCommitmentPubKeys(perCommitmentPoint,
		c.revocationBase(owner.Other()), own.DelayedPayment, own.HTLC, other.HTLC)
	if !ok {
		return nil, fmt.Errorf("%w: key derivation failed", ErrInvalidState)
	}
	k.fill()
	return k, nil
}

// fill computes the serialized forms.
func (k *Keys) fill() {
	k.revocation33 = serialize33(k.Revocation)
	copy(k.revocationHash160[:], btcutil.Hash160(k.revocation33[:]))
	k.localDelayed33 = serialize33(k.LocalDelayed)
	k.localHTLC33 = serialize33(k.LocalHTLC)
	k.remoteHTLC33 = serialize33(k.RemoteHTLC)
	k.remotePayment33 = serialize33(k.RemotePayment)
}
