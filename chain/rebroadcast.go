package chain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/internal/configerr"
)

// Defaults of [RebroadcasterConfig].
const (
	// DefaultRebroadcastTimeout bounds one round of re-broadcasting.
	DefaultRebroadcastTimeout = 30 * time.Second

	// DefaultKeepConfirmed is how many blocks a confirmed transaction is
	// remembered: a day of blocks.
	DefaultKeepConfirmed int32 = 144
)

// RebroadcasterConfig configures a [Rebroadcaster]. The zero value of each
// optional field means its default.
type RebroadcasterConfig struct {
	// Broadcaster sends the transactions. Required.
	Broadcaster Broadcaster

	// Timeout bounds one round of re-broadcasting (all pending
	// transactions, see Rebroadcaster.Rebroadcast). Zero means
	// DefaultRebroadcastTimeout; negative is invalid.
	Timeout time.Duration

	// KeepConfirmed is how many blocks a confirmed transaction is still
	// remembered, so that it is re-broadcast if a reorganisation
	// unconfirms it. Zero means DefaultKeepConfirmed; negative is invalid.
	KeepConfirmed int32

	// Logger receives the failures of re-broadcast rounds run by Run.
	// Nil discards them.
	Logger *slog.Logger
}

// Rebroadcaster is a [Broadcaster] that remembers what it is given and sends
// it again after new blocks until it confirms, or until the caller gives up
// with Forget. It is also a [Listen]er: register it with the [Poller] that
// follows the chain. A transaction seen in a connected block stops being
// re-broadcast; if that block is disconnected, it starts again.
//
// The Listen callbacks do no I/O: a block only marks a round of
// re-broadcasting due, so a slow or unreachable broadcaster never holds up
// the poller's walk (nor a catch-up of many blocks, which makes one round,
// not one per block). The round is sent by Rebroadcast, which the loop that
// calls Poller.PollOnce calls after each poll, or by Run on its own
// goroutine.
//
// Rebroadcaster is safe for concurrent use.
type Rebroadcaster struct {
	cfg  RebroadcasterConfig
	log  *slog.Logger
	wake chan struct{} // holds a token while a round is due

	mu  sync.Mutex
	txs map[chainhash.Hash]*rebroadcastEntry
	seq uint64
	due bool
}

// rebroadcastEntry is a remembered transaction.
type rebroadcastEntry struct {
	tx        *btcwire.MsgTx
	seq       uint64 // insertion order, so parents go before children
	confirmed bool
	blockHash chainhash.Hash
	height    int32
}

// NewRebroadcaster returns a Rebroadcaster for cfg. It fails with an error
// matching [ErrInvalidConfig] that names the field when cfg is invalid.
func NewRebroadcaster(cfg RebroadcasterConfig) (*Rebroadcaster, error) {
	switch {
	case cfg.Broadcaster == nil:
		return nil, configerr.New("chain", "Broadcaster", "required")
	case cfg.Timeout < 0:
		return nil, configerr.New("chain", "Timeout", "negative")
	case cfg.KeepConfirmed < 0:
		return nil, configerr.New("chain", "KeepConfirmed", "negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultRebroadcastTimeout
	}
	if cfg.KeepConfirmed == 0 {
		cfg.KeepConfirmed = DefaultKeepConfirmed
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Rebroadcaster{
		cfg:  cfg,
		log:  log,
		wake: make(chan struct{}, 1),
		txs:  make(map[chainhash.Hash]*rebroadcastEntry),
	}, nil
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
// confirmed, those confirmed KeepConfirmed blocks ago or more are dropped,
// and a round of re-broadcasting the rest is due. It does no I/O.
func (r *Rebroadcaster) BlockConnected(block *btcwire.MsgBlock, height int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.txs) == 0 {
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
	r.markDueLocked()
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
	if len(r.txs) > 0 {
		r.markDueLocked()
	}
}

// markDueLocked makes a round due and wakes Run. r.mu is held.
func (r *Rebroadcaster) markDueLocked() {
	r.due = true
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Rebroadcast sends the round of re-broadcasting that new blocks made due:
// every pending transaction once, each on its own, in the order they were
// given. When no round is due it returns nil at once. Call it after each
// Poller.PollOnce from the loop that polls (or let Run call it).
//
// The round is bounded by ctx and by Timeout. If ctx ends first the round
// stays due and ctx's error is returned; otherwise the round is done and the
// error joins one error per transaction the broadcaster refused or could not
// send (they are tried again after the next block).
func (r *Rebroadcaster) Rebroadcast(ctx context.Context) error {
	r.mu.Lock()
	if !r.due {
		r.mu.Unlock()
		return nil
	}
	r.due = false
	pending := r.pendingLocked()
	r.mu.Unlock()

	round, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	var errs []error
	for _, e := range pending {
		if ctx.Err() != nil {
			break
		}
		if err := r.cfg.Broadcaster.BroadcastTransactions(round, e.tx); err != nil {
			errs = append(errs, fmt.Errorf("chain: re-broadcast %s: %w", e.tx.TxHash(), err))
		}
	}
	if err := ctx.Err(); err != nil {
		r.mu.Lock()
		r.markDueLocked()
		r.mu.Unlock()
		return err
	}
	return errors.Join(errs...)
}

// Run sends each round of re-broadcasting as soon as it is due, until ctx
// ends; then it returns ctx's error. Failures are logged at debug level.
// It may run while others call Rebroadcast: each due round is sent once.
func (r *Rebroadcaster) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.wake:
		}
		if err := r.Rebroadcast(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.log.Debug("chain: re-broadcast failed", "err", err)
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
