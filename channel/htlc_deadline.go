package channel

import (
	"fmt"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// Going on chain in time (BOLT 2, "cltv_expiry_delta Selection",
// Requirements): an HTLC the peer does not resolve off chain must be
// resolved on chain before the other side can take it there. At every new
// best height the Manager looks at each channel in normal operation or
// shutting down (not one whose cooperative closing transaction is agreed:
// that transaction holds no HTLC) and fails it, broadcasting our latest
// commitment, when
//
//   - an HTLC we offered is still in a commitment (not irrevocably
//     removed) at cltv_expiry+HTLCTimeoutGrace: its timeout deadline. The
//     peer had its grace to fulfill or fail it; from now on only the chain
//     can give the amount back to us (HTLC-timeout, or the timeout path of
//     the peer's commitment), and upstream the HTLC we forwarded it for
//     expires in turn.
//   - an HTLC of the peer that we fulfilled (its preimage is in our log
//     and our monitor) is not yet removed from the peer's commitment at
//     cltv_expiry-HTLCClaimBuffer: its fulfillment deadline. At
//     cltv_expiry the peer can time it out on chain; our HTLC-success (or
//     preimage claim on their commitment) needs the buffer to confirm.
//
// The check reads the update log and our latest commitment, saved with
// every change of the channel, and the monitor's preimages, saved with
// the monitor: a node restarted past a deadline goes on chain at the
// first block it processes. A channel failed once is forgotten by the
// Manager (its monitor goes on claiming), so no deadline fires twice.
//
// An incoming HTLC we fulfilled whose removal the peer revoked its
// commitment for has left the log, but stays in our latest commitment
// until the peer signs the next one. A peer that stops there leaves us a
// commitment whose HTLC it can time out once expired: should we ever have
// to broadcast it after the expiry, we would race for an amount that is
// ours. So such an HTLC keeps its fulfillment deadline while it is in our
// latest commitment (BOLT 2: "in either node's current commitment
// transaction"), when the monitor holds its preimage (a Watch that cannot
// tell, see preimageWatch, is taken to hold it: a needless close costs
// fees, a missed one the HTLC).

// The assumptions of BOLT 2 "cltv_expiry_delta Selection" behind the
// deadlines: a reorganisation at most R blocks deep, and S blocks between
// the broadcast of a transaction and its confirmation (BOLT 2: "S=12
// should be considered a minimum").
const (
	htlcAssumedReorgDepth   = 2
	htlcAssumedConfirmation = 12
)

// HTLCTimeoutGrace is G of BOLT 2 "cltv_expiry_delta Selection": how many
// blocks after its cltv_expiry an HTLC we offered may stay unresolved by
// the peer before we fail the channel and time it out on chain (the
// offered HTLC's timeout deadline; BOLT 2: "1 or 2 blocks is
// reasonable"). With R=2 and S=12 it gives BOLT 2's cltv_expiry_delta of
// 3R+2G+2S = 34, MinCLTVExpiryDelta.
const HTLCTimeoutGrace = 2

// HTLCClaimBuffer is how many blocks before its cltv_expiry an HTLC of the
// peer that we fulfilled must be removed from the peer's commitment,
// else we fail the channel and claim it on chain with the preimage (the
// received HTLC's fulfillment deadline): 2R+G+S = 18 blocks (BOLT 2: "18
// blocks is reasonable"), which leave our claim the time to confirm and
// to survive a reorganisation before the peer can time the HTLC out.
//
// The other expiry margins are built on it: HTLCFailBackBuffer (21) >=
// HTLCClaimBuffer+HTLCTimeoutGrace, so that a payment claimed at the last
// block it is claimable still leaves the peer more than the grace to take
// the fulfill before we go on chain; the min_final_cltv_expiry_delta of
// our invoices and keysends (DefaultInvoiceMinFinalCLTVExpiryDelta,
// DefaultKeysendMinFinalCLTVExpiryDelta: 24) exceeds HTLCFailBackBuffer,
// leaving the application blocks to claim; and a forwarding node's
// cltv_expiry_delta (ChannelConfig.CLTVExpiryDelta, at least
// MinCLTVExpiryDelta = 3R+2G+2S = 34) exceeds HTLCTimeoutGrace +
// HTLCClaimBuffer: an outgoing HTLC timed out on chain at its deadline,
// whose preimage the peer reveals in the race, still leaves the time to
// claim the incoming one.
const HTLCClaimBuffer = 2*htlcAssumedReorgDepth + HTLCTimeoutGrace + htlcAssumedConfirmation

// htlcDeadline is an HTLC of a channel whose deadline is reached.
type htlcDeadline struct {
	id          uint64
	offered     bool
	amount      wire.MilliSatoshi
	paymentHash wire.PaymentHash
	cltvExpiry  uint32
	// deadline is the height from which the HTLC forces the channel on
	// chain.
	deadline int64
}

// String says which HTLC and why, for the log and the closure reason.
func (h htlcDeadline) String() string {
	if h.offered {
		return fmt.Sprintf("htlc %d we offered (cltv_expiry %d) is still in a commitment at its timeout deadline %d",
			h.id, h.cltvExpiry, h.deadline)
	}
	return fmt.Sprintf("htlc %d we fulfilled (cltv_expiry %d) is not removed at its fulfillment deadline %d",
		h.id, h.cltvExpiry, h.deadline)
}

// offeredInCommitment reports whether h is an HTLC we offered that may be
// in a commitment of either side: every state of ours but an add no
// commitment_signed of ours covers yet (the peer cannot hold it) and
// those the log has forgotten (irrevocably removed from both).
func offeredInCommitment(h *htlcEntry) bool {
	return h.state.outbound() && (h.state != htlcLocalAnnounced || h.signed)
}

// fulfilledNotRemoved reports whether h is an HTLC of the peer that we
// fulfilled and the peer has not yet revoked a commitment holding it.
func fulfilledNotRemoved(h *htlcEntry) bool {
	return h.state == htlcLocalRemoved && h.outcome.kind == htlcFulfilled
}

// htlcsAtDeadline returns the HTLCs of the log whose deadline height has
// reached, in the log's order.
func (l *updateLog) htlcsAtDeadline(height int32) []htlcDeadline {
	var out []htlcDeadline
	for i := range l.htlcs {
		h := &l.htlcs[i]
		var deadline int64
		switch {
		case offeredInCommitment(h):
			deadline = int64(h.cltvExpiry) + HTLCTimeoutGrace
		case fulfilledNotRemoved(h):
			deadline = int64(h.cltvExpiry) - HTLCClaimBuffer
		default:
			continue
		}
		if int64(height) < deadline {
			continue
		}
		out = append(out, htlcDeadline{
			id: h.id, offered: h.state.outbound(), amount: h.amount, paymentHash: h.paymentHash,
			cltvExpiry: h.cltvExpiry, deadline: deadline,
		})
	}
	return out
}

// preimageWatch is a Watch that tells whether a channel's monitor holds a
// payment preimage (*monitor.ChainMonitor does).
type preimageWatch interface {
	Preimage(id wire.ChannelID, hash wire.PaymentHash) (wire.Preimage, bool)
}

var _ preimageWatch = (*monitor.ChainMonitor)(nil)

// fulfilledInHolder returns the HTLCs of the peer in our latest commitment
// that the log no longer holds (their removal is irrevocable on the
// peer's side) and whose preimage the monitor holds, whose fulfillment
// deadline has reached at height.
func (m *Manager) fulfilledInHolder(d *chanData, height int32) []htlcDeadline {
	var out []htlcDeadline
	for _, h := range d.cc.holder.HTLCs {
		deadline := int64(h.CLTVExpiry) - HTLCClaimBuffer
		if h.Offerer != commit.Remote || int64(height) < deadline || d.log.find(commit.Remote, h.ID) != nil {
			continue
		}
		if w, ok := m.cfg.Watch.(preimageWatch); ok {
			if _, known := w.Preimage(d.id, h.PaymentHash); !known {
				continue // failed: the amount is the peer's
			}
		}
		out = append(out, htlcDeadline{
			id: h.ID, amount: h.Amount, paymentHash: h.PaymentHash, cltvExpiry: h.CLTVExpiry, deadline: deadline,
		})
	}
	return out
}

// htlcDeadlines fails channel d, force-closing it, when one of its HTLCs
// reached its deadline at height (p locked): the peer gets an error (BOLT
// 2: SHOULD send an error), our latest commitment is broadcast, and the
// application gets ChannelClosed of kind ClosedHTLCsTimedOut naming the
// first such HTLC; each is logged.
func (m *Manager) htlcDeadlines(p *peerState, e *entry, d *chanData, height int32) {
	if d.shut.closingTx != nil {
		return // agreed cooperatively: no HTLC is left in the closing transaction
	}
	due := append(d.log.htlcsAtDeadline(height), m.fulfilledInHolder(d, height)...)
	if len(due) == 0 {
		return
	}
	for _, h := range due {
		m.cfg.Logger.Warn("channel: htlc at its deadline: going on chain", "node_id", p.id, "channel_id", d.id,
			"htlc_id", h.id, "offered", h.offered, "amount_msat", h.amount, "payment_hash", h.paymentHash,
			"cltv_expiry", h.cltvExpiry, "deadline", h.deadline, "height", height)
	}
	why := due[0].String()
	if len(due) > 1 {
		why += fmt.Sprintf(" (and %d more)", len(due)-1)
	}
	e.out.send(&wire.Error{ChannelID: d.id, Data: []byte("lnkit: " + why)})
	m.forceClose(p, e, d, events.HTLCsTimedOut(why))
}
