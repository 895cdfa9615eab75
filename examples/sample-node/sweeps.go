package main

import (
	"context"
	"errors"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet"
)

// sweepDepth is how deep a sweep must be before its descriptors are
// forgotten (the monitor's anti-reorg delay).
const sweepDepth = 6

// retrySweeps goes through the kept SpendableOutputs: a sweep deep enough
// is forgotten, a broadcast one waits, and outputs not swept yet are swept
// now. A sweep the chain daemon refuses (a to_local output whose
// to_self_delay has not passed) is abandoned in the wallet and tried again
// at the next block, as ldk-sample retries its spendable outputs.
func (n *node) retrySweeps(ctx context.Context) {
	n.sweepMu.Lock()
	defer n.sweepMu.Unlock()
	pending, err := n.nstore.sweeps(ctx)
	if err != nil {
		n.log.Error("sample-node: reading the pending sweeps", "err", err)
		return
	}
	txs := map[chainhash.Hash]wallet.Transaction{}
	for _, t := range n.wallet.Transactions() {
		txs[t.TxID] = t
	}
	for _, p := range pending {
		txid, ok, err := n.nstore.sweepTxid(ctx, p.key)
		if err != nil {
			n.log.Error("sample-node: reading a sweep", "key", p.key, "err", err)
			continue
		}
		if ok {
			t, known := txs[txid]
			switch {
			case known && t.Confirmations >= sweepDepth:
				if err := n.nstore.removeSweep(ctx, p.key); err != nil {
					n.log.Error("sample-node: forgetting a sweep", "key", p.key, "err", err)
					continue
				}
				n.notice("sweep_confirmed txid=%s channel_id=%s depth=%d (the funds are in the wallet)", txid, p.ev.ChannelID, t.Confirmations)
				continue
			case known:
				// Broadcast, waiting for its confirmations.
				if t.Confirmations > 0 {
					n.notice("sweep_confirmations txid=%s channel_id=%s depth=%d/%d", txid, p.ev.ChannelID, t.Confirmations, sweepDepth)
				}
				continue
			}
			// It left the wallet: sweep again.
			if err := n.nstore.clearSweepTxid(ctx, p.key); err != nil {
				n.log.Error("sample-node: clearing a sweep", "key", p.key, "err", err)
				continue
			}
		}
		tx, err := n.wallet.Sweep(ctx, p.ev.Outputs, chain.TargetOutputSpending)
		if err != nil {
			if tx != nil {
				n.abandon(ctx, tx.TxHash())
			}
			if !n.sweepWaiting[p.key] {
				n.sweepWaiting[p.key] = true
				n.notice("sweep_waiting channel_id=%s reason=%q (retried at each block)", p.ev.ChannelID, err.Error())
			}
			n.log.Info("sample-node: sweep not possible yet", "channel_id", p.ev.ChannelID, "err", err)
			continue
		}
		delete(n.sweepWaiting, p.key)
		if err := n.nstore.saveSweepTxid(ctx, p.key, tx.TxHash()); err != nil {
			n.log.Error("sample-node: recording a sweep", "key", p.key, "err", err)
		}
		n.notice("sweep txid=%s channel_id=%s amount_sat=%d", tx.TxHash(), p.ev.ChannelID, tx.TxOut[0].Value)
	}
}

// abandon drops a transaction whose broadcast failed from the wallet and
// from the rebroadcaster.
func (n *node) abandon(ctx context.Context, txid chainhash.Hash) {
	n.bcast.forget(txid)
	if err := n.wallet.AbandonTransaction(ctx, txid); err != nil && !errors.Is(err, wallet.ErrUnknownOutput) {
		n.log.Warn("sample-node: abandoning a transaction", "txid", txid, "err", err)
	}
}
