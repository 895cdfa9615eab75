package keys

import (
	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
)

// CommitmentKeys are the public keys of one commitment transaction, in the
// compressed form the BOLT 3 scripts use. As in BOLT 3, "local" is the
// commitment's owner (the side that can broadcast it and whose
// per-commitment point it uses) and "remote" is the owner's counterparty.
type CommitmentKeys struct {
	// PerCommitmentPoint is the owner's per-commitment point for this commitment.
	PerCommitmentPoint wire.Point
	// RevocationKey is revocationpubkey, derived from the remote
	// revocation_basepoint; the remote side can spend with it once the
	// owner revokes the commitment.
	RevocationKey wire.Point
	// LocalDelayedKey is local_delayedpubkey, derived from the owner's
	// delayed_payment_basepoint (to_local and second-stage HTLC outputs).
	LocalDelayedKey wire.Point
	// LocalHTLCKey is local_htlcpubkey, derived from the owner's htlc_basepoint.
	LocalHTLCKey wire.Point
	// RemoteHTLCKey is remote_htlcpubkey, derived from the remote htlc_basepoint.
	RemoteHTLCKey wire.Point
	// ToRemoteKey is remotepubkey. With option_static_remotekey (assumed by
	// BOLT 9) it is the remote payment_basepoint itself, not derived.
	ToRemoteKey wire.Point
}

// DeriveCommitmentKeys computes every key of the commitment owned by local
// whose per-commitment point is perCommitmentPoint: the revocation key, the
// owner's delayed key, both HTLC keys and the to_remote key
// (option_static_remotekey). It does not allocate: the Jacobian results are
// converted to affine coordinates with one shared field inversion.
//
// local and remote must have their RevocationBasepoint, PaymentBasepoint,
// DelayedPaymentBasepoint and HTLCBasepoint set.
func DeriveCommitmentKeys(perCommitmentPoint *btcec.PublicKey, local, remote *ChannelPublicKeys) CommitmentKeys {
	var keys CommitmentKeys

	var pcp, revBase, delayedBase, localHTLCBase, remoteHTLCBase btcec.JacobianPoint
	secp.LoadPubKey(perCommitmentPoint, &pcp)
	secp.LoadPubKey(remote.RevocationBasepoint, &revBase)
	secp.LoadPubKey(local.DelayedPaymentBasepoint, &delayedBase)
	secp.LoadPubKey(local.HTLCBasepoint, &localHTLCBase)
	secp.LoadPubKey(remote.HTLCBasepoint, &remoteHTLCBase)

	var pcpBytes, revBytes, delayedBytes, localHTLCBytes, remoteHTLCBytes [33]byte
	secp.PutCompressed(&pcp, &pcpBytes)
	secp.PutCompressed(&revBase, &revBytes)
	secp.PutCompressed(&delayedBase, &delayedBytes)
	secp.PutCompressed(&localHTLCBase, &localHTLCBytes)
	secp.PutCompressed(&remoteHTLCBase, &remoteHTLCBytes)

	var rev, delayed, localHTLC, remoteHTLC btcec.JacobianPoint
	deriveRevocationPoint(&revBase, &pcp, &rev)
	tDelayed := hashPair(&pcpBytes, &delayedBytes)
	addTweakG(&delayedBase, &tDelayed, &delayed)
	tLocal := hashPair(&pcpBytes, &localHTLCBytes)
	addTweakG(&localHTLCBase, &tLocal, &localHTLC)
	tRemote := hashPair(&pcpBytes, &remoteHTLCBytes)
	addTweakG(&remoteHTLCBase, &tRemote, &remoteHTLC)

	pts := [4]*btcec.JacobianPoint{&rev, &delayed, &localHTLC, &remoteHTLC}
	batchToAffine(pts[:])

	keys.PerCommitmentPoint = wire.Point(pcpBytes)
	secp.PutCompressed(&rev, (*[33]byte)(&keys.RevocationKey))
	secp.PutCompressed(&delayed, (*[33]byte)(&keys.LocalDelayedKey))
	secp.PutCompressed(&localHTLC, (*[33]byte)(&keys.LocalHTLCKey))
	secp.PutCompressed(&remoteHTLC, (*[33]byte)(&keys.RemoteHTLCKey))
	keys.ToRemoteKey = wire.Point(secp.CompressPubKey(remote.PaymentBasepoint))
	return keys
}
