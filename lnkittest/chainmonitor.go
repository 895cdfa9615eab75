package lnkittest

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// openChainMonitor builds the node's ChainMonitor over a KVPersister on
// its store (behind the asynchronous mode of Node.AsyncMonitorUpdates),
// with every monitor the store holds restored.
func (n *Node) openChainMonitor() (*monitor.ChainMonitor, error) {
	p, err := monitor.NewKVPersister(monitor.KVPersisterConfig{Store: n.Store, Context: n.net.ctx})
	if err != nil {
		return nil, err
	}
	mons, err := p.Load()
	if err != nil {
		return nil, fmt.Errorf("load monitors: %w", err)
	}
	n.persister = &asyncPersister{n: n, inner: p}
	cm, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{
		Persister: n.persister,
		// The channel manager writes each update with its channel's
		// record (asyncPersister.UpdateOps, while synchronous).
		UpdatesWithChannel: true,
		// The channel manager raises ChannelClosed for every close.
		OmitChannelClosed: n.net.opts.Handlers == nil,
		// Justice transactions go to the chain, paying the node's wallet.
		Sweep: &monitor.SweepConfig{
			Broadcaster: claimBroadcaster{n},
			Fees:        n.net.Fees,
			Signers: func(keyID [32]byte) (monitor.ClaimSigner, error) {
				return n.Keys.ChannelKeys(keyID), nil
			},
			Destination: n.sweepDestination,
			Funder:      walletFunder{n},
			Context:     n.net.ctx,
		},
	})
	if err != nil {
		return nil, err
	}
	for _, m := range mons {
		if err := cm.Restore(m); err != nil {
			return nil, err
		}
	}
	return cm, nil
}

// claimBroadcaster is the node's ChainMonitor's broadcaster: the chain,
// unless the node withholds its claims (Node.WithholdClaims).
type claimBroadcaster struct{ n *Node }

// BroadcastTransactions implements chain.Broadcaster.
func (b claimBroadcaster) BroadcastTransactions(ctx context.Context, txs ...*btcwire.MsgTx) error {
	if b.n.WithholdClaims {
		b.n.withheld = append(b.n.withheld, txs...)
		return nil
	}
	return b.n.net.Chain.BroadcastTransactions(ctx, txs...)
}

// walletFunder funds the node's anchors HTLC transactions from its
// wallet (opened after the ChainMonitor).
type walletFunder struct{ n *Node }

// FundHTLCTx implements monitor.HTLCTxFunder.
func (f walletFunder) FundHTLCTx(ctx context.Context, h spendable.HTLCTx, rate wire.FeeRate) (*btcwire.MsgTx, error) {
	if f.n.Wallet == nil {
		return nil, errors.New("lnkittest: no wallet yet")
	}
	return f.n.Wallet.FundHTLCTx(ctx, h, rate)
}

// AbandonTransaction implements monitor.HTLCTxFunder.
func (f walletFunder) AbandonTransaction(ctx context.Context, txid chainhash.Hash) error {
	if f.n.Wallet == nil {
		return errors.New("lnkittest: no wallet yet")
	}
	return f.n.Wallet.AbandonTransaction(ctx, txid)
}

// sweepDestination is a new address of the node's wallet, for what the
// ChainMonitor claims on chain.
func (n *Node) sweepDestination() ([]byte, error) {
	if n.Wallet == nil {
		return nil, errors.New("lnkittest: no wallet yet")
	}
	addr, err := n.Wallet.NewAddress(n.net.ctx, wallet.P2WPKH)
	if err != nil {
		return nil, err
	}
	return txscript.PayToAddrScript(addr)
}

// monitorFeed is the node's ChainMonitor as the chain sees it: after each
// block, the monitor's events go to the node's queue.
type monitorFeed struct{ n *Node }

// BlockConnected implements chain.Listen.
func (f monitorFeed) BlockConnected(block *btcwire.MsgBlock, height int32) {
	f.n.ChainMonitor.BlockConnected(block, height)
	f.n.drainMonitor()
}

// BlockDisconnected implements chain.Listen.
func (f monitorFeed) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	f.n.ChainMonitor.BlockDisconnected(header, height)
	f.n.drainMonitor()
}

// drainMonitor appends the ChainMonitor's released events to the node's
// queue. Events a failing store refused are kept and appended at the next
// drain (in memory: a crash loses them, and the monitor, reloaded, emits its
// claims again). An event the queue refuses for good (full, invalid) fails
// the test.
func (n *Node) drainMonitor() {
	n.net.t.Helper()
	if n.ChainMonitor == nil {
		return
	}
	n.resolveOnChainHTLCs()
	n.monitorEvents = append(n.monitorEvents, n.ChainMonitor.ReleasePendingEvents()...)
	if len(n.monitorEvents) == 0 {
		return
	}
	err := n.Events.Append(n.net.ctx, n.monitorEvents...)
	if errors.Is(err, events.ErrQueueFull) || errors.Is(err, events.ErrInvalidEvent) {
		n.net.t.Fatalf("lnkittest: node %d: queue the ChainMonitor's events: %v", n.Index, err)
	}
	if err == nil {
		n.monitorEvents = nil
	}
}

// resolveOnChainHTLCs hands the node's channel manager what the chain
// decided for HTLCs of closed channels (their payments end); what it could
// not write (a failing store) is kept for the next block.
func (n *Node) resolveOnChainHTLCs() {
	n.resolutions = append(n.resolutions, n.ChainMonitor.ReleaseHTLCResolutions()...)
	if len(n.resolutions) == 0 || n.Channels == nil {
		return
	}
	if err := n.Channels.HTLCsResolvedOnChain(n.resolutions); err == nil {
		n.resolutions = nil
	}
}

// WithheldClaims returns the transactions the node's ChainMonitor handed
// out while Node.WithholdClaims was set, oldest first (each claim again at
// every block, replacements included): the test's memory, kept across a
// Crash, for it to mine them itself (simchain.Chain.MineTx, ReorgBlocks).
func (n *Node) WithheldClaims() []*btcwire.MsgTx {
	return append([]*btcwire.MsgTx(nil), n.withheld...)
}
