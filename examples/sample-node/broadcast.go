package main

import (
	"context"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
)

// conflictDepth is how deep a transaction conflicting with one we
// broadcast must be before we stop re-broadcasting ours (the monitor's
// anti-reorg delay).
const conflictDepth = 6

// broadcaster is what the wallet and the channel manager broadcast
// through: the rebroadcaster (which sends a transaction again after each
// block until it confirms), plus what the rebroadcaster cannot know: a
// transaction that conflicts with a confirmed one will never confirm.
// Typically both sides of a channel broadcast their commitment and only
// one confirms. Such a transaction is forgotten once the conflicting one
// is conflictDepth deep, instead of being re-broadcast forever.
//
// It is a chain.Listen, registered with the poller.
type broadcaster struct {
	r *chain.Rebroadcaster

	mu sync.Mutex
	// sent are the transactions given to BroadcastTransactions and not
	// forgotten yet.
	sent map[chainhash.Hash]*btcwire.MsgTx
	// conflicted are sent transactions whose input a confirmed
	// transaction spent, with the height of that block.
	conflicted map[chainhash.Hash]int32
}

func newBroadcaster(r *chain.Rebroadcaster) *broadcaster {
	return &broadcaster{r: r, sent: map[chainhash.Hash]*btcwire.MsgTx{}, conflicted: map[chainhash.Hash]int32{}}
}

// BroadcastTransactions implements chain.Broadcaster.
func (b *broadcaster) BroadcastTransactions(ctx context.Context, txs ...*btcwire.MsgTx) error {
	b.mu.Lock()
	for _, tx := range txs {
		b.sent[tx.TxHash()] = tx
	}
	b.mu.Unlock()
	return b.r.BroadcastTransactions(ctx, txs...)
}

// BlockConnected implements chain.Listen: sent transactions that confirm
// are dropped from the watch (the rebroadcaster keeps them through
// reorganisations); those a confirmed transaction conflicts with are
// marked, and forgotten conflictDepth blocks later.
func (b *broadcaster) BlockConnected(block *btcwire.MsgBlock, height int32) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.sent) > 0 {
		spent := map[btcwire.OutPoint]chainhash.Hash{}
		for _, tx := range block.Transactions {
			txid := tx.TxHash()
			if _, ok := b.sent[txid]; ok {
				delete(b.sent, txid)
				delete(b.conflicted, txid)
				continue
			}
			for _, in := range tx.TxIn {
				spent[in.PreviousOutPoint] = txid
			}
		}
		for txid, tx := range b.sent {
			if _, marked := b.conflicted[txid]; marked {
				continue
			}
			for _, in := range tx.TxIn {
				if _, ok := spent[in.PreviousOutPoint]; ok {
					b.conflicted[txid] = height
					break
				}
			}
		}
		// A child of a conflicted transaction (a CPFP of our
		// commitment) can never confirm either.
		for changed := true; changed; {
			changed = false
			for txid, tx := range b.sent {
				if _, marked := b.conflicted[txid]; marked {
					continue
				}
				for _, in := range tx.TxIn {
					if h, ok := b.conflicted[in.PreviousOutPoint.Hash]; ok {
						b.conflicted[txid], changed = h, true
						break
					}
				}
			}
		}
	}
	for txid, h := range b.conflicted {
		if height-h+1 >= conflictDepth {
			b.r.Forget(txid)
			delete(b.conflicted, txid)
			delete(b.sent, txid)
		}
	}
}

// BlockDisconnected implements chain.Listen: a conflict in the block is
// undone.
func (b *broadcaster) BlockDisconnected(_ *btcwire.BlockHeader, height int32) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for txid, h := range b.conflicted {
		if h >= height {
			delete(b.conflicted, txid)
		}
	}
}

// forget stops re-broadcasting txid (its broadcast failed and the wallet
// abandoned it).
func (b *broadcaster) forget(txid chainhash.Hash) {
	b.r.Forget(txid)
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.sent, txid)
	delete(b.conflicted, txid)
}
