package lnkittest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// TestPayOverNetworkMultiPathFee: the router splits the payment in two
// parts over d, both fulfilled: the one PaymentSent (raised at the first
// fulfilled part) reports the fee of both parts, what d earned (found
// against lnd, whose forwards of a two-path payment took more than
// lnkit's PaymentSent said).
func TestPayOverNetworkMultiPathFee(t *testing.T) {
	net, _, _ := diamond(t, 75, [][][]int{{{0, 3, 2}, {0, 3, 2}}})
	const amount wire.MilliSatoshi = 30_000_001
	id, _, err := payOverNetwork(t, net, amount)
	require.NoError(t, err)
	a, c, d := net.Node(0), net.Node(2), net.Node(3)
	sent := requireSent(t, a, id)
	dc, ok := usableTo(d, c)
	require.True(t, ok)
	partFee := func(amt wire.MilliSatoshi) wire.MilliSatoshi {
		return wire.MilliSatoshi(dc.Config.ForwardingFeeBaseMsat) + amt*wire.MilliSatoshi(dc.Config.ForwardingFeeProportionalMillionths)/1_000_000
	}
	half := amount / 2
	require.Equal(t, partFee(half)+partFee(amount-half), sent.FeePaid, "the fee of both parts")
	var earned wire.MilliSatoshi
	fwds := lnkittest.Logged[*events.PaymentForwarded](d)
	require.Len(t, fwds, 2)
	for _, f := range fwds {
		earned += f.FeeEarned
	}
	require.Equal(t, earned, sent.FeePaid, "what d earned")
	claimed := lnkittest.Logged[*events.PaymentClaimed](c)
	require.Len(t, claimed, 1)
	require.Equal(t, uint32(2), claimed[0].HTLCCount)
}
