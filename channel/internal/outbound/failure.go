package outbound

import (
	"encoding/binary"
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
	// for the final hop or a malformed-onion failure of the first hop
	// (zero when unknown).
	ShortChannelID wire.ShortChannelID
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
	secrets, err := a.SharedSecrets()
	if err != nil {
		return nil, err
	}
	d, err := onion.DecryptFailure(secrets, reason, nil)
	if err != nil {
		return &Failure{HopIndex: -1}, fmt.Errorf("%w: %w", ErrUnreadableFailure, err)
	}
	f := hopFailure(a, d.SenderIndex)
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
