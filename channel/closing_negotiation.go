package channel

import (
	"errors"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/wire"
)

// closingNegotiation is the legacy closing fee negotiation of one channel
// (BOLT 2, "Legacy Closing Negotiation: closing_signed"): a caller-driven
// state machine. The opener (funder) sends the first closing_signed with
// start; the non-opener (fundee) sends nothing until it receives one, and
// replies to it. Each closing_signed received goes to receive, which
// returns the reply to send and, once both sides named the same fee, the
// signed closing transaction to broadcast.
//
// It is deterministic (no clock, randomness or goroutine) and keeps no
// state across a reconnection: BOLT 2 restarts the negotiation, so the
// manager makes a new one. It is not safe for concurrent use.
type closingNegotiation struct {
	p closingParams

	// sent and lastSent: the fee_satoshis of our last closing_signed.
	sent     bool
	lastSent wire.Satoshi
	// received and lastReceived: the fee_satoshis of the peer's last
	// closing_signed we accepted.
	received     bool
	lastReceived wire.Satoshi
	// agreed: both sides named agreedFee; final is the closing transaction.
	agreed    bool
	agreedFee wire.Satoshi
	final     *btcwire.MsgTx
}

// errClosingNilMessage is receive's answer to a nil message.
var errClosingNilMessage = errors.New("channel: closing_signed is nil")

// newClosingNegotiation validates p and returns a negotiation that has
// sent and received nothing. An invalid p is an error wrapping
// ErrInvalidConfig naming the field.
func newClosingNegotiation(p closingParams) (*closingNegotiation, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &closingNegotiation{p: p}, nil
}

// start returns the first closing_signed, proposing our ideal fee, if we
// are the opener: BOLT 2 has the funder send first once shutdown is
// complete. It returns nil when we are not the opener (the fundee waits
// for the funder's proposal and replies to it in receive) and when the
// negotiation is already under way (something was sent or received).
func (n *closingNegotiation) start() (*wire.ClosingSigned, error) {
	if !n.p.weOpened() || n.sent || n.received || n.agreed {
		return nil, nil
	}
	msg, err := n.proposal(n.p.fees.ideal)
	if err != nil {
		return nil, err
	}
	n.sent, n.lastSent = true, msg.Fee
	return msg, nil
}

// agreedTx returns the signed closing transaction once the fee is agreed,
// else nil.
func (n *closingNegotiation) agreedTx() *btcwire.MsgTx { return n.final }

// receive handles the peer's closing_signed. It returns the closing_signed
// to send back (nil when none is due) and, when this message completes the
// agreement, the closing transaction with both signatures, for the
// manager to broadcast.
//
// Every requirement of BOLT 2 on the receiving node is checked; a message
// that breaks one is a *RuleError naming the rule, and leaves the
// negotiation as it was, so the manager may send a warning and wait for a
// better closing_signed (as BOLT 2 suggests for ranges that do not
// overlap) or fail the channel. After the agreement, a repeat of the
// agreed fee with a valid signature is ignored.
func (n *closingNegotiation) receive(msg *wire.ClosingSigned) (*wire.ClosingSigned, *btcwire.MsgTx, error) {
	if msg == nil {
		return nil, nil, errClosingNilMessage
	}
	if msg.ChannelID != n.p.channelID {
		return nil, nil, ruleErr(RuleClosingSignedChannelID, "%x is not the channel being closed", msg.ChannelID[:])
	}
	fee := msg.Fee
	if bal := n.p.openerBalance(); fee > bal {
		return nil, nil, ruleErr(RuleClosingSignedFee, "%d sat is above the opener's balance of %d sat", fee, bal)
	}
	theirs, hasRange := msg.FeeRange.Get()
	if hasRange {
		if theirs.MinFee > theirs.MaxFee {
			return nil, nil, ruleErr(RuleClosingSignedFeeRange, "min_fee_satoshis %d is above max_fee_satoshis %d", theirs.MinFee, theirs.MaxFee)
		}
		if fee < theirs.MinFee || fee > theirs.MaxFee {
			return nil, nil, ruleErr(RuleClosingSignedFeeRange, "fee_satoshis %d is outside the sender's own range [%d, %d]", fee, theirs.MinFee, theirs.MaxFee)
		}
	}
	theirTx, err := n.p.theirClosingTx(fee, msg.Signature)
	if err != nil {
		return nil, nil, err
	}
	if n.agreed {
		if fee == n.agreedFee {
			return nil, nil, nil
		}
		return nil, nil, ruleErr(RuleClosingSignedFee, "%d sat after agreeing on %d sat", fee, n.agreedFee)
	}

	// The fee_range rules compare the sender's range with the one we sent
	// or are about to send; once we sent proposals without one, we go on
	// the legacy way.
	var d closingDecision
	if hasRange && (n.p.sendFeeRange || !n.sent) {
		d, err = n.decideRange(fee, theirs)
	} else {
		d, err = n.decideLegacy(fee)
	}
	if err != nil {
		return nil, nil, err
	}

	var reply *wire.ClosingSigned
	var final *btcwire.MsgTx
	switch {
	case d.agree:
		// We sign the transaction the peer signed, for broadcast and for the
		// echo (when due): both sides then hold the same transaction.
		ourSig, err := n.p.closingSign(theirTx)
		if err != nil {
			return nil, nil, err
		}
		if final, err = n.p.closingSigned(theirTx, ourSig, msg.Signature); err != nil {
			return nil, nil, err
		}
		if d.reply {
			reply = n.message(fee, ourSig)
		}
	case d.reply:
		if reply, err = n.proposal(d.replyFee); err != nil {
			return nil, nil, err
		}
	}

	n.received, n.lastReceived = true, fee
	if reply != nil {
		n.sent, n.lastSent = true, reply.Fee
	}
	if d.agree {
		n.agreed, n.agreedFee, n.final = true, fee, final
	}
	return reply, final, nil
}

// closingDecision is what to do about a received fee: reply with
// replyFee, and whether the received fee is agreed.
type closingDecision struct {
	reply    bool
	replyFee wire.Satoshi
	agree    bool
}

// agreeTo agrees to fee, echoing it unless it is what we last sent (BOLT
// 2: "SHOULD reply with a closing_signed with the same fee_satoshis value
// if it is different from its previously sent fee_satoshis").
func (n *closingNegotiation) agreeTo(fee wire.Satoshi) closingDecision {
	return closingDecision{reply: !n.sent || fee != n.lastSent, replyFee: fee, agree: true}
}

// inOurRange reports whether fee is within our fee range.
func (n *closingNegotiation) inOurRange(fee wire.Satoshi) bool {
	r := n.p.fees.feeRange
	return r.MinFee <= fee && fee <= r.MaxFee
}

// matchesSent reports whether fee "is equal to its previously sent
// fee_satoshis" or "matches its previously sent fee_range": BOLT 2's first
// two rules, which agree to it.
func (n *closingNegotiation) matchesSent(fee wire.Satoshi) bool {
	return n.sent && (fee == n.lastSent || n.p.sendFeeRange && n.inOurRange(fee))
}

// decideRange decides on a fee sent with a fee_range (theirs, already
// checked to hold fee).
func (n *closingNegotiation) decideRange(fee wire.Satoshi, theirs wire.FeeRange) (closingDecision, error) {
	if n.matchesSent(fee) {
		return n.agreeTo(fee), nil
	}
	ours := n.p.fees.feeRange
	lo, hi := max(ours.MinFee, theirs.MinFee), min(ours.MaxFee, theirs.MaxFee)
	if lo > hi {
		return closingDecision{}, &closingNoOverlapError{ruleErr(RuleClosingSignedFeeRange, "[%d, %d] does not overlap our range [%d, %d]",
			theirs.MinFee, theirs.MaxFee, ours.MinFee, ours.MaxFee)}
	}
	if n.p.weOpened() {
		// The funder MUST fail the channel unless fee_satoshis is in the
		// overlap, and MUST reply with the same fee_satoshis if it is.
		if fee < lo || fee > hi {
			return closingDecision{}, ruleErr(RuleClosingSignedFee, "%d sat is outside the overlap [%d, %d] of both ranges", fee, lo, hi)
		}
		return n.agreeTo(fee), nil
	}
	// Not the funder: once we sent a fee, the funder must take it.
	if n.sent {
		return closingDecision{}, ruleErr(RuleClosingSignedFee, "%d sat differs from the %d sat we sent", fee, n.lastSent)
	}
	// We MUST propose a fee in the overlap: the closest to theirs, which is
	// theirs when it is in our range (the negotiation ends in two
	// messages; otherwise the funder echoes ours, in three).
	pick := min(max(fee, lo), hi)
	if pick == fee {
		return n.agreeTo(fee), nil
	}
	return closingDecision{reply: true, replyFee: pick}, nil
}

// decideLegacy decides on a fee sent without fee_range: proposals move
// strictly between the last two until one side names a fee the other
// accepts.
func (n *closingNegotiation) decideLegacy(fee wire.Satoshi) (closingDecision, error) {
	// BOLT 2 checks this before the strictly-between rule.
	if n.matchesSent(fee) {
		return n.agreeTo(fee), nil
	}
	if n.sent && n.received && !closingStrictlyBetween(fee, n.lastSent, n.lastReceived) {
		return closingDecision{}, ruleErr(RuleClosingSignedFee, "%d sat is not strictly between our %d sat and the %d sat received before",
			fee, n.lastSent, n.lastReceived)
	}
	if n.inOurRange(fee) {
		return n.agreeTo(fee), nil
	}
	if !n.sent {
		return closingDecision{reply: true, replyFee: n.p.fees.ideal}, nil
	}
	// MUST propose a value strictly between the received fee and ours:
	// halfway, kept within our range.
	ours := n.p.fees.feeRange
	lo, hi := min(fee, n.lastSent)+1, max(fee, n.lastSent)-1
	lo, hi = max(lo, ours.MinFee), min(hi, ours.MaxFee)
	if lo > hi {
		return closingDecision{}, ruleErr(RuleClosingSignedFee, "no fee strictly between %d sat and our %d sat is in our range [%d, %d]",
			fee, n.lastSent, ours.MinFee, ours.MaxFee)
	}
	return closingDecision{reply: true, replyFee: min(max((fee+n.lastSent)/2, lo), hi)}, nil
}

// closingStrictlyBetween reports whether fee lies strictly between a and b.
func closingStrictlyBetween(fee, a, b wire.Satoshi) bool {
	return min(a, b) < fee && fee < max(a, b)
}

// proposal builds and signs our closing_signed at fee: the transaction
// of our variant ([closingParams.ourClosingTx]).
func (n *closingNegotiation) proposal(fee wire.Satoshi) (*wire.ClosingSigned, error) {
	tx, err := n.p.ourClosingTx(fee)
	if err != nil {
		return nil, err
	}
	sig, err := n.p.closingSign(tx)
	if err != nil {
		return nil, err
	}
	return n.message(fee, sig), nil
}

// message returns our closing_signed of fee and sig, with our fee_range
// when we send one.
func (n *closingNegotiation) message(fee wire.Satoshi, sig wire.Signature) *wire.ClosingSigned {
	msg := &wire.ClosingSigned{ChannelID: n.p.channelID, Fee: fee, Signature: sig}
	if n.p.sendFeeRange {
		msg.FeeRange = wire.Some(n.p.fees.feeRange)
	}
	return msg
}
