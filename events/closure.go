package events

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ClosureKind is why a channel closed. Its values are persisted: fixed
// forever.
type ClosureKind uint8

// The closure kinds.
const (
	// ClosedCooperativelyByUs: a cooperative close we started (shutdown
	// sent first by us).
	ClosedCooperativelyByUs ClosureKind = 1
	// ClosedCooperativelyByPeer: a cooperative close the counterparty
	// started.
	ClosedCooperativelyByPeer ClosureKind = 2
	// ClosedHolderForceClosed: we force-closed (broadcast our commitment),
	// at the application's request or because of a rule; Message says why.
	ClosedHolderForceClosed ClosureKind = 3
	// ClosedCounterpartyForceClosed: a commitment of the counterparty
	// confirmed on chain.
	ClosedCounterpartyForceClosed ClosureKind = 4
	// ClosedProcessingError: the channel failed on our side (a protocol
	// violation by the peer, a signer or persistence failure); Message
	// says what.
	ClosedProcessingError ClosureKind = 5
	// ClosedCounterpartyError: the peer sent an error for the channel;
	// Message is its text, sanitized (SanitizePeerText).
	ClosedCounterpartyError ClosureKind = 6
	// ClosedFundingTimedOut: the funding transaction did not confirm in
	// time (BOLT 2: 2016 blocks for the acceptor).
	ClosedFundingTimedOut ClosureKind = 7
	// ClosedDisconnectedBeforeFunding: the peer disconnected before the
	// funding transaction was signed; the channel is forgotten.
	ClosedDisconnectedBeforeFunding ClosureKind = 8
	// ClosedOutdatedChannelManager: the channel manager was older than the
	// channel's monitor at start, so it could not continue the channel
	// safely and force-closed from the monitor's state.
	ClosedOutdatedChannelManager ClosureKind = 9
	// ClosedHTLCsTimedOut: we force-closed because an HTLC reached its
	// deadline in the channel (BOLT 2, "cltv_expiry_delta Selection"): one
	// we offered was still in a commitment past its cltv_expiry, or one we
	// fulfilled was not yet removed when the peer could soon time it out;
	// Message names the HTLC.
	ClosedHTLCsTimedOut ClosureKind = 10
)

// maxClosureKind is the highest known ClosureKind.
const maxClosureKind = ClosedHTLCsTimedOut

// String names the kind, e.g. "counterparty-error".
func (k ClosureKind) String() string {
	switch k {
	case ClosedCooperativelyByUs:
		return "cooperative-by-us"
	case ClosedCooperativelyByPeer:
		return "cooperative-by-peer"
	case ClosedHolderForceClosed:
		return "holder-force-closed"
	case ClosedCounterpartyForceClosed:
		return "counterparty-force-closed"
	case ClosedProcessingError:
		return "processing-error"
	case ClosedCounterpartyError:
		return "counterparty-error"
	case ClosedFundingTimedOut:
		return "funding-timed-out"
	case ClosedDisconnectedBeforeFunding:
		return "disconnected-before-funding"
	case ClosedOutdatedChannelManager:
		return "outdated-channel-manager"
	case ClosedHTLCsTimedOut:
		return "htlcs-timed-out"
	}
	return fmt.Sprintf("closure(%d)", uint8(k))
}

// valid reports whether k is a known kind.
func (k ClosureKind) valid() bool { return k >= 1 && k <= maxClosureKind }

// IsCooperative reports whether k is a cooperative close.
func (k ClosureKind) IsCooperative() bool {
	return k == ClosedCooperativelyByUs || k == ClosedCooperativelyByPeer
}

// ClosureReason says why a channel closed. Build it with the constructors
// (CounterpartyError sanitizes the peer's text).
type ClosureReason struct {
	// Kind is the reason's kind.
	Kind ClosureKind
	// Message is the explanation: ours for ClosedHolderForceClosed,
	// ClosedHTLCsTimedOut and ClosedProcessingError, the peer's sanitized text for
	// ClosedCounterpartyError; empty otherwise. Never more than
	// MaxMessageLen bytes of printable UTF-8.
	Message string
	// Broadcast, for ClosedHolderForceClosed, ClosedOutdatedChannelManager
	// and ClosedHTLCsTimedOut, says whether our latest commitment was
	// broadcast (false when the channel was never funded, so there was
	// nothing to broadcast).
	Broadcast bool
	// Rule, for ClosedProcessingError, names the rule of the protocol the
	// peer broke when a rule failed the channel (the channel package's
	// Rule, e.g. "accept_channel.to_self_delay"); empty otherwise.
	Rule string
}

// MaxMessageLen is the longest ClosureReason.Message kept, in bytes.
const MaxMessageLen = 1024

// Reason returns a ClosureReason of kind k without a message.
func Reason(k ClosureKind) ClosureReason { return ClosureReason{Kind: k} }

// HolderForceClosed is the reason of a force close of ours; why says why,
// broadcast whether our commitment was broadcast.
func HolderForceClosed(why string, broadcast bool) ClosureReason {
	return ClosureReason{Kind: ClosedHolderForceClosed, Message: SanitizeText(why), Broadcast: broadcast}
}

// HTLCsTimedOut is the reason of a force close of ours that an HTLC's
// deadline forced; why names the HTLC (Broadcast is set by the closer).
func HTLCsTimedOut(why string) ClosureReason {
	return ClosureReason{Kind: ClosedHTLCsTimedOut, Message: SanitizeText(why)}
}

// ProcessingError is the reason of a channel failed on our side.
func ProcessingError(err string) ClosureReason {
	return ClosureReason{Kind: ClosedProcessingError, Message: SanitizeText(err)}
}

// RuleViolation is the reason of a channel failed on our side because the
// peer broke rule (the channel package's Rule); msg says how.
func RuleViolation(rule, msg string) ClosureReason {
	return ClosureReason{Kind: ClosedProcessingError, Message: SanitizeText(msg), Rule: SanitizeText(rule)}
}

// CounterpartyError is the reason of a channel the peer failed with an
// error message whose data field is data (untrusted bytes).
func CounterpartyError(data []byte) ClosureReason {
	return ClosureReason{Kind: ClosedCounterpartyError, Message: SanitizeText(string(data))}
}

// String describes the reason, e.g. `counterparty-error: "bad sig"` or
// `holder-force-closed (broadcast): "user asked"`.
func (r ClosureReason) String() string {
	s := r.Kind.String()
	if r.Broadcast {
		s += " (broadcast)"
	}
	if r.Message == "" {
		return s
	}
	return fmt.Sprintf("%s: %q", s, r.Message)
}

// SanitizeText makes untrusted text safe to show and log: invalid UTF-8
// becomes U+FFFD, every non-printable rune (control characters, newlines,
// escapes that could forge log lines or drive a terminal) becomes '?', and
// the result is cut to at most MaxMessageLen bytes on a rune boundary.
// Applying it twice gives the same as once.
func SanitizeText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r != utf8.RuneError && !unicode.IsPrint(r) {
			r = '?'
		}
		if b.Len()+utf8.RuneLen(r) > MaxMessageLen {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
