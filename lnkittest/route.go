package lnkittest

import (
	"fmt"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// Route builds the route that pays amount along path (path[0] the payer,
// the last node the payee, each next node a peer with a usable channel
// from the previous one), as a router would find it: each forwarding
// node's fee and cltv_expiry_delta are those of its outgoing channel's
// policy (channel.ChannelDetails.Config), and the final HTLC expires
// finalCLTVDelta blocks above the payer's best height (plus
// channel.FinalCLTVShadow).
func (n *Network) Route(path []*Node, amount wire.MilliSatoshi, finalCLTVDelta uint32) (router.Route, error) {
	n.t.Helper()
	if len(path) < 2 {
		return router.Route{}, fmt.Errorf("lnkittest: a route needs a payer and a payee")
	}
	chans := make([]channel.ChannelDetails, len(path)-1)
	for i := range chans {
		d, ok := usableChannel(path[i], path[i+1])
		if !ok {
			return router.Route{}, fmt.Errorf("lnkittest: no usable channel from node %d to node %d", path[i].Index, path[i+1].Index)
		}
		chans[i] = d
	}
	hops := make([]router.Hop, len(path)-1)
	amt := amount
	cltv := uint32(path[0].Channels.BestBlock().Height) + finalCLTVDelta + channel.FinalCLTVShadow
	for i := len(hops) - 1; i >= 0; i-- {
		hops[i] = router.Hop{NodeID: path[i+1].ID(), ShortChannelID: chans[i].ShortChannelID, AmountToForward: amt, OutgoingCLTV: cltv}
		if i == len(hops)-1 {
			continue // the payee
		}
		// path[i+1] forwards over chans[i+1]: its policy sets what it
		// takes and the expiry it needs.
		cfg := chans[i+1].Config
		fee := wire.MilliSatoshi(cfg.ForwardingFeeBaseMsat) + amt*wire.MilliSatoshi(cfg.ForwardingFeeProportionalMillionths)/1_000_000
		hops[i].Fee, hops[i].CLTVExpiryDelta = fee, cfg.CLTVExpiryDelta
		amt += fee
		cltv += uint32(cfg.CLTVExpiryDelta)
	}
	return router.Route{Payer: path[0].ID(), Hops: hops, TotalAmount: amt, TotalFee: amt - amount, TotalCLTV: cltv}, nil
}

// usableChannel returns a usable channel from a to b.
func usableChannel(a, b *Node) (channel.ChannelDetails, bool) {
	for _, d := range a.Channels.ListChannels() {
		if d.CounterpartyNodeID == b.ID() && d.Usable {
			return d, true
		}
	}
	return channel.ChannelDetails{}, false
}

// PayRoute creates an invoice for amount at the last node of path and
// pays it from path[0] over path (Route, channel.Manager.SendPaymentRoute),
// and returns the payment's id and the invoice. Nothing is delivered.
func (n *Network) PayRoute(path []*Node, amount wire.MilliSatoshi) (channel.PaymentID, *channel.CreatedInvoice, error) {
	n.t.Helper()
	for _, node := range path {
		node.mustRun("PayRoute")
	}
	to := path[len(path)-1]
	inv, err := to.Channels.CreateInvoice(channel.InvoiceRequest{Amount: amount, Description: "lnkittest"})
	if err != nil {
		return channel.PaymentID{}, nil, err
	}
	r, err := n.Route(path, amount, uint32(inv.Invoice.MinFinalCLTVExpiryDelta()))
	if err != nil {
		return channel.PaymentID{}, nil, err
	}
	id := n.paymentID()
	return id, inv, path[0].Channels.SendPaymentRoute(id, inv.PaymentHash, inv.PaymentSecret, r)
}
