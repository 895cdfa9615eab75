package secp

// Point is a secp256k1 point in Jacobian coordinates over this package's
// field (field.go): the affine point is (x/z², y/z³). z = 0 is the point at
// infinity. The zero value is the point at infinity.
type Point struct {
	x, y, z fe
}

// Affine is a point (x, y) in affine coordinates, never infinity.
// Its coordinates are fully reduced, so two Affine values are the same
// point exactly when they are ==.
type Affine struct {
	x, y fe
}

// IsInfinity reports whether p is the point at infinity.
func (p *Point) IsInfinity() bool { return p.z.isZero() }

// feOne is 1 in the field.
func feOne() fe { return fe{1, 0, 0, 0} }

// fromAffine sets p to the affine point a.
func (p *Point) fromAffine(a *Affine) {
	p.x, p.y, p.z = a.x, a.y, feOne()
}

// pointDouble sets r = 2p (formula dbl-2009-l for a = 0: 2M + 5S).
func pointDouble(r, p *Point) {
	if p.IsInfinity() || p.y.isZero() {
		*r = Point{}
		return
	}
	var a, b, c, d, e, f, t fe
	feSqr(&a, &p.x)
	feSqr(&b, &p.y)
	feSqr(&c, &b)
	feAdd(&t, &p.x, &b)
	feSqr(&t, &t)
	feSub(&t, &t, &a)
	feSub(&t, &t, &c)
	feDouble(&d, &t) // D = 2((X+B)² - A - C)
	feDouble(&e, &a)
	feAdd(&e, &e, &a) // E = 3A
	feSqr(&f, &e)     // F = E²
	var z3 fe
	feMul(&z3, &p.y, &p.z)
	feDouble(&r.z, &z3) // Z3 = 2YZ
	feDouble(&t, &d)
	feSub(&r.x, &f, &t) // X3 = F - 2D
	feSub(&t, &d, &r.x)
	feMul(&t, &e, &t)
	feDouble(&c, &c)
	feDouble(&c, &c)
	feDouble(&c, &c)
	feSub(&r.y, &t, &c) // Y3 = E(D - X3) - 8C
}

// pointAddAffine sets r = p + q for an affine q (formula madd-2007-bl:
// 7M + 4S). r may alias p.
func pointAddAffine(r, p *Point, q *Affine) {
	if p.IsInfinity() {
		r.fromAffine(q)
		return
	}
	var z1z1, u2, s2, h, hh, i, j, rr, v, t fe
	feSqr(&z1z1, &p.z)
	feMul(&u2, &q.x, &z1z1)
	feMul(&s2, &q.y, &p.z)
	feMul(&s2, &s2, &z1z1)
	feSub(&h, &u2, &p.x)
	feSub(&rr, &s2, &p.y)
	if h.isZero() {
		if rr.isZero() {
			pointDouble(r, p)
			return
		}
		*r = Point{}
		return
	}
	feDouble(&rr, &rr) // r = 2(S2 - Y1)
	feSqr(&hh, &h)
	feDouble(&i, &hh)
	feDouble(&i, &i) // I = 4HH
	feMul(&j, &h, &i)
	feMul(&v, &p.x, &i)
	// Z3 = (Z1 + H)² - Z1Z1 - HH, computed before p is overwritten.
	var z3 fe
	feAdd(&z3, &p.z, &h)
	feSqr(&z3, &z3)
	feSub(&z3, &z3, &z1z1)
	feSub(&z3, &z3, &hh)
	// Y1·J before Y1 is overwritten.
	var y1j fe
	feMul(&y1j, &p.y, &j)
	feDouble(&y1j, &y1j)
	// X3 = r² - J - 2V
	feSqr(&t, &rr)
	feSub(&t, &t, &j)
	feSub(&t, &t, &v)
	feSub(&r.x, &t, &v)
	// Y3 = r(V - X3) - 2·Y1·J
	feSub(&t, &v, &r.x)
	feMul(&t, &rr, &t)
	feSub(&r.y, &t, &y1j)
	r.z = z3
}
