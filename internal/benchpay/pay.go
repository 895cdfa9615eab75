package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// paymentTimeout bounds one payment.
const paymentTimeout = 60 * time.Second

// newPaymentID returns a random payment id.
func newPaymentID() channel.PaymentID {
	var id channel.PaymentID
	_, _ = rand.Read(id[:])
	return id
}

// lnkitInvoices creates n invoices of amount at payee.
func lnkitInvoices(payee *lnkitNode, n int, amount wire.MilliSatoshi) ([]*channel.CreatedInvoice, error) {
	invs := make([]*channel.CreatedInvoice, n)
	for i := range invs {
		inv, err := payee.channels.CreateInvoice(channel.InvoiceRequest{Amount: amount, Description: fmt.Sprintf("benchpay %d", i)})
		if err != nil {
			return nil, fmt.Errorf("benchpay: %s invoice: %w", payee.name, err)
		}
		invs[i] = inv
	}
	return invs, nil
}

// await waits for the end of the payment registered as ch.
func await(ctx context.Context, ch chan error) error {
	t := time.NewTimer(paymentTimeout)
	defer t.Stop()
	select {
	case err := <-ch:
		return err
	case <-t.C:
		return fmt.Errorf("benchpay: no PaymentSent or PaymentFailed after %s", paymentTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lnkitPay pays invs[i] from payer over its channel with the payee
// (SendPayment); the payment is final at its PaymentSent.
func lnkitPay(payer *lnkitNode, invs []*channel.CreatedInvoice) payFunc {
	return func(ctx context.Context, i int) error {
		id := newPaymentID()
		ch := payer.pays.expect(id)
		err := sendRetrying(ctx, payer, func() error { return payer.channels.SendPayment(id, invs[i].Invoice, 0) })
		if err != nil {
			payer.pays.forget(id)
			return err
		}
		payer.tcp.Notify()
		return await(ctx, ch)
	}
}

// sendRetryWait is the wait before trying a refused send again.
const sendRetryWait = time.Millisecond

// sendRetrying calls send until it is not refused for want of room in
// the channel (channel.ErrNoRoute: the commitment holds max_accepted_htlcs
// HTLCs, or the in-flight value is at its maximum), as an application
// would, and as lnd's link queues an add its commitment has no room for.
// The HTLCs of payments already sent leave the commitment only after
// their PaymentSent (the fulfill still has to be committed both ways), so
// at a high concurrency the channel can be full for a moment. The wait
// counts in the payment's latency; payer.pays.retries counts the refusals.
func sendRetrying(ctx context.Context, payer *lnkitNode, send func() error) error {
	deadline := time.Now().Add(paymentTimeout)
	for {
		err := send()
		if err == nil || !errors.Is(err, channel.ErrNoRoute) || time.Now().After(deadline) {
			return err
		}
		payer.pays.retries.Add(1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(sendRetryWait):
		}
	}
}

// lnkitPayRoute pays invs[i] (the last node's) from path[0] through
// path[1:] (SendPaymentRoute over the route forwardRoute builds); each
// invoice asks for amount.
func lnkitPayRoute(path []*lnkitNode, invs []*channel.CreatedInvoice, amount wire.MilliSatoshi) payFunc {
	payer := path[0]
	return func(ctx context.Context, i int) error {
		inv := invs[i]
		route, err := forwardRoute(path, amount, uint32(inv.Invoice.MinFinalCLTVExpiryDelta()))
		if err != nil {
			return err
		}
		id := newPaymentID()
		ch := payer.pays.expect(id)
		err = sendRetrying(ctx, payer, func() error {
			return payer.channels.SendPaymentRoute(id, inv.PaymentHash, inv.PaymentSecret, route)
		})
		if err != nil {
			payer.pays.forget(id)
			return err
		}
		payer.tcp.Notify()
		return await(ctx, ch)
	}
}

// forwardRoute is the route paying amount along path (path[0] the payer,
// each next node a peer with a usable channel from the previous one), as
// a router would find it: each forwarding node charges the fee and
// cltv_expiry_delta of its outgoing channel's policy, and the final HTLC
// expires finalDelta blocks (plus channel.FinalCLTVShadow) above the
// payer's best height.
func forwardRoute(path []*lnkitNode, amount wire.MilliSatoshi, finalDelta uint32) (router.Route, error) {
	chans := make([]channel.ChannelDetails, len(path)-1)
	for i := range chans {
		d, ok := usableChannel(path[i], path[i+1])
		if !ok {
			return router.Route{}, fmt.Errorf("benchpay: no usable channel from %s to %s", path[i].name, path[i+1].name)
		}
		chans[i] = d
	}
	hops := make([]router.Hop, len(chans))
	amt := amount
	cltv := uint32(path[0].channels.BestBlock().Height) + finalDelta + channel.FinalCLTVShadow
	for i := len(hops) - 1; i >= 0; i-- {
		hops[i] = router.Hop{NodeID: path[i+1].keys.NodeID(), ShortChannelID: chans[i].ShortChannelID, AmountToForward: amt, OutgoingCLTV: cltv}
		if i == len(hops)-1 {
			continue
		}
		cfg := chans[i+1].Config
		fee := wire.MilliSatoshi(cfg.ForwardingFeeBaseMsat) + amt*wire.MilliSatoshi(cfg.ForwardingFeeProportionalMillionths)/1_000_000
		hops[i].Fee, hops[i].CLTVExpiryDelta = fee, cfg.CLTVExpiryDelta
		amt += fee
		cltv += uint32(cfg.CLTVExpiryDelta)
	}
	return router.Route{Payer: path[0].keys.NodeID(), Hops: hops, TotalAmount: amt, TotalFee: amt - amount, TotalCLTV: cltv}, nil
}

// lndPay pays invs[i] through c (lnd's REST API).
func lndPay(c *lndREST, invs []string) payFunc {
	return func(ctx context.Context, i int) error {
		return c.payInvoice(ctx, invs[i], paymentTimeout)
	}
}
