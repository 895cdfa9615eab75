package simchain_test

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// confirmRef forwards chain.Confirm calls to a consumer set after it is
// built (the wallet needs its Filter, the Watcher, at Open).
type confirmRef struct{ chain.Confirm }

// openWallet opens a regtest wallet of seed n on c, starting at its tip.
func openWallet(t *testing.T, c *simchain.Chain, fees chain.FeeEstimator, n byte, filter chain.Filter) *wallet.Wallet {
	t.Helper()
	var seed keys.Seed
	for i := range seed {
		seed[i] = n + byte(i)
	}
	w, err := wallet.Open(context.Background(), wallet.Config{
		Seed:        seed,
		Params:      &chaincfg.RegressionNetParams,
		Store:       persisttest.NewCrashStore(),
		Fees:        fees,
		Broadcaster: c,
		Birthday:    c.Tip(),
		Entropy:     keys.NewDeterministicEntropy([32]byte{n}),
		Filter:      filter,
	})
	require.NoError(t, err)
	return w
}

// walletScript returns a new P2WPKH script of w.
func walletScript(t *testing.T, w *wallet.Wallet) []byte {
	t.Helper()
	addr, err := w.NewAddress(context.Background(), wallet.P2WPKH)
	require.NoError(t, err)
	script, err := txscript.PayToAddrScript(addr)
	require.NoError(t, err)
	return script
}

// feeOf returns the fee of tx, whose inputs are the outputs of parents.
func feeOf(tx *btcwire.MsgTx, parents ...*btcwire.MsgTx) int64 {
	outs := make(map[btcwire.OutPoint]int64)
	for _, p := range parents {
		for i, o := range p.TxOut {
			outs[btcwire.OutPoint{Hash: p.TxHash(), Index: uint32(i)}] = o.Value
		}
	}
	var fee int64
	for _, in := range tx.TxIn {
		fee += outs[in.PreviousOutPoint]
	}
	for _, o := range tx.TxOut {
		fee -= o.Value
	}
	return fee
}

// TestWallet drives two chain/wallet wallets through the simulated chain,
// one as a chain.Listen polled by a chain.Poller, one as a chain.Confirm
// behind a chain.Watcher connected directly: funded, paying each other and
// an outsider, then reorganised and confirmed again, with balances checked
// to the satoshi against the chain's own outputs.
func TestWallet(t *testing.T) {
	ctx := context.Background()
	c := newChain(t)
	fees := &simchain.FeeEstimator{}
	fees.Set(1_000)

	polled := openWallet(t, c, fees, 1, nil)
	poller, err := chain.NewPoller(chain.PollerConfig{Source: c})
	require.NoError(t, err)
	poller.AddListener(polled, polled.BestBlock())
	ref := &confirmRef{}
	watcher, err := chain.NewWatcher(chain.WatcherConfig{Confirm: ref})
	require.NoError(t, err)
	direct := openWallet(t, c, fees, 2, watcher)
	ref.Confirm = direct
	c.Connect(watcher)
	poll := func() {
		t.Helper()
		require.NoError(t, poller.PollOnce(ctx))
		require.Equal(t, c.Tip(), polled.BestBlock())
		require.Equal(t, c.Tip(), direct.BestBlock())
	}
	requireBalance := func(w *wallet.Wallet, confirmed, unconfirmed int64) {
		t.Helper()
		require.Equal(t, wallet.Balance{Confirmed: btcutil.Amount(confirmed), Unconfirmed: btcutil.Amount(unconfirmed)}, w.Balance())
	}

	fund1 := fundTx(t, c, walletScript(t, polled), 1_000_000)
	fund2 := fundTx(t, c, walletScript(t, direct), 500_000)
	poll()
	requireBalance(polled, 1_000_000, 0)
	requireBalance(direct, 500_000, 0)

	pay1, err := polled.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(300_000, trueScript)}, chain.TargetOutputSpending)
	require.NoError(t, err)
	pay2, err := direct.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(100_000, walletScript(t, polled))}, chain.TargetOutputSpending)
	require.NoError(t, err)
	require.Equal(t, txids(pay1, pay2), txids(c.Mempool()...))
	fee1, fee2 := feeOf(pay1, fund1), feeOf(pay2, fund2)
	require.Positive(t, fee1)
	require.Positive(t, fee2)
	change1, change2 := 1_000_000-300_000-fee1, 500_000-100_000-fee2
	requireBalance(polled, 0, change1)
	requireBalance(direct, 0, change2)

	c.Mine(1)
	poll()
	requireBalance(polled, change1+100_000, 0)
	requireBalance(direct, change2, 0)
	require.Equal(t, change1+100_000, unspentTo(t, c, polled, pay1, pay2))
	require.Equal(t, change2, unspentTo(t, c, direct, pay1, pay2))

	// The block of the payments and the second funding leave the chain.
	_, err = c.Reorg(2, 3)
	require.NoError(t, err)
	require.Equal(t, txids(fund2, pay1, pay2), txids(c.Mempool()...))
	poll()
	requireBalance(polled, 0, change1) // its own payment is unconfirmed again
	// The second wallet forgets its funding (not its own transaction)
	// and with it its own payment spending it, until they confirm again.
	requireBalance(direct, 0, 0)

	c.Mine(1)
	poll()
	requireBalance(polled, change1+100_000, 0)
	requireBalance(direct, change2, 0)
	require.EqualValues(t, 1, c.Confirmations(pay2.TxHash()))
}

// fundTx funds pkScript with amount and returns the funding transaction.
func fundTx(t *testing.T, c *simchain.Chain, pkScript []byte, amount int64) *btcwire.MsgTx {
	t.Helper()
	tx, err := c.FundOutputs(btcwire.NewTxOut(amount, pkScript))
	require.NoError(t, err)
	return tx
}

// unspentTo sums the outputs of txs paying w that the chain holds unspent.
func unspentTo(t *testing.T, c *simchain.Chain, w *wallet.Wallet, txs ...*btcwire.MsgTx) int64 {
	t.Helper()
	var sum int64
	for _, tx := range txs {
		for i, o := range tx.TxOut {
			if !w.IsMine(o.PkScript) {
				continue
			}
			out, ok := c.Unspent(btcwire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)})
			require.True(t, ok)
			sum += out.Value
		}
	}
	return sum
}
