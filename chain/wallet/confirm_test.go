package wallet

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// lateConfirm forwards chain.Confirm calls to a wallet opened after the
// watcher that calls it.
type lateConfirm struct{ w *Wallet }

func (l *lateConfirm) TransactionsConfirmed(h *btcwire.BlockHeader, txs []chain.TxData, height int32) {
	l.w.TransactionsConfirmed(h, txs, height)
}
func (l *lateConfirm) TransactionUnconfirmed(txid chainhash.Hash) { l.w.TransactionUnconfirmed(txid) }
func (l *lateConfirm) BestBlockUpdated(h *btcwire.BlockHeader, height int32) {
	l.w.BestBlockUpdated(h, height)
}
func (l *lateConfirm) RelevantTransactions() []chain.RelevantTx { return l.w.RelevantTransactions() }

// TestDrivenByConfirm drives the wallet as a chain.Confirm through a
// chain.Watcher (the Filter), as a light chain source would.
func TestDrivenByConfirm(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 20)
	late := &lateConfirm{}
	watcher, err := chain.NewWatcher(chain.WatcherConfig{Confirm: late})
	require.NoError(t, err)
	f.cfg.Filter = watcher
	f.cfg.Store = persisttest.NewCrashStore()
	f.reopen()
	late.w = f.w
	connect := func(txs ...*btcwire.MsgTx) {
		b, h := f.chain.add(nil, txs...)
		watcher.BlockConnected(b, h)
	}
	fund := payTx(1, f.script(P2TR), 100_000)
	connect(fund, payTx(2, otherScript, 5))
	require.Equal(t, Balance{Confirmed: 100_000}, f.w.Balance())
	require.EqualValues(t, 1, f.w.BestBlock().Height)
	require.Len(t, f.w.Transactions(), 1)

	tx, err := f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(20_000, otherScript)}, chain.TargetOutputSpending)
	require.NoError(t, err)
	connect(tx)
	require.Equal(t, f.w.Balance().Confirmed, f.w.Balance().Total())
	require.Positive(t, f.w.Balance().Confirmed)

	b, h := f.chain.pop()
	watcher.BlockDisconnected(&b.Header, h)
	require.Zero(t, f.w.Balance().Confirmed)
	require.Positive(t, f.w.Balance().Unconfirmed)
	require.EqualValues(t, 1, f.w.BestBlock().Height)
}
