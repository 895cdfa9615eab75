package channel

import (
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/lnkit/lnkit/channel/internal/outbound"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// PaymentRoutesNamespace holds the retry state of the payments sent over
// the network (one record per pending payment, by id in hex): what to ask
// the router again, the budget left and the channels to avoid. A record
// is removed when its payment ends (or at Load, once its payment has).
const PaymentRoutesNamespace = "payment_routes"

func paymentRoutesNS() persist.Namespace { return persist.Namespace{Primary: PaymentRoutesNamespace} }

// routingFormat is the persisted form of a routing (type 0x52, "R"): one
// required TLV record of fixed-layout big-endian values, and since 1.1 an
// optional one of the nodes excluded (33 bytes each; code of 1.0 skips
// it: it only retried through them).
var routingFormat = persist.RecordFormat{Type: 0x52, Major: 1, Minor: 1}

// routingRec and routingNodesRec are the TLV types of the routing's
// fields and of its excluded nodes.
const (
	routingRec      = 0
	routingNodesRec = 1
)

// Bounds of a decoded routing.
const (
	maxRoutingHints     = 64
	maxRoutingHintHops  = 32
	maxRoutingExcluded  = 1024
	maxRoutingFeatures  = 1024
	routingHopHintLen   = 33 + 8 + 4 + 4 + 2
	routingMinLen       = 33 + 2 + 4 + 8 + 2 + 8 + 2 + 4 + 4 + 8 + 4
	maxRoutingAttempts  = 1 << 16
	routingNoDeadline   = 0
	routingExcludeIDLen = 8
)

// routingOp is the write of routing rt of payment id.
func routingOp(id PaymentID, rt *routing) (persist.Op, error) {
	rec, err := encodeRouting(rt)
	if err != nil {
		return persist.Op{}, err
	}
	return persist.WriteOp(paymentRoutesNS(), hex.EncodeToString(id[:]), rec), nil
}

// routingRemoveOp is the removal of payment id's routing.
func routingRemoveOp(id PaymentID) persist.Op {
	return persist.RemoveOp(paymentRoutesNS(), hex.EncodeToString(id[:]))
}

// encodeRouting returns the persisted form of rt (its request's payer and
// amount are not kept: the payer is us, the amount what is not in
// flight).
func encodeRouting(rt *routing) ([]byte, error) {
	var w fieldWriter
	q := &rt.req
	w.fixed(q.Payee[:])
	w.be16(q.FinalCLTVDelta)
	w.be32(q.MaxTotalCLTV)
	w.be64(uint64(q.MaxFee))
	w.be16(uint16(min(max(q.MaxParts, 0), 0xffff)))
	w.be64(uint64(q.MinPartSize))
	w.script("features", q.PayeeFeatures.Bytes())
	if len(q.RouteHints) > maxRoutingHints {
		return nil, fmt.Errorf("channel: routing: %d route hints", len(q.RouteHints))
	}
	w.be32(uint32(len(q.RouteHints)))
	for _, h := range q.RouteHints {
		if len(h) > maxRoutingHintHops {
			return nil, fmt.Errorf("channel: routing: route hint of %d hops", len(h))
		}
		w.be32(uint32(len(h)))
		for _, hop := range h {
			w.fixed(hop.NodeID[:])
			w.be64(hop.ShortChannelID.ToUint64())
			w.be32(hop.FeeBaseMsat)
			w.be32(hop.FeeProportionalMillionths)
			w.be16(hop.CLTVExpiryDelta)
		}
	}
	w.be32(uint32(min(max(rt.left, 0), maxRoutingAttempts)))
	deadline := int64(routingNoDeadline)
	if !rt.deadline.IsZero() {
		deadline = rt.deadline.UnixNano()
	}
	w.be64(uint64(deadline))
	if len(rt.exclude) > maxRoutingExcluded {
		return nil, fmt.Errorf("channel: routing: %d excluded channels", len(rt.exclude))
	}
	w.be32(uint32(len(rt.exclude)))
	for _, s := range rt.exclude {
		w.be64(s.ToUint64())
	}
	if w.err != nil {
		return nil, fmt.Errorf("channel: routing: %w", w.err)
	}
	recs := wire.TLVRecords{{Type: routingRec, Value: w.buf}}
	if len(rt.excludeNodes) > 0 {
		if len(rt.excludeNodes) > maxRoutingExcluded {
			return nil, fmt.Errorf("channel: routing: %d excluded nodes", len(rt.excludeNodes))
		}
		nodes := make([]byte, 0, len(rt.excludeNodes)*len(wire.NodeID{}))
		for _, n := range rt.excludeNodes {
			nodes = append(nodes, n[:]...)
		}
		recs = append(recs, wire.TLVRecord{Type: routingNodesRec, Value: nodes})
	}
	return routingFormat.Append(nil, recs)
}

// decodeRouting reads what encodeRouting wrote, the payer set to payer.
// Counts are bounded before allocation; a malformed record gives an error
// matching ErrCorruptRecord (persist.ErrNewerVersion for a newer major
// version). It never panics; the result does not alias b.
func decodeRouting(b []byte, payer wire.NodeID) (*routing, error) {
	var rt *routing
	var nodes []wire.NodeID
	_, _, err := routingFormat.Decode(b, func(typ uint64, v []byte) (bool, error) {
		switch typ {
		case routingRec:
			r := &fieldReader{rest: v}
			rt = readRouting(r, payer)
			return true, r.done()
		case routingNodesRec:
			var err error
			nodes, err = readExcludedNodes(v)
			return true, err
		}
		return false, nil
	})
	if rt != nil {
		rt.excludeNodes = nodes
	}
	if err == nil && rt == nil {
		err = errors.New("no routing record")
	}
	if err != nil {
		if errors.Is(err, persist.ErrNewerVersion) {
			return nil, fmt.Errorf("channel: routing: %w", err)
		}
		return nil, fmt.Errorf("%w: routing: %w", ErrCorruptRecord, err)
	}
	return rt, nil
}

// readExcludedNodes reads the excluded nodes' record: whole node ids, at
// most maxRoutingExcluded.
func readExcludedNodes(v []byte) ([]wire.NodeID, error) {
	const n = len(wire.NodeID{})
	if len(v)%n != 0 || len(v)/n > maxRoutingExcluded {
		return nil, fmt.Errorf("excluded nodes of %d bytes", len(v))
	}
	out := make([]wire.NodeID, len(v)/n)
	for i := range out {
		copy(out[i][:], v[i*n:])
	}
	return out, nil
}

func readRouting(r *fieldReader, payer wire.NodeID) *routing {
	rt := &routing{req: router.Request{Payer: payer}}
	q := &rt.req
	if len(r.rest) < routingMinLen {
		r.fail(fmt.Errorf("%d bytes, less than %d", len(r.rest), routingMinLen))
		return rt
	}
	r.fixed(q.Payee[:])
	q.FinalCLTVDelta = r.be16()
	q.MaxTotalCLTV = r.be32()
	q.MaxFee = wire.MilliSatoshi(r.be64())
	q.MaxParts = int(r.be16())
	q.MinPartSize = wire.MilliSatoshi(r.be64())
	features := r.script()
	if len(features) > maxRoutingFeatures {
		r.fail(fmt.Errorf("features of %d bytes", len(features)))
	}
	q.PayeeFeatures = wire.FeatureVectorFromBytes(features)
	n := r.count(4)
	if n > maxRoutingHints {
		r.fail(fmt.Errorf("%d route hints", n))
		n = 0
	}
	for range n {
		k := r.count(routingHopHintLen)
		if k == 0 || k > maxRoutingHintHops {
			r.fail(fmt.Errorf("route hint of %d hops", k))
			break
		}
		h := make(invoice.RouteHint, k)
		for i := range h {
			r.fixed(h[i].NodeID[:])
			h[i].ShortChannelID = wire.NewShortChannelID(r.be64())
			h[i].FeeBaseMsat = r.be32()
			h[i].FeeProportionalMillionths = r.be32()
			h[i].CLTVExpiryDelta = r.be16()
		}
		q.RouteHints = append(q.RouteHints, h)
	}
	left := r.be32()
	if left > maxRoutingAttempts {
		r.fail(fmt.Errorf("%d attempts left", left))
	}
	rt.left = int(left)
	if d := int64(r.be64()); d != routingNoDeadline {
		rt.deadline = time.Unix(0, d).UTC()
	}
	n = r.count(routingExcludeIDLen)
	if n > maxRoutingExcluded {
		r.fail(fmt.Errorf("%d excluded channels", n))
		n = 0
	}
	for range n {
		rt.exclude = append(rt.exclude, wire.NewShortChannelID(r.be64()))
	}
	return rt
}

// loadRoutings reads the routings of the payments over the network (Load,
// after loadPayments): a pending payment's is taken up again, and the
// payment queued for a retry when its parts in flight no longer carry its
// amount (the crash came between a failure and its retry); the record of
// a payment that ended is removed.
func (m *Manager) loadRoutings() error {
	ctx := m.cfg.Context
	keys, err := m.cfg.Store.List(ctx, paymentRoutesNS())
	if err != nil {
		return fmt.Errorf("%w: list payment routes: %w", ErrPersistence, err)
	}
	var stale []persist.Op
	for _, k := range keys {
		raw, err := hex.DecodeString(k)
		if err != nil || len(raw) != len(PaymentID{}) {
			return fmt.Errorf("%w: payment route key %q", ErrCorruptRecord, k)
		}
		id := PaymentID(raw)
		m.pay.mu.Lock()
		pay := m.pay.byID[id]
		pending := pay != nil && pay.Status == outbound.StatusPending && pay.FailureReason == outbound.ReasonNone
		short := pending && pay.FailureReason == outbound.ReasonNone && pay.Committed() < pay.Amount
		m.pay.mu.Unlock()
		if !pending {
			stale = append(stale, routingRemoveOp(id))
			continue
		}
		v, err := m.cfg.Store.Read(ctx, paymentRoutesNS(), k)
		if err != nil {
			return fmt.Errorf("%w: read payment route %s: %w", ErrPersistence, k, err)
		}
		rt, err := decodeRouting(v, m.ourID)
		if err != nil {
			return fmt.Errorf("channel: payment %s: %w", k, err)
		}
		m.retries.put(id, rt)
		if short {
			m.retries.failed(id, wire.ShortChannelID{}, wire.NodeID{})
		}
	}
	if len(stale) > 0 {
		if err := m.cfg.Store.Apply(ctx, stale); err != nil {
			return fmt.Errorf("%w: remove ended payment routes: %w", ErrPersistence, err)
		}
	}
	return nil
}
