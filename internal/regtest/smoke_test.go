package regtest_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/stretchr/testify/require"
)

// TestSmokeLndPayment proves the harness end to end: btcd with segwit, two
// lnd nodes, a funded channel that becomes routable, a paid invoice, a
// restart that keeps the channel, and a cooperative close.
func TestSmokeLndPayment(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	start := time.Now()
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)
	alice := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "alice"})
	bob := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "bob"})
	t.Logf("btcd at height %d, alice %s, bob %s ready after %s", btcd.BestHeight(t), alice.NodeID, bob.NodeID, time.Since(start))

	alice.Fund(t, 1_000_000)
	require.EqualValues(t, 1_000_000, alice.ConfirmedBalance(t), "alice's confirmed balance")
	chanPoint := alice.OpenChannel(t, bob, 500_000)
	t.Logf("channel %s routable after %s", chanPoint, time.Since(start))

	pay := func(amtSat int64) {
		t.Helper()
		var inv struct {
			RHash          string `json:"r_hash"`
			PaymentRequest string `json:"payment_request"`
		}
		bob.CLIJSON(t, &inv, "addinvoice", "--amt="+itoa(amtSat), "--memo=regtest smoke")
		alice.CLI(t, "payinvoice", "--force", "--pay_req="+inv.PaymentRequest)
		var got struct {
			State      string `json:"state"`
			AmtPaidSat int64  `json:"amt_paid_sat,string"`
		}
		bob.CLIJSON(t, &got, "lookupinvoice", "--rhash="+inv.RHash)
		require.Equal(t, "SETTLED", got.State, "bob's invoice")
		require.Equal(t, amtSat, got.AmtPaidSat, "bob's invoice")
	}
	pay(10_000)
	t.Logf("paid after %s", time.Since(start))

	bob.Restart(t)
	fundingTxid, _, _ := strings.Cut(chanPoint, ":")
	alice.WaitChannelActive(t, fundingTxid)
	bob.WaitChannelActive(t, fundingTxid)
	alice.WaitRoute(t, bob.NodeID, 1)
	pay(20_000)
	t.Logf("restarted bob and paid again after %s", time.Since(start))

	var closed struct {
		ClosingTxid string `json:"closing_txid"`
	}
	alice.CLIJSON(t, &closed, "closechannel", "--chan_point="+chanPoint)
	txid, err := chainhash.NewHashFromStr(closed.ClosingTxid)
	require.NoError(t, err, "closechannel closing_txid %q", closed.ClosingTxid)
	btcd.WaitMempoolTx(t, *txid)
	btcd.Generate(t, 1)
	alice.WaitSynced(t)
	var closedChans struct {
		Channels []struct {
			ChannelPoint string `json:"channel_point"`
			CloseType    string `json:"close_type"`
		} `json:"channels"`
	}
	alice.CLIJSON(t, &closedChans, "closedchannels")
	require.Len(t, closedChans.Channels, 1, "alice's closed channels")
	require.Equal(t, chanPoint, closedChans.Channels[0].ChannelPoint)
	require.Equal(t, "COOPERATIVE_CLOSE", closedChans.Channels[0].CloseType)
	t.Logf("closed after %s", time.Since(start))
}

// itoa formats n in decimal.
func itoa(n int64) string {
	return strconv.FormatInt(n, 10)
}
