package regtest_test

import (
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"

	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/stretchr/testify/require"
)

// TestSendToConfirms checks that SendTo pays exactly the requested script
// and amount, and that one Generate confirms the payment: what chain tests
// rely on.
func TestSendToConfirms(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)
	require.EqualValues(t, regtest.SegwitHeight, btcd.BestHeight(t), "height after ActivateSegwit")

	key, err := btcec.NewPrivateKey()
	require.NoError(t, err)
	params := &chaincfg.RegressionNetParams
	p2wpkh, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), params)
	require.NoError(t, err)
	p2tr, err := btcutil.NewAddressTaproot(schnorr.SerializePubKey(key.PubKey()), params)
	require.NoError(t, err)
	p2pkh, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), params)
	require.NoError(t, err)

	tests := []struct {
		name   string
		addr   btcutil.Address
		amount btcutil.Amount
	}{
		{"p2wpkh", p2wpkh, 100_000},
		{"p2tr", p2tr, 50_000_000},
		{"p2pkh, several coinbases", p2pkh, 120 * btcutil.SatoshiPerBitcoin},
	}
	type sent struct {
		name     string
		pkScript []byte
		amount   btcutil.Amount
		txid     string
	}
	var sends []sent
	for _, tc := range tests {
		pkScript, err := txscript.PayToAddrScript(tc.addr)
		require.NoError(t, err)
		tx := btcd.SendTo(t, pkScript, tc.amount)
		require.Equal(t, tc.amount, btcutil.Amount(tx.TxOut[0].Value), "%s: output 0 value", tc.name)
		btcd.WaitMempoolTx(t, tx.TxHash())
		require.Zero(t, btcd.TxConfirmations(t, tx.TxHash()), "%s: confirmations before mining", tc.name)
		sends = append(sends, sent{tc.name, pkScript, tc.amount, tx.TxHash().String()})
	}

	btcd.Generate(t, 1)
	for _, s := range sends {
		var out struct {
			Confirmations int64   `json:"confirmations"`
			Value         float64 `json:"value"`
			ScriptPubKey  struct {
				Hex string `json:"hex"`
			} `json:"scriptPubKey"`
		}
		raw := btcd.RPC(t, "gettxout", s.txid, 0, false)
		require.NoError(t, json.Unmarshal(raw, &out), "%s: gettxout %s", s.name, raw)
		require.EqualValues(t, 1, out.Confirmations, "%s: gettxout confirmations", s.name)
		got, err := btcutil.NewAmount(out.Value)
		require.NoError(t, err)
		require.Equal(t, s.amount, got, "%s: gettxout value", s.name)
		require.Equal(t, hex.EncodeToString(s.pkScript), out.ScriptPubKey.Hex, "%s: gettxout script", s.name)
	}
}

// TestReorg splits two btcd nodes, mines a longer branch on one, joins them
// and checks that the other reorganizes to it: the recipe for chain tests.
func TestReorg(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	a := regtest.StartBtcd(t, regtest.BtcdOptions{})
	b := regtest.StartBtcd(t, regtest.BtcdOptions{})
	a.Connect(t, b)
	a.Generate(t, 5)
	a.WaitSyncedWith(t, b)

	a.Disconnect(t, b)
	staleTip := a.Generate(t, 2)[1]
	bTip := b.Generate(t, 3)[2]
	require.EqualValues(t, 7, a.BestHeight(t), "a's height after splitting")

	a.Connect(t, b)
	a.WaitSyncedWith(t, b)
	hash, height := a.BestBlock(t)
	require.Equal(t, bTip, hash, "a's tip is b's")
	require.EqualValues(t, 8, height)
	require.NotEqual(t, staleTip, hash, "a kept its stale branch")
}
