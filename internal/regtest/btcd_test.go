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
	if h := btcd.BestHeight(t); h != regtest.SegwitHeight {
		t.Fatalf("height after ActivateSegwit = %d, want %d", h, regtest.SegwitHeight)
	}

	key, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	params := &chaincfg.RegressionNetParams
	p2wpkh, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), params)
	if err != nil {
		t.Fatal(err)
	}
	p2tr, err := btcutil.NewAddressTaproot(schnorr.SerializePubKey(key.PubKey()), params)
	if err != nil {
		t.Fatal(err)
	}
	p2pkh, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), params)
	if err != nil {
		t.Fatal(err)
	}

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
		if err != nil {
			t.Fatal(err)
		}
		tx := btcd.SendTo(t, pkScript, tc.amount)
		if got := btcutil.Amount(tx.TxOut[0].Value); got != tc.amount {
			t.Fatalf("%s: output 0 value = %v, want %v", tc.name, got, tc.amount)
		}
		btcd.WaitMempoolTx(t, tx.TxHash())
		if c := btcd.TxConfirmations(t, tx.TxHash()); c != 0 {
			t.Fatalf("%s: %d confirmations before mining, want 0", tc.name, c)
		}
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
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: gettxout %s: %v", s.name, raw, err)
		}
		if out.Confirmations != 1 {
			t.Errorf("%s: gettxout confirmations = %d, want 1", s.name, out.Confirmations)
		}
		if got, err := btcutil.NewAmount(out.Value); err != nil || got != s.amount {
			t.Errorf("%s: gettxout value = %v (%v), want %v", s.name, got, err, s.amount)
		}
		if out.ScriptPubKey.Hex != hex.EncodeToString(s.pkScript) {
			t.Errorf("%s: gettxout script = %s, want %x", s.name, out.ScriptPubKey.Hex, s.pkScript)
		}
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
	if h := a.BestHeight(t); h != 7 {
		t.Fatalf("a at height %d after splitting, want 7", h)
	}

	a.Connect(t, b)
	a.WaitSyncedWith(t, b)
	hash, height := a.BestBlock(t)
	if hash != bTip || height != 8 {
		t.Fatalf("a's tip = %d %v, want b's %d %v", height, hash, 8, bTip)
	}
	if hash == staleTip {
		t.Fatal("a kept its stale branch")
	}
}
