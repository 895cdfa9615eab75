package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
)

// zeroOutPoint is the funding outpoint of a channel not funded yet.
var zeroOutPoint btcwire.OutPoint

// notices writes the node's asynchronous notices: one line each, prefixed
// "EVENT: ", on standard error (command answers stay alone on standard
// output).
type notices struct {
	mu sync.Mutex
	w  io.Writer
}

// printf writes one notice line.
func (p *notices) printf(format string, args ...any) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "EVENT: "+format+"\n", args...)
}

// notice writes one notice line.
func (n *node) notice(format string, args ...any) { n.notices.printf(format, args...) }

// eventLoop handles the queue's events whenever something may have raised
// one (woken), and every eventRetryInterval while a handler fails.
func (n *node) eventLoop(ctx context.Context) {
	t := time.NewTicker(eventRetryInterval)
	defer t.Stop()
	for {
		if n.queue.Len() > 0 {
			err := n.queue.Process(ctx, events.HandlerFunc(n.handleEvent))
			if err != nil && ctx.Err() == nil {
				n.log.Warn("sample-node: event handling stopped; retrying", "err", err)
			}
			n.tcp.Notify() // the handlers queued messages
		}
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
		case <-t.C:
		}
	}
}

// handleEvent plays the application's part for one event, as ldk-sample's
// handle_ldk_events does. An error leaves the event queued: it comes again
// first at the next round (the handlers are idempotent). Failures that
// retrying cannot fix are reported and the event dropped.
func (n *node) handleEvent(ctx context.Context, e events.Event) error {
	n.log.Info("sample-node: event", "event", e)
	switch e := e.(type) {
	case *events.OpenChannelRequest:
		return n.onOpenChannelRequest(e)
	case *events.FundingGenerationReady:
		return n.onFundingGenerationReady(ctx, e)
	case *events.ChannelPending:
		if err := n.wallet.FundingPending(ctx, e.FundingOutPoint.Hash); err != nil && !errors.Is(err, wallet.ErrUnknownOutput) {
			return err
		}
		n.notice("channel_pending channel_id=%s counterparty=%s funding_txid=%s funding_output_index=%d",
			e.ChannelID, e.CounterpartyNodeID, e.FundingOutPoint.Hash, e.FundingOutPoint.Index)
	case *events.ChannelReady:
		n.notice("channel_ready channel_id=%s counterparty=%s funding_txid=%s",
			e.ChannelID, e.CounterpartyNodeID, e.FundingOutPoint.Hash)
	case *events.ChannelClosed:
		n.closed.add(e)
		n.notice("channel_closed channel_id=%s counterparty=%s reason=%s", e.ChannelID, e.CounterpartyNodeID, e.Reason)
	case *events.DiscardFunding:
		if e.FundingTx != nil {
			if err := n.wallet.Unlock(ctx, e.FundingTx.TxHash()); err != nil && !errors.Is(err, wallet.ErrUnknownOutput) {
				return err
			}
		}
		n.notice("discard_funding channel_id=%s", e.ChannelID)
	case *events.SpendableOutputs:
		// Kept in the store until swept for good; swept now if the
		// timelocks allow, else retried at each block.
		if err := n.nstore.saveSweep(ctx, e); err != nil {
			return err
		}
		var total btcutil.Amount
		for _, o := range e.Outputs {
			total += btcutil.Amount(o.Value)
		}
		n.notice("spendable_outputs channel_id=%s outputs=%d amount_sat=%d", e.ChannelID, len(e.Outputs), int64(total))
		n.retrySweeps(ctx)
	case *events.BumpTransaction:
		n.onBumpTransaction(ctx, e)
	case *events.PaymentClaimable:
		return n.onPaymentClaimable(ctx, e)
	case *events.PaymentClaimed:
		return n.onPaymentClaimed(ctx, e)
	case *events.PaymentSent:
		n.onPaymentSent(e)
	case *events.PaymentFailed:
		n.onPaymentFailed(e)
	case *events.PaymentPathFailed:
		// One attempt failed; PaymentSent or PaymentFailed ends the
		// payment.
		n.onPaymentPathFailed(e)
	case *events.PaymentPathSuccessful:
		// One part arrived; PaymentSent (above) says the payment did.
	case *events.ProbeSuccessful:
		n.notice("probe_successful payment_id=%s hops=%d", e.PaymentID, len(e.Path))
	case *events.ProbeFailed:
		n.notice("probe_failed payment_id=%s short_channel_id=%s hops=%d", e.PaymentID, e.ShortChannelID, len(e.Path))
	case *events.PaymentForwarded:
		n.notice("payment_forwarded payment_hash=%s prev_channel_id=%s next_channel_id=%s incoming_msat=%d outgoing_msat=%d fee_msat=%d claimed_on_chain=%t",
			e.PaymentHash, e.PrevChannelID, e.NextChannelID, uint64(e.IncomingAmount), uint64(e.OutgoingAmount), uint64(e.FeeEarned), e.ClaimedOnChain)
	default:
		// A kind this node does not know: acknowledged so that it does
		// not block the queue, but not silently.
		n.log.Warn("sample-node: event not handled", "kind", e.Kind(), "event", e)
	}
	return nil
}

// onOpenChannelRequest accepts the inbound channel, or refuses it with
// --no-accept-inbound.
func (n *node) onOpenChannelRequest(e *events.OpenChannelRequest) error {
	var err error
	if n.cfg.NoAcceptInbound {
		err = n.channels.RejectInboundChannel(e.TemporaryChannelID, e.CounterpartyNodeID, "this node does not accept inbound channels")
		n.notice("open_channel_request rejected temporary_channel_id=%s counterparty=%s capacity_sat=%d",
			e.TemporaryChannelID, e.CounterpartyNodeID, e.FundingAmount)
	} else {
		err = n.channels.AcceptInboundChannel(e.TemporaryChannelID, e.CounterpartyNodeID, 0)
		n.notice("open_channel_request accepted temporary_channel_id=%s counterparty=%s capacity_sat=%d push_msat=%d",
			e.TemporaryChannelID, e.CounterpartyNodeID, e.FundingAmount, e.PushAmount)
	}
	if err != nil && !errors.Is(err, channel.ErrUnknownChannel) {
		return err
	}
	return nil
}

// onFundingGenerationReady builds the funding transaction from the wallet.
// When the wallet cannot (too little money), the channel is dropped: the
// event would otherwise block the queue.
func (n *node) onFundingGenerationReady(ctx context.Context, e *events.FundingGenerationReady) error {
	tx, err := n.wallet.FundingTransaction(ctx, e.OutputScript, btcutil.Amount(e.ChannelValue), chain.TargetNonAnchorChannelFee)
	if errors.Is(err, wallet.ErrInsufficientFunds) || errors.Is(err, wallet.ErrAbsurdFee) || errors.Is(err, wallet.ErrDust) {
		n.notice("funding_failed temporary_channel_id=%s counterparty=%s error=%q (the channel is abandoned)",
			e.TemporaryChannelID, e.CounterpartyNodeID, err.Error())
		if ferr := n.channels.ForceCloseChannel(e.TemporaryChannelID, e.CounterpartyNodeID, "funding failed"); ferr != nil &&
			!errors.Is(ferr, channel.ErrUnknownChannel) {
			n.log.Warn("sample-node: dropping the unfunded channel", "err", ferr)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if err := n.channels.FundingTransactionGenerated(e.TemporaryChannelID, e.CounterpartyNodeID, tx); err != nil {
		// The channel is gone (a restart, a disconnection): release the
		// coins.
		if errors.Is(err, channel.ErrUnknownChannel) {
			return n.wallet.Unlock(ctx, tx.TxHash())
		}
		return err
	}
	n.notice("funding_generated temporary_channel_id=%s funding_txid=%s", e.TemporaryChannelID, tx.TxHash())
	return nil
}

// onBumpTransaction asks the wallet for a CPFP of our commitment through
// its anchor. A refusal is reported, not retried: the commitment may
// still confirm on its own fee, or the peer's may (the monitor claims our
// side either way).
func (n *node) onBumpTransaction(ctx context.Context, e *events.BumpTransaction) {
	child, err := n.wallet.BumpFee(ctx, wallet.BumpRequest{
		Parent: e.CommitmentTx, ParentFee: btcutil.Amount(e.CommitmentTxFee), Anchor: e.Anchor, FeeRate: e.TargetFeeRate,
	})
	if err != nil {
		n.log.Warn("sample-node: anchor fee bump failed", "channel_id", e.ChannelID, "err", err)
		n.notice("bump_failed channel_id=%s commitment_txid=%s error=%q", e.ChannelID, e.CommitmentTx.TxHash(), err.Error())
		if child != nil {
			n.abandon(ctx, child.TxHash())
		}
		return
	}
	n.notice("bump channel_id=%s commitment_txid=%s child_txid=%s fee_rate_sat_per_kw=%d",
		e.ChannelID, e.CommitmentTx.TxHash(), child.TxHash(), e.TargetFeeRate)
}
