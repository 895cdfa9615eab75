package wallet

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"

	"github.com/lnkit/lnkit/chain"
)

// NewAddress hands out the next unused receive address of type t and
// persists the new index before returning it.
func (w *Wallet) NewAddress(ctx context.Context, t AddressType) (btcutil.Address, error) {
	if t != P2WPKH && t != P2TR {
		return nil, fmt.Errorf("%w: address type %v", ErrInvalidAmount, t)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	script, err := w.nextScript(branchOf(t, false))
	if err != nil {
		return nil, err
	}
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	return w.address(script)
}

// address decodes a wallet script into its address.
func (w *Wallet) address(script []byte) (btcutil.Address, error) {
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(script, w.cfg.Params)
	if err != nil || len(addrs) != 1 {
		return nil, fmt.Errorf("wallet: script %x has no address: %v", script, err)
	}
	return addrs[0], nil
}

// nextScript hands out the next index of branch b and returns its script.
// The caller flushes.
func (w *Wallet) nextScript(b branch) ([]byte, error) {
	ref := keyRef{Branch: b, Index: w.next[b]}
	script, err := w.kc.script(ref)
	if err != nil {
		return nil, err
	}
	w.next[b]++
	w.dirtyMeta = true
	if err := w.extend(b); err != nil {
		return nil, err
	}
	return script, nil
}

// changeScript hands out a change script of the configured type.
func (w *Wallet) changeScript() ([]byte, error) {
	return w.nextScript(branchOf(w.cfg.ChangeType, true))
}

// markUsed records that the key at ref has been paid on chain and extends
// the watched window past it.
func (w *Wallet) markUsed(ref keyRef) {
	if ref.Index+1 > w.used[ref.Branch] {
		w.used[ref.Branch] = ref.Index + 1
		w.dirtyMeta = true
		if err := w.extend(ref.Branch); err != nil {
			w.log.Error("wallet: extend address window", "err", err)
		}
	}
}

// extend derives and watches the scripts of branch b up to the gap limit
// past the last used or handed-out index.
func (w *Wallet) extend(b branch) error {
	want := max(w.next[b], w.used[b]) + uint32(w.cfg.GapLimit)
	for w.derived[b] < want {
		ref := keyRef{Branch: b, Index: w.derived[b]}
		script, err := w.kc.script(ref)
		if err != nil {
			return err
		}
		w.scripts[string(script)] = ref
		if w.cfg.Filter != nil {
			w.cfg.Filter.RegisterTx(chainhash.Hash{}, script)
		}
		w.derived[b]++
	}
	return nil
}

// IsMine reports whether pkScript is one of the wallet's watched scripts.
func (w *Wallet) IsMine(pkScript []byte) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.scripts[string(pkScript)]
	return ok
}

// watchOutput registers a new coin with the filter, if any.
func (w *Wallet) watchOutput(u *utxo) {
	if w.cfg.Filter != nil {
		w.cfg.Filter.RegisterOutput(chain.WatchedOutput{OutPoint: u.OutPoint, PkScript: u.PkScript})
	}
}
