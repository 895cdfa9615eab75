package chain

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
)

// RebroadcasterConfig configures a [Rebroadcaster].
type RebroadcasterConfig struct {
	// Broadcaster sends the transactions. Required.
	Broadcaster Broadcaster

	// Timeout bounds one round of re-broadcasting (all pending
	// transactions) after a block. Default: 30s.
	Timeout time.Duration

	// KeepConfirmed is how many blocks a confirmed transaction is still
	// remembered, so that it is re-broadcast if a reorganisation
	// unconfirms it. Default: 144.
	KeepConfirmed int32

	// Logger receives re-broadcast failures. Default: discard.
	Logger *slog.Logger
}

// Rebroadcaster is a [Broadcaster] that remembers what it is given and sends
// it again after every new block until it confirms, or until the caller gives
// up with Forget. It is also a [Listen]er: register it with the [Poller] that
// follows the chain. A transaction seen in a connected block stops being
// re-broadcast; if that block is disconnected, it starts again.
//
// Rebroadcaster is safe for concurrent use.
type Rebroadcaster struct {
	cfg RebroadcasterConfig
	log *slog.Logger

	mu  sync.Mutex
	txs map[chainhash.Hash]*rebroadcastEntry
	seq uint64
}

// rebroadcastEntry is a remembered transaction.
type rebroadcastEntry struct {
	tx        *btcwire.MsgTx
	seq       uint64 // insertion order, so parents go before children
	confirmed bool
	blockHash chainhash.Hash
	height    int32
}

// NewRebroadcaster returns a Rebroadcaster for cfg, applying defaults.
func NewRebroadcaster(cfg RebroadcasterConfig) (*Rebroadcaster, error) {
	if cfg.Broadcaster == nil {
		return nil, errors.New("chain: rebroadcaster needs a broadcaster")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.KeepConfirmed <= 0 {
		cfg.KeepConfirmed = 144
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Rebroadcaster{cfg: cfg, log: log, txs: make(map[chainhash.Hash]*rebroadcastEntry)}, nil
}

// BroadcastTransactions implements [Broadcaster]: it remembers txs (a copy of
// each), then broadcasts them. They are remembered even if this first
// broadcast fails, and retried after the next block.
func (r *Rebroadcaster) BroadcastTransactions(ctx context.Context, txs ...*btcwire.MsgTx) error {
	r.mu.Lock()
	for _, tx := range txs {
		id := tx.TxHash()
		if _, ok := r.txs[id]; ok {
			continue
		}
		r.seq++
		r.txs[id] = &rebroadcastEntry{tx: tx.Copy(), seq: r.seq}
	}
	r.mu.Unlock()
	return r.cfg.Broadcaster.BroadcastTransactions(ctx, txs...)
}

// Forget stops re-broadcasting the transaction and drops it.
func (r *Rebroadcaster) Forget(txid chainhash.Hash) {
	r.mu.Lock()
	delete(r.txs, txid)
	r.mu.Unlock()
}

// Pending returns the ids of the remembered transactions not yet confirmed,
// in the order they were given.
func (r *Rebroadcaster) Pending() []chainhash.Hash {
	r.mu.Lock()
	defer r.mu.Unlock()
	entries := r.pendingLocked()
	ids := make([]chainhash.Hash, len(entries))
	for i, e := range entries {
		ids[i] = e.tx.TxHash()
	}
	return ids
}

// BlockConnected implements [Listen]: transactions in the block are marked
// confirmed, those confirmed more than KeepConfirmed blocks ago are dropped,
// and the rest are broadcast again, one by one, in the order given.
func (r *Rebroadcaster) BlockConnected(block *btcwire.MsgBlock, height int32) {
	r.mu.Lock()
	if len(r.txs) == 0 {
		r.mu.Unlock()
		return
	}
	hash := block.Header.BlockHash()
	var hasher txidHasher
	for _, tx := range block.Transactions {
		if e, ok := r.txs[hasher.txid(tx)]; ok {
			e.confirmed, e.blockHash, e.height = true, hash, height
		}
	}
	for id, e := range r.txs {
		if e.confirmed && height-e.height >= r.cfg.KeepConfirmed {
			delete(r.txs, id)
		}
	}
	pending := r.pendingLocked()
	txs := make([]*btcwire.MsgTx, len(pending))
	for i, e := range pending {
		txs[i] = e.tx
	}
	r.mu.Unlock()

	if len(txs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Timeout)
	defer cancel()
	for _, tx := range txs {
		if err := r.cfg.Broadcaster.BroadcastTransactions(ctx, tx); err != nil {
			r.log.Debug("chain: re-broadcast failed", "txid", tx.TxHash(), "err", err)
		}
	}
}

// BlockDisconnected implements [Listen]: transactions confirmed in the block
// are pending again.
func (r *Rebroadcaster) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	hash := header.BlockHash()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.txs {
		if e.confirmed && e.blockHash == hash {
			e.confirmed = false
		}
	}
}

// pendingLocked returns the unconfirmed entries by insertion order.
func (r *Rebroadcaster) pendingLocked() []*rebroadcastEntry {
	var out []*rebroadcastEntry
	for _, e := range r.txs {
		if !e.confirmed {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *rebroadcastEntry) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	return out
}
