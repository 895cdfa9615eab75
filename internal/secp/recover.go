package secp

import (
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// Layout of a compact (recoverable) signature: a header byte 27 + recovery
// id (+ 4 when the key is compressed), then r and s, 32 bytes each.
const (
	compactSigSize    = 65
	compactMagic      = 27
	compactCompressed = 4
)

// RecoverCompact recovers the public key of a compact signature of hash,
// with exactly the semantics of btcec's (decred's) ecdsa.RecoverCompact:
// the same keys for the same inputs, and the same errors. The header byte
// must be 27 to 34; r and s must be non-zero and below n; recovery ids 2
// and 3 take R.x = r + n, which must be below p; R must be on the curve;
// the key, r⁻¹·(s·R − hash·G), must not be the point at infinity. The
// reported bool is whether the header marks a compressed key.
//
// The product is computed with gMulAdd, in variable time (every input is
// public). An input that fails a check is handed to decred, which returns
// its error, so rejections carry decred's errors unchanged.
func RecoverCompact(sig, hash []byte) (*btcec.PublicKey, bool, error) {
	if pub, compressed, ok := recoverCompact(sig, hash); ok {
		return pub, compressed, nil
	}
	return ecdsa.RecoverCompact(sig, hash)
}

// recoverCompact is RecoverCompact reporting false instead of an error.
func recoverCompact(sig, hash []byte) (*btcec.PublicKey, bool, bool) {
	if len(sig) != compactSigSize || sig[0] < compactMagic || sig[0] > compactMagic+compactCompressed+3 {
		return nil, false, false
	}
	code := sig[0] - compactMagic
	compressed := code&compactCompressed != 0
	var r, s btcec.ModNScalar
	if overflow := r.SetByteSlice(sig[1:33]); overflow || r.IsZero() {
		return nil, false, false
	}
	if overflow := s.SetByteSlice(sig[33:]); overflow || s.IsZero() {
		return nil, false, false
	}

	// R = (r or r + n, y with the oddness of the id's low bit).
	var enc [CompressedSize]byte
	enc[0] = 0x02 | code&1
	rb := r.Bytes()
	if code&2 != 0 {
		var x fe
		feSetBytes(&x, &rb) // r < n < p
		pn := primeMinusOrder()
		if !feLess(&x, &pn) {
			return nil, false, false
		}
		n := orderFe()
		feAdd(&x, &x, &n)
		fePutBytes(rb[:], &x)
	}
	copy(enc[1:], rb[:])
	var rPoint Affine
	if !rPoint.Decompress(&enc) {
		return nil, false, false
	}

	var e btcec.ModNScalar
	e.SetByteSlice(hash)
	var w, u1, u2 btcec.ModNScalar
	w.InverseValNonConst(&r)
	u1.Mul2(&e, &w).Negate()
	u2.Mul2(&s, &w)
	var q Point
	gMulAdd(&u1, &u2, &rPoint, &q)
	if q.IsInfinity() {
		return nil, false, false
	}
	a := q.Affine()
	return a.PubKey(), compressed, true
}
