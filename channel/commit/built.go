package commit

import (
	"sync/atomic"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/wire"
)

// A Commitment remembers what it was built from (its State, copied) and
// the last signatures it verified, so that a second party in the same
// process (the channel monitor, after the channel) can reuse it instead of
// deriving the keys, building the transaction and verifying the same
// signatures again. Both are pure functions of the channel, the owner and
// the state: BuiltFrom checks that all three are equal before a reuse, and
// a verification is only skipped for byte-identical signatures this very
// Commitment already verified.

// verifiedSigs are signatures a Commitment verified.
type verifiedSigs struct {
	byCounterparty bool
	sigs           Signatures
}

// BuiltFrom reports whether cm is what c.Build(owner, st) returns: c has
// the parameters of the channel cm was built by (the same *Channel or an
// equal Params), and st equals, field for field and HTLC for HTLC in
// order, the state cm was built from. A caller holding a Commitment built
// elsewhere (a hint) uses it in place of building only when BuiltFrom is
// true.
func (cm *Commitment) BuiltFrom(c *Channel, owner Side, st *State) bool {
	if cm == nil || c == nil || st == nil || cm.Owner != owner || !c.sameParams(cm.ch) {
		return false
	}
	return cm.st.equal(st)
}

// sameParams reports whether c and o describe the same channel.
func (c *Channel) sameParams(o *Channel) bool {
	if c == o {
		return true
	}
	if o == nil {
		return false
	}
	p, q := &c.p, &o.p
	return p.Type == q.Type && p.FundingOutpoint == q.FundingOutpoint && p.Capacity == q.Capacity &&
		p.Opener == q.Opener && p.Local.sameAs(&q.Local) && p.Remote.sameAs(&q.Remote)
}

// sameAs reports whether two parties are equal.
func (p *Party) sameAs(q *Party) bool {
	return p.DustLimit == q.DustLimit && p.CSVDelay == q.CSVDelay &&
		sameKey(p.Funding, q.Funding) && sameKey(p.Revocation, q.Revocation) &&
		sameKey(p.Payment, q.Payment) && sameKey(p.DelayedPayment, q.DelayedPayment) &&
		sameKey(p.HTLC, q.HTLC)
}

// sameKey compares two keys, either of which may be nil.
func sameKey(a, b *btcec.PublicKey) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a == b || a.IsEqual(b)
}

// equal reports whether s and o are the same state.
func (s *State) equal(o *State) bool {
	if s.Number != o.Number || s.LocalBalance != o.LocalBalance || s.RemoteBalance != o.RemoteBalance ||
		s.FeeRate != o.FeeRate || len(s.HTLCs) != len(o.HTLCs) || !sameKey(s.PerCommitmentPoint, o.PerCommitmentPoint) {
		return false
	}
	for i := range s.HTLCs {
		if s.HTLCs[i] != o.HTLCs[i] {
			return false
		}
	}
	return true
}

// verifiedBefore reports whether cm already verified exactly sigs, made by
// the same party.
func (cm *Commitment) verifiedBefore(sigs *Signatures, byCounterparty bool) bool {
	v := cm.verified.Load()
	if v == nil || v.byCounterparty != byCounterparty || v.sigs.Commitment != sigs.Commitment || len(v.sigs.HTLCs) != len(sigs.HTLCs) {
		return false
	}
	for i := range sigs.HTLCs {
		if v.sigs.HTLCs[i] != sigs.HTLCs[i] {
			return false
		}
	}
	return true
}

// rememberVerified records sigs as verified (a copy).
func (cm *Commitment) rememberVerified(sigs *Signatures, byCounterparty bool) {
	v := &verifiedSigs{byCounterparty: byCounterparty, sigs: Signatures{Commitment: sigs.Commitment}}
	if len(sigs.HTLCs) > 0 {
		v.sigs.HTLCs = append([]wire.Signature(nil), sigs.HTLCs...)
	}
	cm.verified.Store(v)
}

// verifiedCache is the last verification of a Commitment.
type verifiedCache = atomic.Pointer[verifiedSigs]
