package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
)

// payments are the node's outbound payments being waited for: each
// SendPayment registers a channel that its PaymentSent or PaymentFailed
// closes.
type payments struct {
	mu      sync.Mutex
	waiting map[channel.PaymentID]chan error
	// retries counts the sends refused for want of room in the channel
	// and tried again (sendRetrying).
	retries atomic.Int64
}

// init makes the map.
func (p *payments) init() {
	p.waiting = map[channel.PaymentID]chan error{}
}

// expect registers id before it is sent.
func (p *payments) expect(id channel.PaymentID) chan error {
	ch := make(chan error, 1)
	p.mu.Lock()
	p.waiting[id] = ch
	p.mu.Unlock()
	return ch
}

// forget drops id (its send failed).
func (p *payments) forget(id channel.PaymentID) {
	p.mu.Lock()
	delete(p.waiting, id)
	p.mu.Unlock()
}

// done ends id's wait with err (nil: sent).
func (p *payments) done(id channel.PaymentID, err error) {
	p.mu.Lock()
	ch, ok := p.waiting[id]
	delete(p.waiting, id)
	p.mu.Unlock()
	if ok {
		ch <- err
	}
}

// eventLoop handles the queue's events whenever something may have
// raised one.
func (n *lnkitNode) eventLoop(ctx context.Context) {
	t := time.NewTicker(eventRetry)
	defer t.Stop()
	for {
		if n.queue.Len() > 0 {
			if err := n.queue.Process(ctx, events.HandlerFunc(n.handleEvent)); err != nil && ctx.Err() == nil {
				n.log.Warn("benchpay: event handling", "err", err)
			}
			n.tcp.Notify()
		}
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
		case <-t.C:
		}
	}
}

// handleEvent plays the application's part: fund channels, claim
// payments with the preimage the invoice's event carries, and end the
// waits of our payments.
func (n *lnkitNode) handleEvent(ctx context.Context, e events.Event) error {
	switch e := e.(type) {
	case *events.FundingGenerationReady:
		tx, err := n.wallet.FundingTransaction(ctx, e.OutputScript, btcutil.Amount(e.ChannelValue), chain.TargetNonAnchorChannelFee)
		if err != nil {
			return fmt.Errorf("benchpay: funding transaction: %w", err)
		}
		return n.channels.FundingTransactionGenerated(e.TemporaryChannelID, e.CounterpartyNodeID, tx)
	case *events.ChannelPending:
		if err := n.wallet.FundingPending(ctx, e.FundingOutPoint.Hash); err != nil && !errors.Is(err, wallet.ErrUnknownOutput) {
			return err
		}
	case *events.PaymentClaimable:
		pre, ok := e.Purpose.Preimage.Get()
		if !ok {
			return n.channels.FailHTLCBackwards(e.PaymentHash)
		}
		if err := n.channels.ClaimFunds(pre); err != nil && !errors.Is(err, channel.ErrUnknownPayment) {
			n.log.Warn("benchpay: claim", "payment_hash", e.PaymentHash, "err", err)
		}
	case *events.PaymentSent:
		n.pays.done(e.PaymentID, nil)
	case *events.PaymentFailed:
		n.pays.done(e.PaymentID, fmt.Errorf("benchpay: payment %v failed: %v", e.PaymentID, e.Reason))
	}
	return nil
}
