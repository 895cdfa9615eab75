package monitor

import (
	"fmt"

	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// pastHTLC is an HTLC that was in every revoked counterparty commitment
// numbered from to to (inclusive).
type pastHTLC struct {
	h        commit.HTLC
	from, to uint64
}

// htlcKey identifies an HTLC within a channel: ids are unique per offerer.
type htlcKey struct {
	offerer commit.Side
	id      uint64
}

// htlcHistory is what the monitor keeps of the HTLCs of the
// counterparty's revoked commitments, so that a revoked commitment found
// on chain has every HTLC output swept with the revocation key (BOLT 5:
// "Revoked Transaction Close Handling"). An HTLC is kept once, with the
// range of commitment numbers it was part of, not once per commitment.
//
// A history is a value: revoke returns a new one and never writes to the
// backing arrays an older value can see beyond its own lengths, so that a
// monitor update that fails half-way leaves the monitor's history as it
// was.
type htlcHistory struct {
	// closed are HTLCs absent from a revoked commitment after their to:
	// append only.
	closed []pastHTLC
	// open are the HTLCs of the last revoked commitment (their to is
	// last).
	open []pastHTLC
	// last is the number of the last revoked commitment added; valid when
	// some is set.
	last uint64
	some bool
}

// revoke returns the history with the revoked counterparty commitment st
// added. Commitments are revoked in order; after a gap (a state the
// monitor did not hold) the open HTLCs are closed at the last one.
func (h htlcHistory) revoke(st *commit.State) htlcHistory {
	next := htlcHistory{closed: h.closed, last: st.Number, some: true}
	in := make(map[htlcKey]commit.HTLC, len(st.HTLCs))
	for _, x := range st.HTLCs {
		in[htlcKey{x.Offerer, x.ID}] = x
	}
	follows := h.some && st.Number == h.last+1
	next.open = make([]pastHTLC, 0, len(st.HTLCs))
	for _, p := range h.open {
		k := htlcKey{p.h.Offerer, p.h.ID}
		if x, ok := in[k]; ok && follows && x == p.h {
			p.to = st.Number
			next.open = append(next.open, p)
			delete(in, k)
			continue
		}
		next.closed = append(next.closed, p)
	}
	// The HTLCs new in st, in st's order (one encoding per history).
	for _, x := range st.HTLCs {
		if _, ok := in[htlcKey{x.Offerer, x.ID}]; ok {
			next.open = append(next.open, pastHTLC{h: x, from: st.Number, to: st.Number})
		}
	}
	return next
}

// at returns the HTLCs of the revoked counterparty commitment number n.
func (h *htlcHistory) at(n uint64) []commit.HTLC {
	var out []commit.HTLC
	for _, list := range [][]pastHTLC{h.closed, h.open} {
		for _, p := range list {
			if p.from <= n && n <= p.to {
				out = append(out, p.h)
			}
		}
	}
	return out
}

// len returns how many HTLCs the history holds.
func (h *htlcHistory) len() int { return len(h.closed) + len(h.open) }

// pastHTLCSize is the encoded size of a pastHTLC.
const pastHTLCSize = 1 + 8 + 8 + 32 + 4 + 8 + 8

func (e *encoder) pastHTLC(p pastHTLC) {
	e.u8(uint8(p.h.Offerer))
	e.u64(p.h.ID)
	e.u64(uint64(p.h.Amount))
	e.raw(p.h.PaymentHash[:])
	e.u32(p.h.CLTVExpiry)
	e.u64(p.from)
	e.u64(p.to)
}

func (d *decoder) pastHTLC() pastHTLC {
	var p pastHTLC
	p.h.Offerer = commit.Side(d.u8())
	p.h.ID = d.u64()
	p.h.Amount = lnwire.MilliSatoshi(d.u64())
	d.fixed(p.h.PaymentHash[:])
	p.h.CLTVExpiry = d.u32()
	p.from, p.to = d.u64(), d.u64()
	if d.err == nil && (p.h.Offerer != commit.Local && p.h.Offerer != commit.Remote || p.from > p.to) {
		d.fail(fmt.Errorf("invalid past htlc (offerer %d, commitments %d to %d)", p.h.Offerer, p.from, p.to))
	}
	return p
}

// encodeHistory writes h: last, then the closed and the open HTLCs, each
// list with its count.
func encodeHistory(h *htlcHistory) []byte {
	e := encoder{b: make([]byte, 0, 8+8+h.len()*pastHTLCSize)}
	e.u64(h.last)
	for _, list := range [][]pastHTLC{h.closed, h.open} {
		e.u32(uint32(len(list)))
		for _, p := range list {
			e.pastHTLC(p)
		}
	}
	return e.b
}

// decodeHistory reads what encodeHistory wrote. Counts are bounded by the
// record's length (a monitor keeps every HTLC of every revoked
// commitment); an open HTLC must end at last, a closed one before it.
func decodeHistory(d *decoder) htlcHistory {
	h := htlcHistory{last: d.u64(), some: true}
	for i, list := range []*[]pastHTLC{&h.closed, &h.open} {
		n := d.u32()
		if d.err == nil && uint64(n) > uint64(len(d.b))/pastHTLCSize {
			d.fail(fmt.Errorf("%d past htlcs in %d bytes", n, len(d.b)))
		}
		for j := uint32(0); j < n && d.err == nil; j++ {
			p := d.pastHTLC()
			open := i == 1
			if d.err == nil && (open && p.to != h.last || !open && p.to >= h.last) {
				d.fail(fmt.Errorf("past htlc ending at %d with the last revoked commitment %d", p.to, h.last))
			}
			*list = append(*list, p)
		}
	}
	return h
}
