package outbound

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Failure is a failed attempt's failure as the payer reads it (BOLT 4
// "Returning Errors", origin node requirements).
type Failure struct {
	// HopIndex is the index in the route's Hops of the erring node, or -1
	// when the failure could not be attributed.
	HopIndex int
	// ErringNode is the node at HopIndex (zero when unknown).
	ErringNode wire.NodeID
	// Code is the failure code (zero when unknown).
	Code onion.FailureCode
	// Message is the decoded failure message; nil when it is unknown or
	// could not be parsed.
	Message onion.FailureMessage
	// Permanent: this route cannot carry the payment as it is, because
	// the PERM bit is set or the final node failed it.
	Permanent bool
	// PaymentFailedPermanently: the payee itself failed the payment with
	// the PERM bit (for instance incorrect_or_unknown_payment_details): no
	// retry can succeed and the payment should be failed.
	PaymentFailedPermanently bool
	// ChannelUpdate is the raw channel_update an UPDATE failure carried
	// (possibly empty). It is the erring node's claim: check its signature
	// and timestamp before using it.
	ChannelUpdate []byte
	// ShortChannelID is the channel to blame, from the route: the erring
	// node's outgoing channel for an intermediate hop, its incoming one
	// for the final hop, a malformed-onion failure of the first hop or a
	// Tampered failure (zero when unknown).
	ShortChannelID wire.ShortChannelID
	// Tampered: no hop's HMAC matched the returned failure, so it was
	// altered on its way back (or garbled by the hop that sent it). With
	// attribution data (BOLT 4 attributable failures) HopIndex names the
	// hop whose attribution HMAC did not verify: it, or the hop before it,
	// altered the failure or dropped the data (a hop without
	// option_attribution_data drops it too); ShortChannelID is the channel
	// between the two, ErringNode that hop, Code zero. Without, HopIndex
	// is -1.
	Tampered bool
	// HoldTimes are the hold times the hops reported in the failure's
	// attribution data, in route order from the first hop, in units of
	// 100 ms (BOLT 4; 0: the hop did not say), for the hops whose
	// attribution HMAC verified; nil without attribution data. A hop's
	// time includes the time of the hops after it.
	HoldTimes []uint32
}

// IsNode reports whether the failure is the erring node's rather than a
// channel's (NODE bit): the payer should avoid the node.
func (f *Failure) IsNode() bool { return f.Code.IsNode() }

// DecodeFailure reads the reason of an update_fail_htlc for attempt a:
// it decrypts it with the shared secrets of a's session key and route,
// finds the erring hop and parses its failure message.
//
// When no hop's HMAC matches (the reason was corrupted on the way, or is
// too short or too long), it returns a Failure with HopIndex -1 and an
// error matching ErrUnreadableFailure and onion.ErrUnknownFailureSource or
// onion.ErrInvalidFailure. When the hop is found but its message cannot be
// parsed, it returns the Failure with HopIndex, ErringNode and
// ShortChannelID set (the hop produced garbage; BOLT 4 lets the payer
// blame it) and an error matching ErrUnreadableFailure. Only an attempt
// whose session key or route is unusable gives a nil Failure.
func DecodeFailure(a *Attempt, reason []byte) (*Failure, error) {
	return DecodeAttributedFailure(a, reason, nil)
}

// DecodeAttributedFailure is DecodeFailure with the update_fail_htlc's
// attribution_data attr (nil when it carried none): the Failure also has
// the hops' HoldTimes, and a failure no hop's HMAC matches is attributed
// to the hop the attribution data blames (Tampered), still with an error
// matching ErrUnreadableFailure.
func DecodeAttributedFailure(a *Attempt, reason []byte, attr *onion.AttributionData) (*Failure, error) {
	secrets, err := a.SharedSecrets()
	if err != nil {
		return nil, err
	}
	d, err := onion.DecryptFailure(secrets, reason, attr)
	if err != nil {
		return tamperedFailure(a, err), fmt.Errorf("%w: %w", ErrUnreadableFailure, err)
	}
	f := hopFailure(a, d.SenderIndex)
	f.HoldTimes = d.HoldTimes
	if len(d.Message) >= 2 {
		f.Code = onion.FailureCode(binary.BigEndian.Uint16(d.Message))
	}
	msg, _, err := onion.DecodeFailureMessage(d.Message)
	if err != nil {
		f.Permanent = f.HopIndex == len(a.Route.Hops)-1
		return f, fmt.Errorf("%w: hop %d: %w", ErrUnreadableFailure, f.HopIndex, err)
	}
	f.Message = msg
	f.Code = msg.Code()
	f.ChannelUpdate = channelUpdate(msg)
	final := f.HopIndex == len(a.Route.Hops)-1
	f.Permanent = f.Code.IsPermanent() || final
	f.PaymentFailedPermanently = final && f.Code.IsPermanent()
	return f, nil
}

// MalformedFailure is the Failure of an update_fail_malformed_htlc for
// attempt a: only the first hop sends one to the payer (farther hops'
// malformed failures come back as update_fail_htlc from their upstream),
// so it blames hop 0 and its incoming channel. code is the message's
// failure_code; the channel rejects one without the BADONION bit before
// calling this. Message is nil (the message carries only the onion's hash).
func MalformedFailure(a *Attempt, code uint16) *Failure {
	f := hopFailure(a, 0)
	f.Code = onion.FailureCode(code)
	f.Permanent = true
	if len(a.Route.Hops) > 0 {
		f.ShortChannelID = a.Route.Hops[0].ShortChannelID
	}
	return f
}

// tamperedFailure is the Failure of a failure DecryptFailure could not
// read (err): attributed to the hop where its attribution data stopped
// verifying, or, when every hop's verified, to the final hop (its packet
// reached us authenticated, yet its HMAC does not match: it garbled it).
func tamperedFailure(a *Attempt, err error) *Failure {
	var ue *onion.UnreadableFailureError
	if !errors.As(err, &ue) {
		return &Failure{HopIndex: -1}
	}
	hops := a.Route.Hops
	at := ue.AttributionFailedAt
	if at < 0 && len(ue.HoldTimes) == len(hops) && len(hops) > 0 {
		at = len(hops) - 1
	}
	if at < 0 || at >= len(hops) {
		return &Failure{HopIndex: -1, Tampered: true, HoldTimes: ue.HoldTimes}
	}
	return &Failure{
		HopIndex: at, ErringNode: hops[at].NodeID, ShortChannelID: hops[at].ShortChannelID,
		Tampered: true, HoldTimes: ue.HoldTimes,
	}
}

// hopFailure returns the Failure attributed to hop i of a's route, the
// code yet unknown.
func hopFailure(a *Attempt, i int) *Failure {
	hops := a.Route.Hops
	if i < 0 || i >= len(hops) {
		return &Failure{HopIndex: -1}
	}
	f := &Failure{HopIndex: i, ErringNode: hops[i].NodeID, ShortChannelID: hops[i].ShortChannelID}
	if i+1 < len(hops) {
		f.ShortChannelID = hops[i+1].ShortChannelID
	}
	return f
}

// channelUpdate returns the channel_update of an UPDATE failure, or nil.
func channelUpdate(m onion.FailureMessage) []byte {
	switch m := m.(type) {
	case *onion.TemporaryChannelFailure:
		return m.ChannelUpdate
	case *onion.AmountBelowMinimum:
		return m.ChannelUpdate
	case *onion.FeeInsufficient:
		return m.ChannelUpdate
	case *onion.IncorrectCLTVExpiry:
		return m.ChannelUpdate
	case *onion.ExpiryTooSoon:
		return m.ChannelUpdate
	case *onion.ChannelDisabled:
		return m.ChannelUpdate
	}
	return nil
}
