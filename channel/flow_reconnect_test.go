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
