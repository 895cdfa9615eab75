package channel_test

import "testing"

// TestOpenReconnectAtEveryStep breaks the connection after every step of
// an open, as the opener then as the acceptor does it, reconnects and
// drives the pair to the end: the channel opens on both sides with its
// balances to the msat, or (the connection broke before funding_signed
// arrived) on neither with the opener's coins back; never a force close.
func TestOpenReconnectAtEveryStep(t *testing.T) {
	stepOpenFaults(t, disconnectFault)
}

// TestCloseReconnectAtEveryStep breaks the connection after every step of
// a cooperative close asked by either side, as either node, reconnects and
// drives the pair to the end: the close resumes (shutdown sent again, the
// negotiation restarted), confirms, and each wallet gets its balance to
// the satoshi; never a commitment broadcast.
func TestCloseReconnectAtEveryStep(t *testing.T) {
	stepCloseFaults(t, disconnectFault)
}
