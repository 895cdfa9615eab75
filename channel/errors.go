package channel

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/internal/configerr"
)

// ErrInvalidConfig is matched (errors.Is) by every configuration error of
// this package.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError reports one invalid field of a [UserConfig].
type ConfigError = configerr.Error

// ErrRuleViolated is matched (errors.Is) by every [*RuleError]: a message
// from the peer broke a rule of BOLT 2 or one of our configured limits.
var ErrRuleViolated = errors.New("channel: channel establishment rule violated")

// RuleError reports that a message from the peer broke a rule: a
// requirement of BOLT 2 or one of the limits of our [HandshakeLimits].
//
// errors.Is(err, ErrRuleViolated) matches every RuleError, and
// errors.Is(err, &RuleError{Rule: r}) matches the RuleErrors of rule r
// whatever their Msg. The manager sends [RuleError.PeerMessage] to the peer
// in an error message, so the peer learns which rule failed.
type RuleError struct {
	// Rule names the rule, "message.field" as in BOLT 2.
	Rule Rule
	// Msg says what was wrong, with the values involved.
	Msg string
}

// Error implements error: "channel: open_channel.to_self_delay: msg".
func (e *RuleError) Error() string {
	return "channel: " + string(e.Rule) + ": " + e.Msg
}

// PeerMessage is the text for the data of the error message sent to the
// peer: the rule and what was wrong, without the package prefix.
func (e *RuleError) PeerMessage() string { return string(e.Rule) + ": " + e.Msg }

// Is reports whether target is ErrRuleViolated or a *RuleError of the same
// Rule.
func (e *RuleError) Is(target error) bool {
	if target == ErrRuleViolated {
		return true
	}
	t, ok := target.(*RuleError)
	return ok && t != nil && t.Rule == e.Rule
}

// ruleErr returns a *RuleError of rule with a formatted message.
func ruleErr(rule Rule, format string, args ...any) *RuleError {
	return &RuleError{Rule: rule, Msg: fmt.Sprintf(format, args...)}
}

// Errors of the channel manager, matched with errors.Is.
var (
	// ErrUnknownChannel: no channel with that id and counterparty, or not
	// in a phase where the call applies.
	ErrUnknownChannel = errors.New("channel: unknown channel")
	// ErrPeerNotConnected: the call needs a connected peer.
	ErrPeerNotConnected = errors.New("channel: peer not connected")
	// ErrInvalidChannelRequest: CreateChannel's arguments describe a
	// channel we would not accept ourselves.
	ErrInvalidChannelRequest = errors.New("channel: invalid channel request")
	// ErrInvalidFundingTx: FundingTransactionGenerated's transaction does
	// not pay exactly the funding output with only segwit inputs.
	ErrInvalidFundingTx = errors.New("channel: invalid funding transaction")
	// ErrChannelNotUsable: the channel is not in a state where the call
	// applies (closing, not ready).
	ErrChannelNotUsable = errors.New("channel: channel not usable")
	// ErrUnknownPayment: no payment or incoming HTLC matches the call's
	// payment hash or id.
	ErrUnknownPayment = errors.New("channel: unknown payment")
	// ErrDuplicatePayment: a payment with this id was already sent (it
	// is never sent twice).
	ErrDuplicatePayment = errors.New("channel: duplicate payment id")
	// ErrUnknownIntercept: no intercepted HTLC is held under the id
	// (ForwardInterceptedHTLC, FailInterceptedHTLC).
	ErrUnknownIntercept = errors.New("channel: unknown intercepted htlc")
	// ErrLocal: a failure of our own (a signer or the node key refusing
	// to compute, an encoding of ours failing): like ErrPersistence it
	// disconnects the peer rather than failing the channel, which is
	// not at fault.
	ErrLocal = errors.New("channel: local failure")
	// ErrNoRoute: no usable channel with the payee can carry the payment.
	ErrNoRoute = errors.New("channel: no usable channel to the payee")
	// ErrMonitorUpdateFailed: the monitor could not persist an update; the
	// channel is stopped.
	ErrMonitorUpdateFailed = errors.New("channel: monitor update failed")
	// ErrPersistence: the Manager's store (or its event queue) failed.
	ErrPersistence = errors.New("channel: persistence failed")
	// ErrCorruptRecord: a stored channel cannot be read.
	ErrCorruptRecord = errors.New("channel: corrupt channel record")
)
