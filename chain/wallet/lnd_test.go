package wallet

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// TestRegtestLnd: the wallet pays lnd's p2wkh and p2tr addresses and lnd
// sees them; lnd's sendcoins pays the wallet and the wallet sees it.
func TestRegtestLnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	ctx := context.Background()
	b := regtest.StartBtcd(t, regtest.BtcdOptions{})
	b.ActivateSegwit(t)
	lnd := regtest.StartLnd(t, b, regtest.LndOptions{Alias: "carol"})
	nd := startNode(t, b, 32, persisttest.NewCrashStore())
	// Two coins: the second payment cannot spend the first one's
	// unconfirmed change.
	b.SendTo(t, nd.script(P2WPKH), 150_000_000)
	b.SendTo(t, nd.script(P2TR), 150_000_000)
	b.Generate(t, 1)
	nd.sync(b)
	require.Equal(t, Balance{Confirmed: 300_000_000}, nd.w.Balance())

	var sent btcutil.Amount
	for _, ty := range []string{"p2wkh", "p2tr"} {
		var res struct {
			Address string `json:"address"`
		}
		lnd.CLIJSON(t, &res, "newaddress", ty)
		addr, err := btcutil.DecodeAddress(res.Address, &chaincfg.RegressionNetParams)
		require.NoError(t, err)
		tx, err := nd.w.SendToAddress(ctx, addr, 10_000_000, chain.TargetOutputSpending)
		require.NoError(t, err, ty)
		b.WaitMempoolTx(t, tx.TxHash())
		sent += 10_000_000
	}
	b.Generate(t, 1)
	nd.sync(b)
	lnd.WaitSynced(t)
	waitUntil(t, func() (bool, string) {
		bal := lnd.ConfirmedBalance(t)
		return bal == sent, bal.String()
	})
	var fees btcutil.Amount
	for _, tx := range nd.w.Transactions() {
		fees += tx.Fee
	}
	require.Equal(t, Balance{Confirmed: 300_000_000 - sent - fees}, nd.w.Balance())

	// lnd pays the wallet (to a P2TR address this time).
	addr, err := nd.w.NewAddress(ctx, P2TR)
	require.NoError(t, err)
	var res struct {
		TxID string `json:"txid"`
	}
	lnd.CLIJSON(t, &res, "sendcoins", "--addr="+addr.EncodeAddress(), "--amt=5000000")
	txid, err := chainhash.NewHashFromStr(res.TxID)
	require.NoError(t, err)
	b.WaitMempoolTx(t, *txid)
	b.Generate(t, 1)
	nd.sync(b)
	require.Equal(t, Balance{Confirmed: 300_000_000 - sent - fees + 5_000_000}, nd.w.Balance())
	txs := nd.w.Transactions()
	require.Equal(t, *txid, txs[len(txs)-1].TxID)
	require.EqualValues(t, 5_000_000, txs[len(txs)-1].Amount)
}

// waitUntil polls cond for up to regtest.WaitTimeout.
func waitUntil(t *testing.T, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(regtest.WaitTimeout)
	var last string
	for time.Now().Before(deadline) {
		var ok bool
		if ok, last = cond(); ok {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	require.FailNow(t, fmt.Sprintf("condition not met after %s: %s", regtest.WaitTimeout, last))
}
