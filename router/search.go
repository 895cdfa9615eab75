package router

import (
	"math"
	"math/bits"

	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// Label states.
const (
	stateUnseen uint8 = iota
	stateQueued
	stateDone
	stateExcluded
)

// label is the search's knowledge of one node: the cheapest way found so
// far from it to the payee. amt and cltv are what the HTLC reaching the
// node must carry (cltv relative to the current height).
//
// It is 32 bytes, so a label never straddles two cache lines: the search
// is bound by memory accesses to labels and channels.
type label struct {
	cost uint64
	amt  wire.MilliSatoshi
	pos  int32 // in the heap
	next int32 // the next node towards the payee
	via  int32 // the channel to next: a graph ChanIdx, or -(extra edge+1)
	cltv uint16
	hops uint8
	st   uint8
}

// extraEdge is a channel direction the graph does not give: a route hint
// or one of the payer's first hops.
type extraEdge struct {
	from, to int32
	scid     wire.ShortChannelID
	pol      graph.Policy
	capacity wire.MilliSatoshi
	kind     CapacityKind
	dir      uint8
}

// problem is what a request gives every search of it (one per part for
// FindRoutes): the node indexes, the extra edges and the exclusions.
type problem struct {
	v          graph.View
	slots      int32 // graph node slots; extra nodes follow
	extraIDs   []wire.NodeID
	extraIdx   map[wire.NodeID]int32
	extras     []extraEdge
	extraIn    map[int32][]int32
	extraOut   map[int32][]int32
	exclChan   map[uint64]bool
	exclNode   []int32
	payer      int32
	payee      int32
	firstHops  bool // the payer's graph channels are ignored
	finalCLTV  uint32
	maxCLTV    uint32
	maxHops    int
	height     uint32
	scorer     Scorer
	payeeKnown bool
}

// search is the per-search state, pooled by the Router.
type search struct {
	lab  []label
	heap nodeHeap
	// dist and queue are the breadth-first search of hop distances from
	// the payer (see hopFloor).
	dist  []uint8
	queue []int32
}

// usage is the in-flight amount per channel direction, keyed by
// scid<<1|dir, of the parts already found (FindRoutes).
type usage map[uint64]wire.MilliSatoshi

func usageKey(scid wire.ShortChannelID, dir uint8) uint64 { return scid.ToUint64()<<1 | uint64(dir) }

func (p *problem) id(n int32) wire.NodeID {
	if n < p.slots {
		return p.v.Node(graph.NodeIdx(n)).ID
	}
	return p.extraIDs[n-p.slots]
}

// index returns a node's index, adding it as an extra node when the graph
// does not know it.
func (p *problem) index(id wire.NodeID) int32 {
	if n, ok := p.v.NodeIndex(id); ok {
		return int32(n)
	}
	if n, ok := p.extraIdx[id]; ok {
		return n
	}
	n := p.slots + int32(len(p.extraIDs))
	p.extraIDs = append(p.extraIDs, id)
	p.extraIdx[id] = n
	return n
}

func (p *problem) addExtra(e extraEdge) {
	p.extras = append(p.extras, e)
	p.extraIn[e.to] = append(p.extraIn[e.to], int32(len(p.extras)-1))
	p.extraOut[e.from] = append(p.extraOut[e.from], int32(len(p.extras)-1))
}

// newProblem checks req and prepares its search inputs over v.
func (r *Router) newProblem(v graph.View, req *Request) (*problem, error) {
	switch {
	case req.Amount == 0:
		return nil, &RequestError{Field: "Amount", Reason: "zero"}
	case req.Payer == req.Payee:
		return nil, &RequestError{Field: "Payee", Reason: "equals the payer"}
	}
	p := &problem{
		v:         v,
		slots:     int32(v.NodeSlots()),
		extraIdx:  make(map[wire.NodeID]int32),
		extraIn:   make(map[int32][]int32),
		extraOut:  make(map[int32][]int32),
		firstHops: req.FirstHops != nil,
		finalCLTV: uint32(req.FinalCLTVDelta),
		maxCLTV:   req.MaxTotalCLTV,
		maxHops:   r.cfg.MaxHops,
		height:    req.CurrentHeight,
		scorer:    r.cfg.Scorer,
	}
	if p.finalCLTV == 0 {
		p.finalCLTV = DefaultFinalCLTVDelta
	}
	if p.maxCLTV == 0 {
		p.maxCLTV = r.cfg.MaxTotalCLTV
	}
	p.maxCLTV = min(p.maxCLTV, math.MaxUint16) // labels keep 16 bits
	_, p.payeeKnown = v.NodeIndex(req.Payee)
	p.payer = p.index(req.Payer)
	p.payee = p.index(req.Payee)
	for _, h := range req.FirstHops {
		if h.Peer == req.Payer {
			return nil, &RequestError{Field: "FirstHops", Reason: "a first hop to the payer itself"}
		}
		to := p.index(h.Peer)
		p.payeeKnown = p.payeeKnown || to == p.payee
		p.addExtra(extraEdge{
			from: p.payer, to: to, scid: h.ShortChannelID,
			pol:      graph.Policy{HTLCMinimumMsat: h.HTLCMinimumMsat, HTLCMaximumMsat: h.OutboundMsat, Flags: graph.PolicyKnown},
			capacity: h.OutboundMsat, kind: CapacityExact, dir: direction(req.Payer, h.Peer),
		})
	}
	for _, hint := range req.RouteHints {
		for j, h := range hint {
			toID := req.Payee
			if j+1 < len(hint) {
				toID = hint[j+1].NodeID
			}
			if h.NodeID == toID || (p.firstHops && h.NodeID == req.Payer) {
				continue
			}
			from, to := p.index(h.NodeID), p.index(toID)
			p.payeeKnown = p.payeeKnown || to == p.payee
			e := extraEdge{
				from: from, to: to, scid: h.ShortChannelID,
				pol: graph.Policy{
					HTLCMaximumMsat: math.MaxUint64, FeeBaseMsat: h.FeeBaseMsat,
					FeeProportionalMillionths: h.FeeProportionalMillionths,
					CLTVExpiryDelta:           h.CLTVExpiryDelta, Flags: graph.PolicyKnown,
				},
				capacity: math.MaxUint64, kind: CapacityUnknown, dir: direction(h.NodeID, toID),
			}
			if c, ok := v.ChannelIndex(h.ShortChannelID); ok {
				e.capacity, e.kind = v.Channel(c).Capacity.ToMilliSatoshi(), CapacityTotal
			}
			p.addExtra(e)
		}
	}
	if !p.payeeKnown {
		return nil, ErrUnknownPayee
	}
	if len(req.ExcludeChannels) > 0 {
		p.exclChan = make(map[uint64]bool, len(req.ExcludeChannels))
		for _, c := range req.ExcludeChannels {
			p.exclChan[c.ToUint64()] = true
		}
	}
	for _, id := range req.ExcludeNodes {
		if id == req.Payer || id == req.Payee {
			return nil, &RequestError{Field: "ExcludeNodes", Reason: "excludes the payer or the payee"}
		}
		if n, ok := v.NodeIndex(id); ok {
			p.exclNode = append(p.exclNode, int32(n))
		} else if n, ok := p.extraIdx[id]; ok {
			p.exclNode = append(p.exclNode, n)
		}
	}
	return p, nil
}

func (r *Router) getSearch(n int) *search {
	s, _ := r.scratch.Get().(*search)
	if s == nil {
		s = new(search)
	}
	s.reset(n)
	return s
}

// hopDepth bounds the breadth-first search of hopDistances: nodes
// further than hopDepth hops from the payer all get hopDepth+1, still a
// lower bound of their distance (and a consistent one: neighbours differ
// by at most one). Most of a mainnet-like graph is within a few hops, so
// the last levels cost the most and prune the least.
const hopDepth = 3

// hopDistances fills s.dist with each node's least number of hops from
// the payer (up to hopDepth+1), ignoring directions, policies and limits:
// a lower bound of the hops of any route from the payer to it.
func (p *problem) hopDistances(s *search) {
	n := len(s.lab)
	if cap(s.dist) < n {
		s.dist = make([]uint8, n)
	}
	s.dist = s.dist[:n]
	const far = hopDepth + 1
	for i := range s.dist {
		s.dist[i] = far
	}
	q := append(s.queue[:0], p.payer)
	s.dist[p.payer] = 0
	for i := 0; i < len(q); i++ {
		x := q[i]
		d := s.dist[x]
		if d == hopDepth {
			break // the queue is in distance order: the rest are as far
		}
		if x < p.slots && (x != p.payer || !p.firstHops) {
			for _, e := range p.v.Edges(graph.NodeIdx(x)) {
				if s.dist[e.Peer] == far {
					s.dist[e.Peer] = d + 1
					q = append(q, int32(e.Peer))
				}
			}
		}
		for _, j := range p.extraOut[x] {
			if to := p.extras[j].to; s.dist[to] == far {
				s.dist[to] = d + 1
				q = append(q, to)
			}
		}
	}
	s.queue = q
}

// reset makes s ready for a search over n nodes.
func (s *search) reset(n int) {
	if cap(s.lab) < n {
		s.lab = make([]label, n)
	} else {
		s.lab = s.lab[:n]
		clear(s.lab)
	}
	s.heap = nodeHeap{items: s.heap.items[:0], lab: s.lab}
}

func (r *Router) putSearch(s *search) { r.scratch.Put(s) }

func addSat(a, b uint64) uint64 {
	s := a + b
	if s < a {
		return math.MaxUint64
	}
	return s
}

// runState is one search's working set.
type runState struct {
	p     *problem
	s     *search
	lab   []label
	used  usage
	limit uint64
	// ps is the scorer when it is a *ProbabilisticScorer: called
	// directly, under one read lock for the whole search.
	ps *ProbabilisticScorer
	// floor is the least penalty of any hop (PenaltyFloor); when it is
	// not zero the search is an A*: a label's cost field holds its cost
	// plus floor times its hop distance from the payer (a consistent
	// lower bound of the cost still to come), so nodes nearer the payer
	// are settled first.
	floor uint64
	dist  []uint8
}

// bound is the A* lower bound of the cost from n to the payer.
func (rs *runState) bound(n int32) uint64 {
	if rs.floor == 0 {
		return 0
	}
	return rs.floor * uint64(rs.dist[n])
}

// relax offers the hop from → n (over a channel direction whose policy is
// pol) to the labels.
func (rs *runState) relax(n, from int32, pol *graph.Policy, u ChannelUsage, via int32) {
	p := rs.p
	L := &rs.lab[n]
	if u.Amount < pol.HTLCMinimumMsat || u.Amount > pol.HTLCMaximumMsat {
		return
	}
	if int(L.hops)+1 > p.maxHops {
		return
	}
	if rs.used != nil {
		u.InFlight = rs.used[usageKey(u.ShortChannelID, u.Dir)]
	}
	if addSat(uint64(u.Amount), uint64(u.InFlight)) > uint64(u.Capacity) {
		return
	}
	amt, cltv, cost := L.amt, uint32(L.cltv), L.cost-rs.bound(n)
	if from != p.payer {
		f, ok := pol.Fee(amt)
		if !ok {
			return
		}
		amt += f
		if amt < f || uint64(amt) > rs.limit {
			return
		}
		cltv += uint32(pol.CLTVExpiryDelta)
		if cltv > p.maxCLTV {
			return
		}
		cost = addSat(cost, uint64(f))
	}
	if rs.ps != nil {
		cost = addSat(cost, rs.ps.penalty(u))
	} else {
		cost = addSat(cost, p.scorer.Penalty(u))
	}
	cost = addSat(cost, rs.bound(from))
	F := &rs.lab[from]
	switch F.st {
	case stateUnseen:
		*F = label{cost: cost, amt: amt, cltv: uint16(cltv), next: n, via: via, hops: L.hops + 1, st: stateQueued}
		rs.s.heap.push(from)
	case stateQueued:
		if cost < F.cost {
			pos := F.pos
			*F = label{cost: cost, amt: amt, cltv: uint16(cltv), next: n, via: via, hops: L.hops + 1, st: stateQueued, pos: pos}
			rs.s.heap.fix(from)
		}
	}
}

// run is one Dijkstra from the payee back to the payer for amount within
// maxFee, seeing what the parts in used already take. It returns the
// route or ErrNoRoute.
func (r *Router) run(p *problem, s *search, amount, maxFee wire.MilliSatoshi, used usage) (*Route, error) {
	if p.finalCLTV > p.maxCLTV {
		return nil, ErrNoRoute
	}
	if !p.canCarry(amount, used) {
		return nil, ErrNoRoute
	}
	rs := &runState{p: p, s: s, lab: s.lab, used: used, limit: addSat(uint64(amount), uint64(maxFee))}
	if ps, ok := p.scorer.(*ProbabilisticScorer); ok {
		ps.mu.RLock()
		defer ps.mu.RUnlock()
		rs.ps = ps
	}
	if f, ok := p.scorer.(PenaltyFloor); ok {
		rs.floor = f.MinPenalty(amount)
	}
	if rs.floor > 0 {
		p.hopDistances(s)
		rs.dist = s.dist
	}
	lab := s.lab
	for _, n := range p.exclNode {
		lab[n].st = stateExcluded
	}
	lab[p.payee] = label{cost: rs.bound(p.payee), amt: amount, cltv: uint16(p.finalCLTV), next: -1, st: stateQueued}
	s.heap.push(p.payee)

	v := p.v
	for s.heap.len() > 0 {
		n := s.heap.pop()
		lab[n].st = stateDone
		if n == p.payer {
			return p.route(lab, amount), nil
		}
		if n != p.payee && n < p.slots && v.Node(graph.NodeIdx(n)).Flags&graph.NodeUnknownFeature != 0 {
			continue // BOLT 7: not routed through; it reached no one
		}
		L := &lab[n]
		if n < p.slots {
			for _, e := range v.Edges(graph.NodeIdx(n)) {
				from := int32(e.Peer)
				if lab[from].st >= stateDone || (from == p.payer && p.firstHops) {
					continue
				}
				d := 1 - e.Dir
				pol := v.Policy(e.Chan, d)
				if !pol.Usable() {
					continue
				}
				ch := v.Channel(e.Chan)
				if ch.Flags&graph.ChannelUnknownFeature != 0 || (p.exclChan != nil && p.exclChan[ch.SCID.ToUint64()]) {
					continue
				}
				rs.relax(n, from, pol, ChannelUsage{
					ShortChannelID: ch.SCID, Dir: d, Amount: L.amt,
					Capacity: ch.Capacity.ToMilliSatoshi(), CapacityKind: CapacityTotal,
				}, int32(e.Chan))
			}
		}
		if len(p.extraIn) > 0 {
			for _, i := range p.extraIn[n] {
				e := &p.extras[i]
				if lab[e.from].st >= stateDone || (p.exclChan != nil && p.exclChan[e.scid.ToUint64()]) {
					continue
				}
				rs.relax(n, e.from, &e.pol, ChannelUsage{
					ShortChannelID: e.scid, Dir: e.dir, Amount: L.amt,
					Capacity: e.capacity, CapacityKind: e.kind,
				}, -(i + 1))
			}
		}
	}
	return nil, ErrNoRoute
}

// canCarry is a quick necessary condition: some channel out of the payer
// and some channel into the payee can carry amount (every HTLC of a route
// carries at least the amount delivered). It spares a search of the whole
// graph for most requests that have no route.
func (p *problem) canCarry(amount wire.MilliSatoshi, used usage) bool {
	fits := func(pol *graph.Policy, scid wire.ShortChannelID, dir uint8, capMsat wire.MilliSatoshi) bool {
		if !pol.Usable() || amount > pol.HTLCMaximumMsat {
			return false
		}
		return addSat(uint64(amount), uint64(used[usageKey(scid, dir)])) <= uint64(capMsat)
	}
	side := func(n int32, out bool) bool {
		if n < p.slots && !(out && n == p.payer && p.firstHops) {
			for _, e := range p.v.Edges(graph.NodeIdx(n)) {
				d := e.Dir // out of n
				if !out {
					d = 1 - e.Dir
				}
				ch := p.v.Channel(e.Chan)
				if fits(p.v.Policy(e.Chan, d), ch.SCID, d, ch.Capacity.ToMilliSatoshi()) {
					return true
				}
			}
		}
		extra := p.extraIn[n]
		if out {
			extra = p.extraOut[n]
		}
		for _, i := range extra {
			e := &p.extras[i]
			if fits(&e.pol, e.scid, e.dir, e.capacity) {
				return true
			}
		}
		return false
	}
	return side(p.payer, true) && side(p.payee, false)
}

// route reads the route off the labels once the payer is settled.
func (p *problem) route(lab []label, amount wire.MilliSatoshi) *Route {
	payer := &lab[p.payer]
	rt := &Route{
		Payer:       p.id(p.payer),
		Hops:        make([]Hop, 0, payer.hops),
		TotalAmount: payer.amt,
		TotalFee:    payer.amt - amount,
		TotalCLTV:   p.height + uint32(payer.cltv),
	}
	for cur := p.payer; cur != p.payee; {
		via := lab[cur].via
		n := lab[cur].next
		N := &lab[n]
		h := Hop{NodeID: p.id(n), AmountToForward: amount, OutgoingCLTV: p.height + uint32(N.cltv)}
		if n != p.payee {
			nx := &lab[N.next]
			h.AmountToForward = nx.amt
			h.OutgoingCLTV = p.height + uint32(nx.cltv)
			h.Fee = N.amt - nx.amt
			h.CLTVExpiryDelta = uint16(N.cltv - nx.cltv)
		}
		if via >= 0 {
			ch := p.v.Channel(graph.ChanIdx(via))
			h.ShortChannelID = ch.SCID
			h.Capacity, h.CapacityKind = ch.Capacity.ToMilliSatoshi(), CapacityTotal
		} else {
			e := &p.extras[-via-1]
			h.ShortChannelID = e.scid
			h.Capacity, h.CapacityKind = e.capacity, e.kind
		}
		rt.Hops = append(rt.Hops, h)
		cur = n
	}
	return rt
}

// maxFee is the fee limit of req.
func (r *Router) maxFee(req *Request) wire.MilliSatoshi {
	if req.MaxFee != 0 {
		return req.MaxFee
	}
	hi, lo := bits.Mul64(uint64(req.Amount), uint64(r.cfg.MaxFeeProportional))
	if hi >= 1_000_000 {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, 1_000_000)
	return wire.MilliSatoshi(addSat(q, uint64(r.cfg.MaxFeeBase)))
}

// FindRoute returns the cheapest route (fees plus the scorer's
// penalties) delivering req.Amount to req.Payee in one part, or an error
// matching ErrNoRoute, ErrUnknownPayee or ErrInvalidRequest.
func (r *Router) FindRoute(req Request) (*Route, error) {
	v := r.cfg.Graph.View()
	defer v.Release()
	p, err := r.newProblem(v, &req)
	if err != nil {
		return nil, err
	}
	s := r.getSearch(int(p.slots) + len(p.extraIDs))
	defer r.putSearch(s)
	return r.run(p, s, req.Amount, r.maxFee(&req), nil)
}
