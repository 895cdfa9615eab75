package wallet

import (
	"context"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/persist/persisttest"
)

func TestOpenConfig(t *testing.T) {
	base := func() Config {
		return Config{Seed: testSeed(1), Params: &chaincfg.RegressionNetParams, Store: persisttest.NewCrashStore(),
			Fees: fixedFees{rate: 253}, Broadcaster: &recorder{}}
	}
	tests := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"zero seed", func(c *Config) { c.Seed = keys.Seed{} }, "Seed"},
		{"no params", func(c *Config) { c.Params = nil }, "Params"},
		{"no store", func(c *Config) { c.Store = nil }, "Store"},
		{"no fees", func(c *Config) { c.Fees = nil }, "Fees"},
		{"no broadcaster", func(c *Config) { c.Broadcaster = nil }, "Broadcaster"},
		{"gap limit", func(c *Config) { c.GapLimit = -1 }, "GapLimit"},
		{"max fee rate", func(c *Config) { c.MaxFeeRate = 10 }, "MaxFeeRate"},
		{"max fee percent", func(c *Config) { c.MaxFeePercent = 101 }, "MaxFeePercent"},
		{"change type", func(c *Config) { c.ChangeType = 9 }, "ChangeType"},
		{"birthday", func(c *Config) { c.Birthday = chain.BestBlock{Height: -1} }, "Birthday"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.edit(&cfg)
			_, err := Open(context.Background(), cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
		})
	}
	w, err := Open(context.Background(), base())
	require.NoError(t, err)
	require.Equal(t, *chaincfg.RegressionNetParams.GenesisHash, w.BestBlock().Hash)
	require.Equal(t, DefaultGapLimit, w.cfg.GapLimit)
}

// TestKeyDerivationFixed pins the first addresses of a seed: the scheme in
// the package documentation must never change.
func TestKeyDerivationFixed(t *testing.T) {
	cfg := Config{Seed: testSeed(7), Params: &chaincfg.MainNetParams, Store: persisttest.NewCrashStore(),
		Fees: fixedFees{rate: 253}, Broadcaster: &recorder{}}
	w, err := Open(context.Background(), cfg)
	require.NoError(t, err)
	ctx := context.Background()
	wpkh, err := w.NewAddress(ctx, P2WPKH)
	require.NoError(t, err)
	tr, err := w.NewAddress(ctx, P2TR)
	require.NoError(t, err)
	wpkh2, err := w.NewAddress(ctx, P2WPKH)
	require.NoError(t, err)
	require.Equal(t, "bc1q", wpkh.EncodeAddress()[:4])
	require.Equal(t, "bc1p", tr.EncodeAddress()[:4])
	require.NotEqual(t, wpkh.EncodeAddress(), wpkh2.EncodeAddress())
	t.Logf("pinned: %s %s %s", wpkh, tr, wpkh2)
	require.Equal(t, pinnedAddrs, []string{wpkh.EncodeAddress(), tr.EncodeAddress(), wpkh2.EncodeAddress()})

	// The wallet's keys are not the Lightning keys of the same seed.
	mgr := keys.NewManager(testSeed(7), keys.Config{})
	pub, err := w.kc.pubKey(keyRef{Branch: branchWPKHReceive})
	require.NoError(t, err)
	require.NotEqual(t, mgr.PublicKey().SerializeCompressed(), pub.SerializeCompressed())
}

func TestReceiveSpendBalance(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 1)
	wpkh, tr := f.script(P2WPKH), f.script(P2TR)
	fund1 := payTx(1, wpkh, 300_000)
	fund2 := payTx(2, tr, 200_000)
	f.mine(fund1, fund2)
	require.Equal(t, Balance{Confirmed: 500_000}, f.w.Balance())

	dest := payTx(9, []byte{txscript.OP_0, txscript.OP_DATA_20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, 1).TxOut[0].PkScript
	tx, err := f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(450_000, dest)}, chain.TargetOutputSpending)
	require.NoError(t, err)
	require.Len(t, f.bc.txs, 1)
	require.Equal(t, tx, f.bc.txs[0])
	verifyTx(t, tx, prevOutsOf(fund1, fund2))
	require.Len(t, tx.TxIn, 2)
	require.EqualValues(t, 2, tx.Version)
	for _, in := range tx.TxIn {
		require.Equal(t, uint32(sequenceRBF), in.Sequence)
	}
	require.LessOrEqual(t, tx.LockTime, uint32(1))

	var out, change int64
	for _, o := range tx.TxOut {
		out += o.Value
		if f.w.IsMine(o.PkScript) {
			change += o.Value
		}
	}
	fee := 500_000 - out
	weight := int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
	require.GreaterOrEqual(t, fee*1000, int64(1000)*weight, "fee rate at least the target")
	require.Equal(t, Balance{Unconfirmed: btcutil.Amount(change)}, f.w.Balance())
	txs := f.w.Transactions()
	require.Len(t, txs, 3)
	require.Equal(t, btcutil.Amount(-450_000-fee), txs[2].Amount)
	require.Equal(t, btcutil.Amount(fee), txs[2].Fee)

	f.mine(tx)
	require.Equal(t, Balance{Confirmed: btcutil.Amount(change)}, f.w.Balance())
	require.EqualValues(t, 1, f.w.Transactions()[2].Confirmations)

	// A restart resumes with the same state.
	best := f.w.BestBlock()
	f.reopen()
	require.Equal(t, best, f.w.BestBlock())
	require.Equal(t, Balance{Confirmed: btcutil.Amount(change)}, f.w.Balance())
	require.Len(t, f.w.Transactions(), 3)
	next := f.script(P2WPKH)
	require.NotEqual(t, wpkh, next, "handed-out indexes survive the restart")
}

func TestCoinbaseMaturity(t *testing.T) {
	f := newFixture(t, 2)
	script := f.script(P2WPKH)
	b, h := f.chain.add(script)
	f.w.BlockConnected(b, h)
	require.Equal(t, Balance{Immature: 50 * btcutil.SatoshiPerBitcoin}, f.w.Balance())
	f.mineEmpty(CoinbaseMaturity - 2)
	require.Equal(t, Balance{Immature: 50 * btcutil.SatoshiPerBitcoin}, f.w.Balance())
	_, err := f.w.SendOutputs(context.Background(), []*btcwire.TxOut{btcwire.NewTxOut(1000, script)}, chain.TargetOutputSpending)
	require.ErrorIs(t, err, ErrInsufficientFunds)
	f.mine()
	require.Equal(t, Balance{Confirmed: 50 * btcutil.SatoshiPerBitcoin}, f.w.Balance())
}

func TestGapLimit(t *testing.T) {
	f := newFixture(t, 3)
	// Derive the 25th receive script without handing it out: beyond the
	// window of 20 until index 10 is used.
	far, err := f.w.kc.script(keyRef{Branch: branchWPKHReceive, Index: 25})
	require.NoError(t, err)
	mid, err := f.w.kc.script(keyRef{Branch: branchWPKHReceive, Index: 10})
	require.NoError(t, err)
	f.mine(payTx(1, far, 10_000))
	require.Zero(t, f.w.Balance().Total())
	f.mine(payTx(2, mid, 10_000), payTx(3, far, 20_000))
	require.Equal(t, btcutil.Amount(30_000), f.w.Balance().Confirmed)
}

// otherScript is a P2WPKH script no test wallet owns.
var otherScript = append([]byte{txscript.OP_0, txscript.OP_DATA_20}, make([]byte, 20)...)

func TestReorg(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 4)
	// A second wallet from the same seed, on its own store: it did not
	// build the spends below, it only sees them on chain.
	g := newFixture(t, 4)
	g.chain = f.chain
	both := func(fn func(w *Wallet)) { fn(f.w); fn(g.w) }
	connect := func(txs ...*btcwire.MsgTx) {
		b, h := f.chain.add(nil, txs...)
		both(func(w *Wallet) { w.BlockConnected(b, h) })
	}
	disconnect := func() {
		b, h := f.chain.pop()
		both(func(w *Wallet) { w.BlockDisconnected(&b.Header, h) })
	}
	script := f.script(P2WPKH)
	fund := payTx(1, script, 100_000)
	connect(fund)
	recv := payTx(2, script, 40_000)
	connect(recv)
	require.Equal(t, btcutil.Amount(140_000), f.w.Balance().Confirmed)
	require.Equal(t, btcutil.Amount(140_000), g.w.Balance().Confirmed)

	// A reorg removes a received transaction.
	disconnect()
	both(func(w *Wallet) { require.Equal(t, Balance{Confirmed: 100_000}, w.Balance()) })
	require.Len(t, f.w.Transactions(), 1)

	// f spends; the spend confirms.
	tx, err := f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(30_000, otherScript)}, chain.TargetOutputSpending)
	require.NoError(t, err)
	change := f.w.Balance().Unconfirmed
	require.Positive(t, change)
	connect(tx)
	both(func(w *Wallet) { require.Equal(t, Balance{Confirmed: change}, w.Balance()) })

	// The spend's block is disconnected: f built it, so it is unconfirmed
	// again (it may confirm again); g only saw it, so the spent coin is
	// resurrected and the change is gone.
	disconnect()
	require.Equal(t, Balance{Unconfirmed: change}, f.w.Balance())
	require.Equal(t, Balance{Confirmed: 100_000}, g.w.Balance())
	require.Len(t, f.w.UnconfirmedTransactions(), 1)

	// Both follow when it confirms again.
	connect(tx)
	both(func(w *Wallet) { require.Equal(t, Balance{Confirmed: change}, w.Balance()) })
	require.Empty(t, f.w.UnconfirmedTransactions())

	// State survives a restart in the middle of it all.
	f.reopen()
	require.Equal(t, Balance{Confirmed: change}, f.w.Balance())
}

func TestConflictEvictsUnconfirmed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 5)
	g := newFixture(t, 5) // same seed: can double-spend f's coin
	g.chain = f.chain
	script := f.script(P2WPKH)
	fund := payTx(1, script, 100_000)
	b, h := f.chain.add(nil, fund)
	f.w.BlockConnected(b, h)
	g.w.BlockConnected(b, h)

	txF, err := f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(30_000, otherScript)}, chain.TargetOutputSpending)
	require.NoError(t, err)
	txG, err := g.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(50_000, otherScript)}, chain.TargetOutputSpending)
	require.NoError(t, err)
	require.NotEqual(t, txF.TxHash(), txG.TxHash())

	// g's spend confirms: f's conflicting transaction is evicted and f
	// counts g's change.
	b, h = f.chain.add(nil, txG)
	f.w.BlockConnected(b, h)
	require.Equal(t, g.w.Balance().Unconfirmed, f.w.Balance().Confirmed)
	require.Len(t, f.w.Transactions(), 2)
	require.Empty(t, f.w.UnconfirmedTransactions())
}

func TestAbandon(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 6)
	f.mine(payTx(1, f.script(P2TR), 100_000))
	f.bc.err = errSentinel
	tx, err := f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(30_000, otherScript)}, chain.TargetOutputSpending)
	require.ErrorIs(t, err, errSentinel)
	require.NotNil(t, tx)
	require.Zero(t, f.w.Balance().Confirmed)
	// It was persisted before the broadcast: after a crash it is still
	// there, to rebroadcast.
	f.reopen()
	pending := f.w.UnconfirmedTransactions()
	require.Len(t, pending, 1)
	require.Equal(t, tx.TxHash(), pending[0].TxHash())
	require.NoError(t, f.w.AbandonTransaction(ctx, tx.TxHash()))
	require.Equal(t, Balance{Confirmed: 100_000}, f.w.Balance())
	require.ErrorIs(t, f.w.AbandonTransaction(ctx, tx.TxHash()), ErrUnknownOutput)
}

var errSentinel = errors.New("broadcast refused")
