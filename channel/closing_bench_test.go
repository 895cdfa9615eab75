package channel

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkClosingNegotiation runs a whole fee_range negotiation of three
// messages (the opener's proposal, the fundee's counter in the overlap, the
// opener's echo): three signatures to verify, five to make.
func BenchmarkClosingNegotiation(b *testing.B) {
	s := closingDefault()
	s.opener.fees, s.opener.sendRange = closingFeesOf(500, 1000, 2000), true
	s.fundee.fees, s.fundee.sendRange = closingFeesOf(1500, 3000, 600_000), true
	po, pf := closingParamsOf(b, s)
	for b.Loop() {
		opener, err := newClosingNegotiation(po)
		require.NoError(b, err)
		fundee, err := newClosingNegotiation(pf)
		require.NoError(b, err)
		msg, err := opener.start()
		require.NoError(b, err)
		msg, _, err = fundee.receive(msg)
		require.NoError(b, err)
		msg, tx, err := opener.receive(msg)
		require.NoError(b, err)
		_, _, err = fundee.receive(msg)
		require.NoError(b, err)
		require.NotNil(b, tx)
	}
}

// BenchmarkClosingReceive is one received closing_signed agreed at once:
// the signature checked, the transaction signed, the echo made.
func BenchmarkClosingReceive(b *testing.B) {
	s := closingDefault()
	s.opener.fees, s.opener.sendRange = closingFeesOf(500, 1000, 2000), true
	s.fundee.fees, s.fundee.sendRange = closingFeesOf(300, 800, 600_000), true
	po, pf := closingParamsOf(b, s)
	msg := closingPeerMessage(b, &po, 1000, &s.opener.fees.feeRange)
	for b.Loop() {
		fundee := &closingNegotiation{p: pf}
		_, tx, err := fundee.receive(msg)
		require.NoError(b, err)
		require.NotNil(b, tx)
	}
}
