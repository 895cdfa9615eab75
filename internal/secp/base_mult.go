package secp

import "github.com/btcsuite/btcd/btcec/v2"

// ScalarBaseMultNonConst sets result = k·G, as btcec.ScalarBaseMultNonConst
// does, in Jacobian coordinates with X, Y and Z normalized. The point at
// infinity, for k zero, is (0, 0, 0) (btcec's is X = Y = 0 with Z = 1;
// btcec's AddNonConst takes either for the point at infinity). It runs in
// variable time, like btcec's: it is for public scalars (a key
// derivation's tweak), never for secrets.
//
// It is the comb of comb.go over the generator's generated table
// (g_comb_table.go).
func ScalarBaseMultNonConst(k *btcec.ModNScalar, result *btcec.JacobianPoint) {
	var r Point
	if !baseMult(k, &r) {
		btcec.ScalarBaseMultNonConst(k, result)
		return
	}
	r.toBtcec(result)
}

// baseMult sets r = k·G and reports true, or reports false as combMul
// does.
func baseMult(k *btcec.ModNScalar, r *Point) bool {
	return combMul(&gCombTable, k, r)
}
