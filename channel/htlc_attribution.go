package channel

import (
	"math"
	"time"

	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Attribution data (BOLT 4 "Returning Errors", attributable failures, and
// "Hold times for successful payments"; BOLT 2 attribution_data of
// update_fail_htlc and update_fulfill_htlc): every update_fail_htlc and
// update_fulfill_htlc we send carries it (an odd TLV a peer without
// option_attribution_data ignores; Features does not advertise the bit
// yet, which lnd does not know):
//
//   - a failure we originate (final node, or a forward refused here, or
//     our own failure for a downstream update_fail_malformed_htlc): built
//     with the failure (onion.NewFailure), our hold time in it;
//   - a downstream failure we pass upstream: the downstream's data, or
//     a zeroed block when it sent none, with our hold time and HMACs added
//     (onion.ForwardFailure);
//   - our fulfill as the payee (onion.NewSuccessAttribution) and a
//     forward's fulfill (onion.ForwardSuccessAttribution of the
//     downstream's data, zeroed when none).
//
// The data is fixed when the removal is decided and kept with it (the
// update log's outcome, a forward's record), so that a retransmission
// after a reconnection or restart sends the same bytes. An HTLC's hold
// time runs from its update_add_htlc (htlcEntry.receivedAt, the Manager's
// injected clock) to that decision, in BOLT 4's units of 100 ms; an HTLC
// received before receivedAt was recorded (a record written by an older
// release), or before the first TimerTick, reports 0, which BOLT 4 allows
// for a node without accurate timing. The clock being TimerTick's, hold
// times are as precise as the ticks are frequent. A peer's HTLC with a
// path_key (route blinding) is not handled here yet; BOLT 4 says such a
// failure carries no attribution data.
//
// The payer side (payment_book.go, channel/internal/outbound) reads the
// attribution data of the failures and fulfills it receives: hold times
// in PaymentFailed, PaymentPathFailed and PaymentSent, and a failure no
// hop's HMAC matches attributed to the hop whose attribution HMAC did
// not verify (events.HTLCFailure.Tampered).

// holdTimeUnit is BOLT 4's hold time unit, in milliseconds.
const holdTimeUnit = 100

// holdTime is the hold time, in units of 100 ms, of an HTLC received at
// receivedAt and relayed at now (unix milliseconds); 0 when either is
// unknown (0) or the clock went back.
func holdTime(receivedAt, now uint64) uint32 {
	if receivedAt == 0 || now <= receivedAt {
		return 0
	}
	return uint32(min((now-receivedAt)/holdTimeUnit, math.MaxUint32))
}

// unixMilliNow is the injected time (TimerTick) in unix milliseconds, 0
// before the first tick. It takes no lock: callers may hold any.
func (m *Manager) unixMilliNow() uint64 { return m.nowMilli.Load() }

// unixMilli is t in unix milliseconds, 0 for the zero time or before
// 1970.
func unixMilli(t time.Time) uint64 {
	if t.IsZero() || t.UnixMilli() <= 0 {
		return 0
	}
	return uint64(t.UnixMilli())
}

// receivedAttribution is the attribution_data of a received removal as
// the update log keeps it (nil when absent).
func receivedAttribution(o wire.Option[wire.AttributionData]) *wire.AttributionData {
	if !o.Present {
		return nil
	}
	a := o.Value
	return &a
}

// sentAttribution is the attribution_data record of a removal we send.
func sentAttribution(a *wire.AttributionData) wire.Option[wire.AttributionData] {
	if a == nil {
		return wire.Option[wire.AttributionData]{}
	}
	return wire.Some(*a)
}

// forwardedAttribution is a copy of the downstream's attribution data a
// (a zeroed block when it sent none, BOLT 4), for this hop to add its
// part to.
func forwardedAttribution(a *wire.AttributionData) *onion.AttributionData {
	c := new(onion.AttributionData)
	if a != nil {
		*c = onion.AttributionData(*a)
	}
	return c
}

// fulfillAttribution is the attribution data of our fulfill, as the
// payee, of the peer's HTLC h (its onion's shared secret, our hold time);
// nil when the onion cannot be read (then the fulfill goes without).
func (m *Manager) fulfillAttribution(h *htlcEntry) *wire.AttributionData {
	var pkt onion.Packet
	if err := pkt.Decode(h.onion); err != nil {
		return nil
	}
	ss, err := m.onionSharedSecret(&pkt)
	if err != nil {
		return nil
	}
	return (*wire.AttributionData)(onion.NewSuccessAttribution(ss, holdTime(h.receivedAt, m.unixMilliNow())))
}
