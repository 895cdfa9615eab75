package wallet

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
)

// Wallet is lnkit's on-chain wallet. Open returns one; it is safe for
// concurrent use. Drive it with a chain.Poller (it is a chain.Listen) or, for
// sources that do not hand over blocks, as a chain.Confirm with
// Config.Filter set.
type Wallet struct {
	cfg Config
	kc  *keychain
	log *slog.Logger

	mu       sync.Mutex
	birthday chain.BestBlock
	best     chain.BestBlock
	next     [numBranches]uint32 // next index handed out per branch
	used     [numBranches]uint32 // 1 + highest index seen on chain
	derived  [numBranches]uint32 // scripts derived and watched: [0, derived)
	scripts  map[string]keyRef
	utxos    map[btcwire.OutPoint]*utxo
	txs      map[chainhash.Hash]*txRecord
	locks    map[btcwire.OutPoint]chainhash.Hash // coin -> locked funding tx

	dirtyMeta  bool
	dirtyUTXOs map[btcwire.OutPoint]struct{}
	dirtyTxs   map[chainhash.Hash]struct{}
	flushErr   error
}

// utxo is a wallet coin: an output paying one of the wallet's scripts, seen
// in a block or in one of the wallet's own transactions.
type utxo struct {
	OutPoint btcwire.OutPoint
	Value    int64
	PkScript []byte
	Key      keyRef
	Height   int32 // 0: unconfirmed
	Coinbase bool
	SpentBy  *chainhash.Hash // nil: unspent
}

// txStatus is where a wallet transaction stands.
type txStatus uint8

const (
	// txLocked: a funding transaction handed out, not yet broadcast; its
	// inputs are locked.
	txLocked txStatus = iota + 1
	// txUnconfirmed: broadcast (own) or undone by a reorganisation.
	txUnconfirmed
	// txConfirmed: in a block of the best chain.
	txConfirmed
)

// txRecord is a transaction that pays or spends the wallet.
type txRecord struct {
	Tx        *btcwire.MsgTx
	TxID      chainhash.Hash
	Status    txStatus
	Own       bool // built by this wallet: it stays after a reorganisation
	Height    int32
	BlockHash chainhash.Hash
	Index     uint32 // position in its block
	Credit    int64  // value of its outputs paying the wallet
	Debit     int64  // value of the wallet coins it spends
	Fee       int64  // known for own transactions, else 0
}

// Open opens the wallet kept in cfg.Store, or creates it there (starting at
// cfg.Birthday) if the store holds none. Register it with a poller at
// BestBlock():
//
//	poller.AddListener(w, w.BestBlock())
//
// It resumes from its last processed block, without a rescan.
func Open(ctx context.Context, cfg Config) (*Wallet, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	kc, err := newKeychain(&cfg.Seed, cfg.Params)
	if err != nil {
		return nil, err
	}
	w := &Wallet{
		cfg:        cfg,
		kc:         kc,
		log:        cfg.Logger,
		scripts:    make(map[string]keyRef),
		utxos:      make(map[btcwire.OutPoint]*utxo),
		txs:        make(map[chainhash.Hash]*txRecord),
		locks:      make(map[btcwire.OutPoint]chainhash.Hash),
		dirtyUTXOs: make(map[btcwire.OutPoint]struct{}),
		dirtyTxs:   make(map[chainhash.Hash]struct{}),
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.load(ctx); err != nil {
		return nil, err
	}
	for b := branch(0); b < numBranches; b++ {
		if err := w.extend(b); err != nil {
			return nil, err
		}
	}
	if cfg.Filter != nil {
		for op, u := range w.utxos {
			if u.SpentBy == nil {
				cfg.Filter.RegisterOutput(chain.WatchedOutput{OutPoint: op, PkScript: u.PkScript})
			}
		}
	}
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// BestBlock returns the last block the wallet has processed.
func (w *Wallet) BestBlock() chain.BestBlock {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.best
}

// Birthday returns the block the wallet started scanning after.
func (w *Wallet) Birthday() chain.BestBlock {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.birthday
}

// String describes the wallet without its keys.
func (w *Wallet) String() string { return "wallet.Wallet(" + w.cfg.Params.Name + ")" }

// Format implements fmt.Formatter so that no verb (%#v included) prints the
// wallet's keys.
func (w *Wallet) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(w.String())) }

// LogValue implements slog.LogValuer: the network only, never keys.
func (w *Wallet) LogValue() slog.Value {
	return slog.GroupValue(slog.String("network", w.cfg.Params.Name))
}
