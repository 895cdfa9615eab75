package channel

import (
	"errors"
	"sync"
	"time"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Receiving multi-part payments (BOLT 4 basic_mpp): an HTLC for us whose
// total_msat is more than its amount is a part. Parts paying the same
// hash, on any of our channels, are held (committed, neither claimed nor
// failed) until their amounts reach the total; then one PaymentClaimable
// is raised for all of them, and ClaimFunds claims them together. Parts
// that do not reach the total within MPPTimeout are failed back together
// with mpp_timeout. A part whose total_msat differs from the set's fails
// the whole set (BOLT 4: the payer is confused; it and the parts held are
// failed back with incorrect_or_unknown_payment_details). A part whose
// payment_secret differs, or that comes once the set is complete, is
// failed back alone. After a restart the sets are rebuilt from the committed HTLCs
// (their onions peeled again); an incomplete set's wait starts again.

// MPPTimeout is how long the parts of a multi-part payment wait for the
// rest before they are failed back with mpp_timeout (BOLT 4: at least 60
// seconds). Time is the Manager's (TimerTick).
const MPPTimeout = 90 * time.Second

// ErrPaymentIncomplete is matched by ClaimFunds' error when the parts of a
// multi-part payment received so far do not add up to its total: nothing
// is claimed (the payer could not prove it paid the whole).
var ErrPaymentIncomplete = errors.New("channel: multi-part payment incomplete")

// mppPart is one HTLC of a multi-part payment.
type mppPart struct {
	ch       wire.ChannelID
	id       uint64
	amount   wire.MilliSatoshi
	deadline uint32 // its PaymentClaimable's ClaimDeadline
}

// mppSet is the parts of one multi-part payment received so far.
type mppSet struct {
	total    wire.MilliSatoshi
	secret   wire.PaymentSecret
	parts    []mppPart
	first    time.Time // zero until the Manager's time is known
	complete bool
}

// sum is the amount of the set's parts.
func (s *mppSet) sum() wire.MilliSatoshi {
	var v wire.MilliSatoshi
	for _, p := range s.parts {
		v += p.amount
	}
	return v
}

// claimDeadline is the earliest ClaimDeadline of the set's parts.
func (s *mppSet) claimDeadline() uint32 {
	d := s.parts[0].deadline
	for _, p := range s.parts[1:] {
		d = min(d, p.deadline)
	}
	return d
}

// mppBook holds the multi-part payments being received (its own lock,
// taken under a peer's lock, never the other way round).
type mppBook struct {
	mu   sync.Mutex
	sets map[wire.PaymentHash]*mppSet
	// claimed counts, per hash, the parts claimed whose PaymentClaimed is
	// still to come, and their amount: one event for the whole payment.
	claimed map[wire.PaymentHash]*claimedParts
	// doomed are the hashes of the sets a part with another total_msat
	// failed, whose held parts are still to fail back (failDoomedMPP).
	doomed []wire.PaymentHash
}

// claimedParts are the claimed parts of a payment not yet irrevocably
// removed.
type claimedParts struct {
	left, count int
	amount      wire.MilliSatoshi
}

// mppOutcome is what adding a part did.
type mppOutcome uint8

const (
	mppHeld     mppOutcome = iota // waiting for more parts
	mppComplete                   // the parts now reach the total
	mppRefused                    // disagrees with the set, or the set is complete
)

// add adds part to the set of hash, seen at now.
func (b *mppBook) add(hash wire.PaymentHash, total wire.MilliSatoshi, secret wire.PaymentSecret, part mppPart, now time.Time) (mppOutcome, *mppSet) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sets == nil {
		b.sets = make(map[wire.PaymentHash]*mppSet)
	}
	s := b.sets[hash]
	if s == nil {
		s = &mppSet{total: total, secret: secret, first: now}
		b.sets[hash] = s
	}
	for _, p := range s.parts {
		if p.ch == part.ch && p.id == part.id {
			return mppHeld, s // seen before (rebuilt after a restart)
		}
	}
	if !s.complete && s.total != total && s.secret == secret {
		delete(b.sets, hash)
		b.doomed = append(b.doomed, hash)
		return mppRefused, s
	}
	if s.complete || s.total != total || s.secret != secret {
		return mppRefused, s
	}
	s.parts = append(s.parts, part)
	if s.sum() < s.total {
		return mppHeld, s
	}
	s.complete = true
	c := *s
	c.parts = append([]mppPart(nil), s.parts...)
	return mppComplete, &c
}

// incomplete reports whether hash is a multi-part payment whose parts do
// not reach its total yet.
func (b *mppBook) incomplete(hash wire.PaymentHash) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.sets[hash]
	return s != nil && !s.complete
}

// settle forgets the set of hash (claimed or failed); claimed, it counts
// its parts for one PaymentClaimed.
func (b *mppBook) settle(hash wire.PaymentHash, claimed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.sets[hash]
	if s == nil {
		return
	}
	delete(b.sets, hash)
	if !claimed || len(s.parts) < 2 {
		return
	}
	if b.claimed == nil {
		b.claimed = make(map[wire.PaymentHash]*claimedParts)
	}
	b.claimed[hash] = &claimedParts{left: len(s.parts), count: len(s.parts)}
}

// claimedPart counts one claimed part of hash irrevocably removed,
// amount: it returns false while more are to come, and at the last one
// the whole payment's amount and part count. A hash it does not count
// (a single HTLC, or parts claimed before a restart) is its own payment.
func (b *mppBook) claimedPart(hash wire.PaymentHash, amount wire.MilliSatoshi) (bool, wire.MilliSatoshi, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.claimed[hash]
	if c == nil {
		return true, amount, 1
	}
	c.left--
	c.amount += amount
	if c.left > 0 {
		return false, 0, 0
	}
	delete(b.claimed, hash)
	return true, c.amount, c.count
}

// expired removes and returns the hashes of the incomplete sets waiting
// since MPPTimeout before now; sets first seen before the time was known
// start waiting now.
func (b *mppBook) expired(now time.Time) []wire.PaymentHash {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []wire.PaymentHash
	for h, s := range b.sets {
		switch {
		case s.complete:
		case s.first.IsZero():
			s.first = now
		case now.Sub(s.first) >= MPPTimeout:
			out = append(out, h)
			delete(b.sets, h)
		}
	}
	return out
}

// takeDoomed removes and returns the hashes of the sets to fail back,
// and the sets a part started for them since (failed back with them).
func (b *mppBook) takeDoomed() []wire.PaymentHash {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.doomed
	b.doomed = nil
	for _, h := range out {
		delete(b.sets, h)
	}
	return out
}

// expireMPP fails back, with mpp_timeout, the parts of the multi-part
// payments that did not reach their total within MPPTimeout.
func (m *Manager) expireMPP(now time.Time) {
	m.failMPPSets(m.mpp.expired(now), func(*htlcEntry) onion.FailureMessage { return &onion.MPPTimeout{} })
}

// failDoomedMPP fails back the held parts of the sets a part with another
// total_msat failed, with incorrect_or_unknown_payment_details.
func (m *Manager) failDoomedMPP() {
	height := uint32(m.bestHeight())
	m.failMPPSets(m.mpp.takeDoomed(), func(h *htlcEntry) onion.FailureMessage {
		return &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: h.amount, Height: height}
	})
}

// failMPPSets fails back every held part paying one of hashes, with the
// failure fail gives.
func (m *Manager) failMPPSets(hashes []wire.PaymentHash, fail func(*htlcEntry) onion.FailureMessage) {
	if len(hashes) == 0 {
		return
	}
	m.eachChannel(func(p *peerState, e *entry, d *chanData) {
		for _, hash := range hashes {
			for _, h := range incomingWithHash(d, hash) {
				if m.fwd.has(htlcRef{d.id, h.id}) {
					continue // a forward's, with the same hash
				}
				m.cfg.Logger.Info("channel: multi-part payment not taken: failing its part back",
					"channel_id", d.id, "htlc_id", h.id, "payment_hash", hash)
				m.check(p, e, m.failIncomingHTLC(p, e, d, &h, fail(&h)))
			}
		}
	})
	m.flush()
}

// loadMPP rebuilds, after a restart, the sets of the multi-part payments
// whose parts are committed and neither claimed nor failed.
func (m *Manager) loadMPP() {
	m.eachChannel(func(_ *peerState, _ *entry, d *chanData) {
		for _, h := range d.log.htlcs {
			if h.state != htlcInCommitted || h.offerer() != commit.Remote {
				continue
			}
			var pkt onion.Packet
			if pkt.Decode(h.onion) != nil {
				continue
			}
			pp, err := m.onion.Process(&pkt, h.paymentHash[:], h.cltvExpiry)
			if err != nil || !pp.Final {
				continue
			}
			pd, ok := pp.Payload.PaymentData.Get()
			if !ok || pd.TotalMsat <= h.amount {
				continue
			}
			m.mpp.add(h.paymentHash, pd.TotalMsat, pd.PaymentSecret, mppPart{ch: d.id, id: h.id, amount: h.amount, deadline: claimDeadline(h.cltvExpiry)}, time.Time{})
		}
	})
}

// claimDeadline is the last height at which the claim of an incoming HTLC
// expiring at cltv still goes out: at cltv-HTLCFailBackBuffer it is
// failed back.
func claimDeadline(cltv uint32) uint32 {
	if cltv > HTLCFailBackBuffer+1 {
		return cltv - HTLCFailBackBuffer - 1
	}
	return 0
}
