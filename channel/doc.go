// Package channel is lnkit's channel manager: every channel of the node,
// from open_channel to the closing transaction (BOLT 2).
//
// This part holds the policy the manager applies when a channel is
// negotiated: [UserConfig] (our handshake parameters, the limits we accept
// from a peer, and the forwarding policy of a channel), the negotiation of
// the channel_type ([NegotiateChannelType]), and every rule of BOLT 2 on
// open_channel and accept_channel as a named check ([CheckOpenChannel],
// [CheckAcceptChannel]). A failed check is a [*RuleError] naming the rule,
// which the manager sends to the peer in an error message and returns to
// the application.
//
// Everything here is deterministic: no goroutines, clocks or randomness;
// fee estimates reach the checks as a [FeeBounds] value.
package channel
