package lnkittest

import (
	"bytes"
	"context"
	"errors"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest/simchain"
)

// channelHandlers builds the node's channel.Manager (Load from its store,
// reconciled with its ChainMonitor) and returns it as the node's handlers:
// channel messages, chain listener, timer, and a poll that releases the
// messages of monitor updates that completed.
func (n *Node) channelHandlers() Handlers {
	t := n.net.t
	t.Helper()
	var router channel.PaymentRouter
	var scorer channel.PaymentScorer
	if n.Router != nil {
		router, scorer = n.Router, n.Scorer
	}
	if n.net.opts.PaymentRouter != nil {
		router = n.net.opts.PaymentRouter(n)
	}
	if n.net.opts.PaymentScorer != nil {
		scorer = n.net.opts.PaymentScorer(n)
	}
	user := channel.DefaultUserConfig()
	if n.net.opts.UserConfig != nil {
		user = n.net.opts.UserConfig(n)
	}
	m, err := channel.Load(channel.Config{
		ChainHash: *chaincfg.RegressionNetParams.GenesisHash,
		Features:  channel.Features(),
		Node:      n.Keys,
		Signers:   channel.KeysSigners(n.Keys),
		// HTLC signatures made and checked on two goroutines, so that
		// every flow runs the parallel path (under -race too).
		Parallel:     commit.Workers(2),
		Entropy:      n.entropy,
		Watch:        n.ChainMonitor,
		Broadcaster:  n.net.Chain,
		Fees:         n.net.Fees,
		Destinations: channel.ShutdownScriptFunc(n.shutdownScript),
		Store:        n.Store,
		Events:       n.Events,
		BestBlock:    n.birthday,
		User:         user,
		Router:       router,
		Scorer:       scorer,
		Context:      n.net.ctx,
	}, n.ChainMonitor.Monitors())
	if err != nil {
		t.Fatalf("lnkittest: node %d: channel manager: %v", n.Index, err)
	}
	n.Channels = m
	m.TimerTick(n.net.Clock.Now()) // the Manager's time from the start (invoices need it)
	return Handlers{
		Channel: m,
		Listen:  m,
		Ticker:  m,
		Poll: func() {
			for _, c := range n.ChainMonitor.ReleaseCompletedUpdates() {
				m.MonitorUpdateCompleted(c.ChannelID, c.UpdateID)
			}
		},
	}
}

// shutdownScript is where the node's closing outputs go: a new address of
// its wallet.
func (n *Node) shutdownScript(ctx context.Context) ([]byte, error) {
	addr, err := n.Wallet.NewAddress(ctx, wallet.P2WPKH)
	if err != nil {
		return nil, err
	}
	return txscript.PayToAddrScript(addr)
}

// ProcessEvents plays the application for node: it handles the events in
// its queue as a node built on lnkit does, and returns them (they are also
// added to node.EventLog). The duties: FundingGenerationReady gets a
// funding transaction from the node's wallet; ChannelPending marks our
// funding transaction pending in the wallet; DiscardFunding unlocks its
// coins; OpenChannelRequest is accepted; SpendableOutputs are swept to the
// wallet; BumpTransaction is answered with the wallet's BumpFee;
// PaymentClaimable is claimed with the preimage it carries, failed back,
// or held for the test, as node.Claims says (ClaimPolicy). The outcomes
// of payments (PaymentSent, PaymentFailed, PaymentClaimed) are recorded
// in node.EventLog like every event (Logged lists them by type).
//
// A BumpTransaction the mempool refuses is recorded in node.BumpFailures
// and not retried; a SpendableOutputs whose output another transaction
// spent already is recorded in node.SweepFailures and done with (the
// wallet forgets both transactions); one not worth its fee at the current
// rate is kept and tried again at every ProcessEvents (Node.PendingSweeps). Any other duty that fails (a sweep
// whose timelock has not expired yet) stops the processing: that event
// and the ones behind it stay queued and come again at the next
// ProcessEvents (the queue's at-least-once guarantee); the error is
// returned, not a test failure.
func (n *Network) ProcessEvents(node *Node) ([]events.Event, error) {
	n.t.Helper()
	node.mustRun("ProcessEvents")
	node.retrySweeps(n.ctx)
	var got []events.Event
	err := node.Events.Process(n.ctx, events.HandlerFunc(func(ctx context.Context, e events.Event) error {
		if err := node.duty(ctx, e); err != nil {
			return err
		}
		got = append(got, e)
		node.EventLog = append(node.EventLog, e)
		return nil
	}))
	return got, err
}

// duty does what an application does for e.
func (n *Node) duty(ctx context.Context, e events.Event) error {
	switch e := e.(type) {
	case *events.FundingGenerationReady:
		tx := n.lockedFunding(e.OutputScript, btcutil.Amount(e.ChannelValue))
		if tx == nil {
			var err error
			tx, err = n.Wallet.FundingTransaction(ctx, e.OutputScript, btcutil.Amount(e.ChannelValue), chain.TargetNonAnchorChannelFee)
			if err != nil {
				return err
			}
		}
		if err := n.Channels.FundingTransactionGenerated(e.TemporaryChannelID, e.CounterpartyNodeID, tx); err != nil {
			// The channel is gone (a restart, a disconnection): release
			// the coins.
			if errors.Is(err, channel.ErrUnknownChannel) {
				return n.Wallet.Unlock(ctx, tx.TxHash())
			}
			return err
		}
	case *events.ChannelPending:
		if err := n.Wallet.FundingPending(ctx, e.FundingOutPoint.Hash); err != nil && !errors.Is(err, wallet.ErrUnknownOutput) {
			return err
		}
	case *events.DiscardFunding:
		if e.FundingTx != nil {
			err := n.Wallet.Unlock(ctx, e.FundingTx.TxHash())
			if errors.Is(err, wallet.ErrLocked) {
				// Broadcast already (FundingPending) but never
				// confirmed: forget it, its coins are spendable again.
				err = n.Wallet.AbandonTransaction(ctx, e.FundingTx.TxHash())
			}
			if err != nil && !errors.Is(err, wallet.ErrUnknownOutput) && !errors.Is(err, wallet.ErrNotUnconfirmed) {
				return err
			}
		}
	case *events.OpenChannelRequest:
		err := n.Channels.AcceptInboundChannel(e.TemporaryChannelID, e.CounterpartyNodeID, 0)
		if err != nil && !errors.Is(err, channel.ErrUnknownChannel) {
			return err
		}
	case *events.SpendableOutputs:
		return n.sweep(ctx, e)
	case *events.PaymentClaimable:
		return n.claimable(e)
	case *events.BumpTransaction:
		tx, err := n.Wallet.BumpFee(ctx, wallet.BumpRequest{
			Parent: e.CommitmentTx, ParentFee: btcutil.Amount(e.CommitmentTxFee), Anchor: e.Anchor, FeeRate: e.TargetFeeRate,
		})
		if err != nil {
			// The mempool refused the package (typically the peer's own
			// commitment, better paid, is there already: whichever
			// confirms, the monitor claims our side). Recorded, not
			// retried: an application would retry with a higher rate.
			// The wallet forgets the child, which never reached the
			// mempool: its coins are spendable again.
			n.BumpFailures = append(n.BumpFailures, err)
			n.abandon(ctx, tx)
		}
	}
	return nil
}

// sweep sweeps e's outputs to the wallet. A sweep the mempool refuses is
// forgotten by the wallet (its change would count as unconfirmed balance
// for good). A sweep not worth its fee at the current rate (the wallet's
// ErrAbsurdFee or ErrDust) is kept by the application and tried again at
// every ProcessEvents. When an output is spent already (simchain's
// ErrDoubleSpend) by a transaction of the wallet's, the event is a
// repeat (after a reorganisation or a restart), done with; by another
// one, it is done with too, and the error recorded in n.SweepFailures:
// only a cheater's monitor hands out such outputs (the to_local of its
// revoked commitment, which the justice transaction took). Other errors
// are returned (a timelock not yet expired: the event comes again).
func (n *Node) sweep(ctx context.Context, e *events.SpendableOutputs) error {
	tx, err := n.Wallet.Sweep(ctx, e.Outputs, chain.TargetOutputSpending)
	if err == nil {
		return nil
	}
	n.abandon(ctx, tx)
	switch {
	case errors.Is(err, wallet.ErrAbsurdFee) || errors.Is(err, wallet.ErrDust):
		n.pendingSweeps = append(n.pendingSweeps, e)
		return nil
	case errors.Is(err, simchain.ErrDoubleSpend):
		if !n.sweptAlready(e) {
			n.SweepFailures = append(n.SweepFailures, err)
		}
		return nil
	}
	return err
}

// sweptAlready reports whether every output of e is spent by a
// transaction of the node's wallet.
func (n *Node) sweptAlready(e *events.SpendableOutputs) bool {
	own := map[chainhash.Hash]bool{}
	for _, t := range n.Wallet.Transactions() {
		own[t.TxID] = true
	}
	for _, o := range e.Outputs {
		if s, ok := n.net.Chain.Spender(o.OutPoint); !ok || !own[s.TxID] {
			return false
		}
	}
	return true
}

// retrySweeps tries again the sweeps not worth their fee before.
func (n *Node) retrySweeps(ctx context.Context) {
	retry := n.pendingSweeps
	n.pendingSweeps = nil
	for _, e := range retry {
		if err := n.sweep(ctx, e); err != nil {
			n.pendingSweeps = append(n.pendingSweeps, e)
		}
	}
}

// abandon has the wallet forget tx, whose broadcast failed (nil: none was
// built).
func (n *Node) abandon(ctx context.Context, tx *btcwire.MsgTx) {
	if tx == nil {
		return
	}
	err := n.Wallet.AbandonTransaction(ctx, tx.TxHash())
	if err != nil && !errors.Is(err, wallet.ErrUnknownOutput) && !errors.Is(err, wallet.ErrNotUnconfirmed) {
		n.net.t.Fatalf("lnkittest: node %d: abandon %v: %v", n.Index, tx.TxHash(), err)
	}
}

// lockedFunding returns the funding transaction paying amount to script
// that the wallet built and still locks, if any. The event asking for it
// comes again when the node crashed while handling it (the wallet locked
// the coins durably; the Manager never learned the transaction, or the
// queue never recorded the event handled): reusing that transaction
// releases its coins (ErrUnknownChannel: the negotiation did not survive
// the restart) or funds the channel, where building a new one would fail
// for the locked coins and leave them locked for good.
func (n *Node) lockedFunding(script []byte, amount btcutil.Amount) *btcwire.MsgTx {
	for _, t := range n.Wallet.Transactions() {
		if !t.Locked {
			continue
		}
		for _, o := range t.Tx.TxOut {
			if o.Value == int64(amount) && bytes.Equal(o.PkScript, script) {
				return t.Tx
			}
		}
	}
	return nil
}

// PendingSweeps returns the SpendableOutputs the node's application keeps
// to sweep once the fee rate allows (see ProcessEvents): its memory, kept
// across a Crash.
func (n *Node) PendingSweeps() []*events.SpendableOutputs {
	return append([]*events.SpendableOutputs(nil), n.pendingSweeps...)
}
