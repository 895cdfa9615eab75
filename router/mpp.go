package router

import (
	"math/bits"

	"github.com/lnkit/lnkit/wire"
)

// FindRoutes returns routes whose amounts add up to req.Amount: one route
// when one carries it, else, when req.PayeeFeatures has basic_mpp, parts
// found one after another. Each part's search sees the liquidity earlier
// parts take from the channels they share (capacity, htlc limits and the
// payer's balances hold for the sum), and gets a share of the remaining
// fee budget in proportion to its amount. A part that finds no route is
// halved, down to the minimum part size (the last part may be smaller when
// less remains); at most req.MaxParts parts. It fails with ErrNoRoute when
// the amount cannot be split within those limits.
func (r *Router) FindRoutes(req Request) ([]*Route, error) {
	v := r.cfg.Graph.View()
	defer v.Release()
	p, err := r.newProblem(v, &req)
	if err != nil {
		return nil, err
	}
	s := r.getSearch(int(p.slots) + len(p.extraIDs))
	defer r.putSearch(s)
	maxFee := r.maxFee(&req)
	rt, err := r.run(p, s, req.Amount, maxFee, nil)
	if err == nil {
		return []*Route{rt}, nil
	}
	if !req.PayeeFeatures.HasFeature(wire.BasicMPPOptional) {
		return nil, err
	}
	maxParts, minPart := req.MaxParts, req.MinPartSize
	if maxParts == 0 {
		maxParts = r.cfg.MaxParts
	}
	if minPart == 0 {
		minPart = r.cfg.MinPartSize
	}

	var routes []*Route
	used := make(usage)
	remaining, feeLeft := req.Amount, maxFee
	part := req.Amount / 2
	for remaining > 0 {
		if len(routes) == maxParts {
			return nil, ErrNoRoute
		}
		amt := min(part, remaining)
		if amt < minPart {
			amt = min(minPart, remaining)
		}
		s.reset(len(s.lab))
		rt, err := r.run(p, s, amt, share(feeLeft, amt, remaining), used)
		if err != nil {
			if amt <= minPart {
				return nil, ErrNoRoute
			}
			part = max(amt/2, minPart)
			continue
		}
		for i, h := range rt.Hops {
			used[usageKey(h.ShortChannelID, direction(rt.Source(i), h.NodeID))] += rt.AmountIn(i)
		}
		routes = append(routes, rt)
		remaining -= amt
		feeLeft -= rt.TotalFee
	}
	return routes, nil
}

// share is fee*amt/total rounded down (without overflow).
func share(fee, amt, total wire.MilliSatoshi) wire.MilliSatoshi {
	hi, lo := bits.Mul64(uint64(fee), uint64(amt))
	if hi >= uint64(total) {
		return fee
	}
	q, _ := bits.Div64(hi, lo, uint64(total))
	return wire.MilliSatoshi(q)
}
