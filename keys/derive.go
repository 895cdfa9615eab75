package keys

import (
	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/secp"
)

// DerivePubKey derives a per-commitment public key from a basepoint, as BOLT 3
// defines localpubkey, remotepubkey, local_htlcpubkey, remote_htlcpubkey,
// local_delayedpubkey and remote_delayedpubkey:
//
//	pubkey = basepoint + SHA256(per_commitment_point || basepoint) * G
func DerivePubKey(basepoint, perCommitmentPoint *btcec.PublicKey) *btcec.PublicKey {
	var base, result btcec.JacobianPoint
	secp.LoadPubKey(basepoint, &base)
	var baseBytes [33]byte
	secp.PutCompressed(&base, &baseBytes)
	pcpBytes := secp.CompressPubKey(perCommitmentPoint)
	t := hashPair(&pcpBytes, &baseBytes)
	addTweakG(&base, &t, &result)
	result.ToAffine()
	return toPublicKey(&result)
}

// DerivePrivKey derives the private key of DerivePubKey(basepoint,
// perCommitmentPoint) from the basepoint's secret:
//
//	privkey = basepoint_secret + SHA256(per_commitment_point || basepoint)
func DerivePrivKey(baseSecret *btcec.PrivateKey, perCommitmentPoint *btcec.PublicKey) *btcec.PrivateKey {
	var base btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&baseSecret.Key, &base)
	base.ToAffine()
	var baseBytes [33]byte
	secp.PutCompressed(&base, &baseBytes)
	k := derivePrivScalar(&baseSecret.Key, &baseBytes, perCommitmentPoint)
	return btcec.PrivKeyFromScalar(&k)
}

// derivePrivScalar returns baseSecret + SHA256(pcp || basepoint).
func derivePrivScalar(baseSecret *btcec.ModNScalar, basepoint *[33]byte, perCommitmentPoint *btcec.PublicKey) btcec.ModNScalar {
	pcpBytes := secp.CompressPubKey(perCommitmentPoint)
	t := hashPair(&pcpBytes, basepoint)
	t.Add(baseSecret)
	return t
}

// DeriveRevocationPubKey derives the revocation public key of a commitment
// from the counterparty's revocation basepoint and the commitment owner's
// per-commitment point (BOLT 3 "revocationpubkey Derivation"):
//
//	revocationpubkey = revocation_basepoint * SHA256(revocation_basepoint || per_commitment_point)
//	                 + per_commitment_point * SHA256(per_commitment_point || revocation_basepoint)
func DeriveRevocationPubKey(revocationBasepoint, perCommitmentPoint *btcec.PublicKey) *btcec.PublicKey {
	var r, p, result btcec.JacobianPoint
	secp.LoadPubKey(revocationBasepoint, &r)
	secp.LoadPubKey(perCommitmentPoint, &p)
	deriveRevocationPoint(&r, &p, &result)
	result.ToAffine()
	return toPublicKey(&result)
}

// deriveRevocationPoint sets result to the (Jacobian) revocation key of the
// normalized affine points r (revocation basepoint) and p (per-commitment
// point).
func deriveRevocationPoint(r, p, result *btcec.JacobianPoint) {
	var rBytes, pBytes [33]byte
	secp.PutCompressed(r, &rBytes)
	secp.PutCompressed(p, &pBytes)
	h1 := hashPair(&rBytes, &pBytes)
	h2 := hashPair(&pBytes, &rBytes)
	var a, b btcec.JacobianPoint
	secp.ScalarMultNonConst(&h1, r, &a)
	secp.ScalarMultNonConst(&h2, p, &b)
	btcec.AddNonConst(&a, &b, result)
}

// deriveRevocationPointFixed is deriveRevocationPoint with the table of
// the revocation basepoint; p is the normalized affine per-commitment
// point and pBytes its compressed form.
func deriveRevocationPointFixed(r *FixedBase, p *btcec.JacobianPoint, pBytes *[33]byte, result *btcec.JacobianPoint) {
	h1 := hashPair(&r.compressed, pBytes)
	h2 := hashPair(pBytes, &r.compressed)
	var a, b btcec.JacobianPoint
	r.mul(&h1, &a)
	secp.ScalarMultNonConst(&h2, p, &b)
	btcec.AddNonConst(&a, &b, result)
}

// DeriveRevocationPrivKey derives the private key of the revocation public
// key from this node's revocation basepoint secret and the per-commitment
// secret the counterparty revealed:
//
//	revocationprivkey = revocation_basepoint_secret * SHA256(revocation_basepoint || per_commitment_point)
//	                  + per_commitment_secret * SHA256(per_commitment_point || revocation_basepoint)
func DeriveRevocationPrivKey(revocationBasepointSecret, perCommitmentSecret *btcec.PrivateKey) *btcec.PrivateKey {
	k := deriveRevocationScalar(&revocationBasepointSecret.Key, &perCommitmentSecret.Key)
	return btcec.PrivKeyFromScalar(&k)
}

// deriveRevocationScalar computes the revocation private key from the two
// secret scalars.
func deriveRevocationScalar(revocationBasepointSecret, perCommitmentSecret *btcec.ModNScalar) btcec.ModNScalar {
	var r, p btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(revocationBasepointSecret, &r)
	btcec.ScalarBaseMultNonConst(perCommitmentSecret, &p)
	// Points of secrets: btcec's inversion, not batchToAffine's
	// (variable-time, for public points).
	r.ToAffine()
	p.ToAffine()
	var rBytes, pBytes [33]byte
	secp.PutCompressed(&r, &rBytes)
	secp.PutCompressed(&p, &pBytes)
	h1 := hashPair(&rBytes, &pBytes)
	h2 := hashPair(&pBytes, &rBytes)
	h1.Mul(revocationBasepointSecret)
	h2.Mul(perCommitmentSecret)
	h1.Add(&h2)
	h2.Zero()
	return h1
}
