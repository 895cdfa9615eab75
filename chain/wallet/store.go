package wallet

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/persist"
)

// Where the wallet keeps its state in the store.
var (
	// nsWallet holds the "meta" key.
	nsWallet = persist.Namespace{Primary: "wallet"}
	// nsCoins holds one key per coin, "<txid>-<index>".
	nsCoins = persist.Namespace{Primary: "wallet", Secondary: "coins"}
	// nsTxs holds one key per transaction, "<txid>".
	nsTxs = persist.Namespace{Primary: "wallet", Secondary: "txs"}
)

const metaKey = "meta"

// outPointKey is the store key of a coin.
func outPointKey(op btcwire.OutPoint) string {
	return op.Hash.String() + "-" + strconv.FormatUint(uint64(op.Index), 10)
}

// parseOutPointKey parses outPointKey's output.
func parseOutPointKey(key string) (btcwire.OutPoint, error) {
	h, idx, ok := strings.Cut(key, "-")
	if !ok {
		return btcwire.OutPoint{}, fmt.Errorf("%w: coin key %q", ErrCorrupt, key)
	}
	hash, err := chainhash.NewHashFromStr(h)
	if err != nil || len(h) != 64 {
		return btcwire.OutPoint{}, fmt.Errorf("%w: coin key %q", ErrCorrupt, key)
	}
	i, err := strconv.ParseUint(idx, 10, 32)
	if err != nil {
		return btcwire.OutPoint{}, fmt.Errorf("%w: coin key %q", ErrCorrupt, key)
	}
	return btcwire.OutPoint{Hash: *hash, Index: uint32(i)}, nil
}

// load reads the wallet from the store, or starts a new one at the
// birthday.
func (w *Wallet) load(ctx context.Context) error {
	st := w.cfg.Store
	data, err := st.Read(ctx, nsWallet, metaKey)
	if errors.Is(err, persist.ErrNotFound) {
		w.birthday, w.best = w.cfg.Birthday, w.cfg.Birthday
		w.dirtyMeta = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("wallet: load: %w", err)
	}
	m, err := decodeMeta(data)
	if err != nil {
		return err
	}
	w.birthday, w.best, w.next, w.used = m.Birthday, m.Best, m.Next, m.Used
	keys, err := st.List(ctx, nsCoins)
	if err != nil {
		return fmt.Errorf("wallet: load coins: %w", err)
	}
	for _, k := range keys {
		op, err := parseOutPointKey(k)
		if err != nil {
			return err
		}
		data, err := st.Read(ctx, nsCoins, k)
		if err != nil {
			return fmt.Errorf("wallet: load coin: %w", err)
		}
		u, err := decodeCoin(op, data)
		if err != nil {
			return err
		}
		w.utxos[op] = u
	}
	keys, err = st.List(ctx, nsTxs)
	if err != nil {
		return fmt.Errorf("wallet: load transactions: %w", err)
	}
	for _, k := range keys {
		data, err := st.Read(ctx, nsTxs, k)
		if err != nil {
			return fmt.Errorf("wallet: load transaction: %w", err)
		}
		rec, err := decodeTx(data)
		if err != nil {
			return err
		}
		if rec.TxID.String() != k {
			return fmt.Errorf("%w: transaction under key %s has id %v", ErrCorrupt, k, rec.TxID)
		}
		w.txs[rec.TxID] = rec
		if rec.Status == txLocked {
			for _, in := range rec.Tx.TxIn {
				w.locks[in.PreviousOutPoint] = rec.TxID
			}
		}
	}
	return nil
}

// flush writes what changed since the last flush in one atomic batch.
// What fails to be written stays marked and is retried by the next flush.
func (w *Wallet) flush(ctx context.Context) error {
	var ops []persist.Op
	for op := range w.dirtyUTXOs {
		if u, ok := w.utxos[op]; ok {
			ops = append(ops, persist.WriteOp(nsCoins, outPointKey(op), encodeCoin(u)))
		} else {
			ops = append(ops, persist.RemoveOp(nsCoins, outPointKey(op)))
		}
	}
	for txid := range w.dirtyTxs {
		if rec, ok := w.txs[txid]; ok {
			v, err := encodeTx(rec)
			if err != nil {
				return err
			}
			ops = append(ops, persist.WriteOp(nsTxs, txid.String(), v))
		} else {
			ops = append(ops, persist.RemoveOp(nsTxs, txid.String()))
		}
	}
	if w.dirtyMeta {
		m := meta{Birthday: w.birthday, Best: w.best, Next: w.next, Used: w.used}
		ops = append(ops, persist.WriteOp(nsWallet, metaKey, encodeMeta(&m)))
	}
	if len(ops) == 0 {
		return nil
	}
	// More changes than one batch takes are split; the meta (best block)
	// goes last, so a crash between batches resumes from the previous best
	// block and the blocks after it are processed again, which is
	// harmless.
	for start := 0; start < len(ops); start += persist.MaxBatchOps {
		end := min(start+persist.MaxBatchOps, len(ops))
		if err := w.cfg.Store.Apply(ctx, ops[start:end]); err != nil {
			w.flushErr = err
			return fmt.Errorf("wallet: persist: %w", err)
		}
	}
	w.dirtyMeta = false
	clear(w.dirtyUTXOs)
	clear(w.dirtyTxs)
	w.flushErr = nil
	return nil
}
