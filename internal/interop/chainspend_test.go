package interop

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
)

// btcAmount converts satoshis to btcutil.Amount.
func btcAmount(sat int64) btcutil.Amount { return btcutil.Amount(sat) }

// getTx returns a transaction btcd knows (mempool or chain, --txindex).
func getTx(t *testing.T, btcd *regtest.Btcd, txid string) *btcwire.MsgTx {
	t.Helper()
	var raw string
	res := btcd.RPC(t, "getrawtransaction", txid, 0)
	require.NoError(t, json.Unmarshal(res, &raw))
	b, err := hex.DecodeString(raw)
	require.NoError(t, err)
	var tx btcwire.MsgTx
	require.NoError(t, tx.Deserialize(bytes.NewReader(b)))
	return &tx
}

// mempoolSpender returns the transaction of btcd's mempool that spends op,
// if any.
func mempoolSpender(t *testing.T, btcd *regtest.Btcd, op btcwire.OutPoint) (*btcwire.MsgTx, bool) {
	t.Helper()
	var txids []string
	require.NoError(t, json.Unmarshal(btcd.RPC(t, "getrawmempool"), &txids))
	for _, id := range txids {
		tx := getTx(t, btcd, id)
		for _, in := range tx.TxIn {
			if in.PreviousOutPoint == op {
				return tx, true
			}
		}
	}
	return nil, false
}

// recentSpender returns the transaction spending op in btcd's mempool or
// in one of the last `depth` blocks, if any: a spend broadcast just before
// the test mined is found either way.
func recentSpender(t *testing.T, btcd *regtest.Btcd, op btcwire.OutPoint, depth int32) (*btcwire.MsgTx, bool) {
	t.Helper()
	if tx, ok := mempoolSpender(t, btcd, op); ok {
		return tx, true
	}
	_, tip := btcd.BestBlock(t)
	for _, tx := range blockTxs(t, btcd, max(tip-depth+1, 1)) {
		for _, in := range tx.TxIn {
			if in.PreviousOutPoint == op {
				return tx, true
			}
		}
	}
	return nil, false
}

// blockTxs returns the transactions of btcd's best chain from height from
// to the tip, in order.
func blockTxs(t *testing.T, btcd *regtest.Btcd, from int32) []*btcwire.MsgTx {
	t.Helper()
	_, tip := btcd.BestBlock(t)
	var txs []*btcwire.MsgTx
	for h := from; h <= tip; h++ {
		var hash, raw string
		require.NoError(t, json.Unmarshal(btcd.RPC(t, "getblockhash", h), &hash))
		require.NoError(t, json.Unmarshal(btcd.RPC(t, "getblock", hash, 0), &raw))
		b, err := hex.DecodeString(raw)
		require.NoError(t, err)
		var block btcwire.MsgBlock
		require.NoError(t, block.Deserialize(bytes.NewReader(b)))
		txs = append(txs, block.Transactions...)
	}
	return txs
}

// waitSpender waits until a transaction spending op is in btcd's mempool.
func waitSpender(t *testing.T, btcd *regtest.Btcd, op btcwire.OutPoint, what string) *btcwire.MsgTx {
	t.Helper()
	var tx *btcwire.MsgTx
	regtest.WaitFor(t, what+" (a spend of "+op.String()+") in btcd's mempool", func() (bool, string) {
		var ok bool
		tx, ok = mempoolSpender(t, btcd, op)
		return ok, ""
	})
	return tx
}

// outPoint parses "txid:index".
func outPoint(t *testing.T, s string) btcwire.OutPoint {
	t.Helper()
	op, err := btcwire.NewOutPointFromString(s)
	require.NoError(t, err, s)
	return *op
}

// fundingOutPoint returns the funding outpoint of a channel from its txid
// and output index.
func fundingOutPoint(t *testing.T, txid string, index uint32) btcwire.OutPoint {
	t.Helper()
	h, err := chainhash.NewHashFromStr(txid)
	require.NoError(t, err)
	return btcwire.OutPoint{Hash: *h, Index: index}
}

// txFee returns the fee of tx: its inputs (looked up in btcd) less its
// outputs.
func txFee(t *testing.T, btcd *regtest.Btcd, tx *btcwire.MsgTx) int64 {
	t.Helper()
	var in, out int64
	for _, txIn := range tx.TxIn {
		prev := getTx(t, btcd, txIn.PreviousOutPoint.Hash.String())
		in += prev.TxOut[txIn.PreviousOutPoint.Index].Value
	}
	for _, o := range tx.TxOut {
		out += o.Value
	}
	return in - out
}

// outputsTotal sums tx's outputs.
func outputsTotal(tx *btcwire.MsgTx) int64 {
	var s int64
	for _, o := range tx.TxOut {
		s += o.Value
	}
	return s
}

// describeTx renders a transaction's outputs for failure messages.
func describeTx(tx *btcwire.MsgTx) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:", tx.TxHash())
	for i, o := range tx.TxOut {
		fmt.Fprintf(&b, " [%d] %d sat %x", i, o.Value, o.PkScript)
	}
	return b.String()
}
