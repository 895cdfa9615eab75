package chain

import (
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/internal/configerr"
)

// DefaultRecentHeaders is how many recent headers a [Watcher] keeps by
// default (a day of blocks).
const DefaultRecentHeaders int32 = 144

// WatcherConfig configures a [Watcher]. The zero value of each optional
// field means its default.
type WatcherConfig struct {
	// Confirm receives the Confirm calls. Required.
	Confirm Confirm

	// RecentHeaders is how many recent headers the Watcher keeps, to
	// report the parent as the new tip after a disconnection (deeper
	// disconnections report no tip until the next connected block). Zero
	// means DefaultRecentHeaders; negative is invalid.
	RecentHeaders int32
}

// Watcher turns a stream of whole blocks ([Listen]) into [Confirm] calls for
// the transactions registered with it ([Filter]). It lets a Confirm consumer
// (which only wants its own transactions) be driven by a [Poller].
//
// A transaction is relevant when its txid was registered, when one of its
// outputs pays a registered script, or when it spends a registered output.
// Registrations made from inside a Confirm callback are honoured for the rest
// of the same block: the block is scanned again and newly relevant
// transactions are reported in a further TransactionsConfirmed call.
//
// Watcher is safe for concurrent use.
type Watcher struct {
	confirm Confirm
	keep    int32 // recent headers kept

	mu        sync.Mutex
	txids     map[chainhash.Hash]struct{}
	scripts   map[string]struct{}
	outpoints map[btcwire.OutPoint]struct{}
	gen       uint64 // bumped by every registration
	recent    map[int32]btcwire.BlockHeader
}

// NewWatcher returns a Watcher for cfg. It fails with an error matching
// [ErrInvalidConfig] that names the field when cfg is invalid.
func NewWatcher(cfg WatcherConfig) (*Watcher, error) {
	switch {
	case cfg.Confirm == nil:
		return nil, configerr.New("chain", "Confirm", "required")
	case cfg.RecentHeaders < 0:
		return nil, configerr.New("chain", "RecentHeaders", "negative")
	}
	if cfg.RecentHeaders == 0 {
		cfg.RecentHeaders = DefaultRecentHeaders
	}
	return &Watcher{
		confirm:   cfg.Confirm,
		keep:      cfg.RecentHeaders,
		txids:     make(map[chainhash.Hash]struct{}),
		scripts:   make(map[string]struct{}),
		outpoints: make(map[btcwire.OutPoint]struct{}),
		recent:    make(map[int32]btcwire.BlockHeader),
	}, nil
}

// RegisterTx implements [Filter]: transactions with this txid, or paying to
// pkScript when it is not empty, are reported.
func (w *Watcher) RegisterTx(txid chainhash.Hash, pkScript []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.txids[txid] = struct{}{}
	if len(pkScript) > 0 {
		w.scripts[string(pkScript)] = struct{}{}
	}
	w.gen++
}

// RegisterOutput implements [Filter]: transactions spending the output are
// reported.
func (w *Watcher) RegisterOutput(out WatchedOutput) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.outpoints[out.OutPoint] = struct{}{}
	w.gen++
}

// BlockConnected implements [Listen]: it reports the block's relevant
// transactions, then the new best block.
func (w *Watcher) BlockConnected(block *btcwire.MsgBlock, height int32) {
	header := block.Header
	var delivered []bool
	for {
		gen, txdata := w.scan(block, delivered)
		if len(txdata) == 0 {
			break
		}
		if delivered == nil {
			delivered = make([]bool, len(block.Transactions))
		}
		for _, td := range txdata {
			delivered[td.Index] = true
		}
		w.confirm.TransactionsConfirmed(&header, txdata, height)
		if w.generation() == gen {
			break
		}
	}

	w.mu.Lock()
	w.recent[height] = header
	delete(w.recent, height-w.keep)
	w.mu.Unlock()

	w.confirm.BestBlockUpdated(&header, height)
}

// BlockDisconnected implements [Listen]: every relevant transaction confirmed
// in the block is reported unconfirmed, then the parent becomes the best
// block (reported when its header is among the recent ones).
func (w *Watcher) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	hash := header.BlockHash()
	for _, rt := range w.confirm.RelevantTransactions() {
		if (rt.BlockHash != nil && *rt.BlockHash == hash) || (rt.BlockHash == nil && rt.Height >= height) {
			w.confirm.TransactionUnconfirmed(rt.TxID)
		}
	}

	w.mu.Lock()
	delete(w.recent, height)
	parent, ok := w.recent[height-1]
	w.mu.Unlock()
	if ok && parent.BlockHash() == header.PrevBlock {
		w.confirm.BestBlockUpdated(&parent, height-1)
	}
}

// generation returns the registration counter.
func (w *Watcher) generation() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gen
}

// scan returns the relevant transactions of block not yet delivered, in block
// order, and the registration generation it matched against.
func (w *Watcher) scan(block *btcwire.MsgBlock, delivered []bool) (uint64, []TxData) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []TxData
	var hasher txidHasher
	for i, tx := range block.Transactions {
		if delivered != nil && delivered[i] {
			continue
		}
		if w.relevantLocked(tx, &hasher) {
			out = append(out, TxData{Index: i, Tx: tx})
		}
	}
	return w.gen, out
}

// relevantLocked reports whether tx matches a registration. w.mu is held.
func (w *Watcher) relevantLocked(tx *btcwire.MsgTx, hasher *txidHasher) bool {
	if len(w.scripts) > 0 {
		for _, out := range tx.TxOut {
			if _, ok := w.scripts[string(out.PkScript)]; ok {
				return true
			}
		}
	}
	if len(w.outpoints) > 0 {
		for _, in := range tx.TxIn {
			if _, ok := w.outpoints[in.PreviousOutPoint]; ok {
				return true
			}
		}
	}
	if len(w.txids) > 0 {
		if _, ok := w.txids[hasher.txid(tx)]; ok {
			return true
		}
	}
	return false
}
