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

	var pts [4]btcec.JacobianPoint
	pcpBytes := deriveCommitmentPoints(perCommitmentPoint, remote.RevocationBasepoint, nil, local.DelayedPaymentBasepoint,
		local.HTLCBasepoint, remote.HTLCBasepoint, &pts)
	rev, delayed, localHTLC, remoteHTLC := &pts[0], &pts[1], &pts[2], &pts[3]

	keys.PerCommitmentPoint = wire.Point(pcpBytes)
	secp.PutCompressed(rev, (*[33]byte)(&keys.RevocationKey))
	secp.PutCompressed(delayed, (*[33]byte)(&keys.LocalDelayedKey))
	secp.PutCompressed(localHTLC, (*[33]byte)(&keys.LocalHTLCKey))
	secp.PutCompressed(remoteHTLC, (*[33]byte)(&keys.RemoteHTLCKey))
	keys.ToRemoteKey = wire.Point(secp.CompressPubKey(remote.PaymentBasepoint))
	return keys
}

// DeriveCommitmentPubKeys derives the keys of one commitment that are not
// basepoints, as DeriveRevocationPubKey and DerivePubKey do but with one
// field inversion for the four and the revocation basepoint's table:
// revocation from the counterparty's revocation_basepoint, delayed (local_delayedpubkey) from the owner's
// delayed_payment_basepoint, localHTLC and remoteHTLC from the owner's and
// the counterparty's htlc_basepoint, all with the owner's
// per-commitment point. ok is false when a result is the point at
// infinity (which takes a SHA-256 preimage to happen).
func DeriveCommitmentPubKeys(perCommitmentPoint *btcec.PublicKey, revocationBasepoint *FixedBase, delayedBasepoint, localHTLCBasepoint,
	remoteHTLCBasepoint *btcec.PublicKey) (revocation, delayed, localHTLC, remoteHTLC *btcec.PublicKey, ok bool) {
	var pts [4]btcec.JacobianPoint
	deriveCommitmentPoints(perCommitmentPoint, revocationBasepoint.point, revocationBasepoint, delayedBasepoint, localHTLCBasepoint,
		remoteHTLCBasepoint, &pts)
	for i := range pts {
		if pts[i].Z.IsZero() {
			return nil, nil, nil, nil, false
		}
	}
	return toPublicKey(&pts[0]), toPublicKey(&pts[1]), toPublicKey(&pts[2]), toPublicKey(&pts[3]), true
}

// deriveCommitmentPoints sets out to the affine revocation, delayed, local
// HTLC and remote HTLC points of DeriveCommitmentPubKeys (a point at
// infinity keeps Z = 0) and returns the compressed per-commitment point.
// revocationTable, when not nil, is the table of revocationBasepoint.
func deriveCommitmentPoints(perCommitmentPoint, revocationBasepoint *btcec.PublicKey, revocationTable *FixedBase,
	delayedBasepoint, localHTLCBasepoint, remoteHTLCBasepoint *btcec.PublicKey, out *[4]btcec.JacobianPoint) [33]byte {
	var pcp, revBase, delayedBase, localHTLCBase, remoteHTLCBase btcec.JacobianPoint
	secp.LoadPubKey(perCommitmentPoint, &pcp)
	secp.LoadPubKey(revocationBasepoint, &revBase)
	secp.LoadPubKey(delayedBasepoint, &delayedBase)
	secp.LoadPubKey(localHTLCBasepoint, &localHTLCBase)
	secp.LoadPubKey(remoteHTLCBasepoint, &remoteHTLCBase)

	var pcpBytes, delayedBytes, localHTLCBytes, remoteHTLCBytes [33]byte
	secp.PutCompressed(&pcp, &pcpBytes)
	secp.PutCompressed(&delayedBase, &delayedBytes)
	secp.PutCompressed(&localHTLCBase, &localHTLCBytes)
	secp.PutCompressed(&remoteHTLCBase, &remoteHTLCBytes)

	if revocationTable != nil {
		deriveRevocationPointFixed(revocationTable, &pcp, &pcpBytes, &out[0])
	} else {
		deriveRevocationPoint(&revBase, &pcp, &out[0])
	}
	tDelayed := hashPair(&pcpBytes, &delayedBytes)
	addTweakG(&delayedBase, &tDelayed, &out[1])
	tLocal := hashPair(&pcpBytes, &localHTLCBytes)
	addTweakG(&localHTLCBase, &tLocal, &out[2])
	tRemote := hashPair(&pcpBytes, &remoteHTLCBytes)
	addTweakG(&remoteHTLCBase, &tRemote, &out[3])

	pts := [4]*btcec.JacobianPoint{&out[0], &out[1], &out[2], &out[3]}
	batchToAffine(pts[:])
	return pcpBytes
}
