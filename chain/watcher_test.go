package chain_test

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/stretchr/testify/require"
)

// confirmCall is one recorded chain.Confirm call.
type confirmCall struct {
	kind   string // "confirmed", "unconfirmed", "best"
	txids  []chainhash.Hash
	height int32
	block  chainhash.Hash
}

// fakeConfirm is a chain.Confirm consumer in the style of a channel monitor: it
// tracks confirmed transactions and, when one confirms, registers its first
// output with the filter (so a spend in the same block must be reported).
type fakeConfirm struct {
	filter    chain.Filter
	calls     []confirmCall
	confirmed map[chainhash.Hash]chain.RelevantTx
}

// TransactionsConfirmed implements chain.Confirm.
func (f *fakeConfirm) TransactionsConfirmed(header *btcwire.BlockHeader, txdata []chain.TxData, height int32) {
	hash := header.BlockHash()
	call := confirmCall{kind: "confirmed", height: height, block: hash}
	for i, td := range txdata {
		if i > 0 && txdata[i-1].Index >= td.Index {
			panic("txdata out of block order")
		}
		id := td.Tx.TxHash()
		call.txids = append(call.txids, id)
		f.confirmed[id] = chain.RelevantTx{TxID: id, Height: height, BlockHash: &hash}
		if f.filter != nil && len(td.Tx.TxOut) > 0 {
			f.filter.RegisterOutput(chain.WatchedOutput{BlockHash: &hash, OutPoint: btcwire.OutPoint{Hash: id, Index: 0}, PkScript: td.Tx.TxOut[0].PkScript})
		}
	}
	f.calls = append(f.calls, call)
}

// TransactionUnconfirmed implements chain.Confirm.
func (f *fakeConfirm) TransactionUnconfirmed(txid chainhash.Hash) {
	delete(f.confirmed, txid)
	f.calls = append(f.calls, confirmCall{kind: "unconfirmed", txids: []chainhash.Hash{txid}})
}

// BestBlockUpdated implements chain.Confirm.
func (f *fakeConfirm) BestBlockUpdated(header *btcwire.BlockHeader, height int32) {
	f.calls = append(f.calls, confirmCall{kind: "best", height: height, block: header.BlockHash()})
}

// RelevantTransactions implements chain.Confirm.
func (f *fakeConfirm) RelevantTransactions() []chain.RelevantTx {
	out := make([]chain.RelevantTx, 0, len(f.confirmed))
	for _, rt := range f.confirmed {
		out = append(out, rt)
	}
	return out
}

// take returns and clears the calls.
func (f *fakeConfirm) take() []confirmCall {
	c := f.calls
	f.calls = nil
	return c
}

// spend returns a transaction spending op and paying script.
func spend(op btcwire.OutPoint, script []byte, value int64) *btcwire.MsgTx {
	tx := btcwire.NewMsgTx(2)
	tx.AddTxIn(btcwire.NewTxIn(&op, nil, nil))
	tx.AddTxOut(btcwire.NewTxOut(value, script))
	return tx
}

// TestWatcher drives a chain.Watcher through a chain.Poller on a fake chain: relevant
// transactions by script, txid and spent output, a spend of an output
// registered during the same block, and a reorganisation.
func TestWatcher(t *testing.T) {
	watchedScript := []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
	other := []byte{0x51}

	a := spend(btcwire.OutPoint{Hash: chainhash.Hash{0xaa}}, watchedScript, 1000) // pays the watched script
	b := spend(btcwire.OutPoint{Hash: a.TxHash()}, other, 900)                    // spends a:0, same block
	cTx := spend(btcwire.OutPoint{Hash: chainhash.Hash{0xcc}}, other, 500)        // registered by txid
	d := spend(btcwire.OutPoint{Hash: chainhash.Hash{0xdd}}, other, 400)          // unrelated
	watchedOut := btcwire.OutPoint{Hash: chainhash.Hash{0xee}, Index: 3}
	e := spend(watchedOut, other, 300) // spends a registered output

	fc := chaintest.NewChain()
	start := fc.Tip()
	h1 := fc.AddBlock(fc.Tip().Hash, d, cTx, a, b)
	fc.SetTip(h1)
	h2 := fc.AddBlock(h1, e)
	fc.SetTip(h2)

	conf := &fakeConfirm{confirmed: make(map[chainhash.Hash]chain.RelevantTx)}
	w := newWatcher(t, conf)
	conf.filter = w
	w.RegisterTx(chainhash.Hash{}, watchedScript)
	w.RegisterTx(cTx.TxHash(), nil)
	w.RegisterOutput(chain.WatchedOutput{OutPoint: watchedOut})

	p := newTestPoller(t, fc, nil)
	p.AddListener(w, start)
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, []confirmCall{
		{kind: "confirmed", txids: []chainhash.Hash{cTx.TxHash(), a.TxHash()}, height: 1, block: h1},
		{kind: "confirmed", txids: []chainhash.Hash{b.TxHash()}, height: 1, block: h1},
		{kind: "best", height: 1, block: h1},
		{kind: "confirmed", txids: []chainhash.Hash{e.TxHash()}, height: 2, block: h2},
		{kind: "best", height: 2, block: h2},
	}, conf.take())

	// Reorg: block 2 is replaced by an empty one.
	h2b := fc.Branch(h1, 2)
	fc.SetTip(h2b[1])
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, []confirmCall{
		{kind: "unconfirmed", txids: []chainhash.Hash{e.TxHash()}},
		{kind: "best", height: 1, block: h1},
		{kind: "best", height: 2, block: h2b[0]},
		{kind: "best", height: 3, block: h2b[1]},
	}, conf.take())
	require.NotContains(t, conf.confirmed, e.TxHash())
	require.Contains(t, conf.confirmed, a.TxHash())
}

// TestWatcherHeightOnlyRelevantTx checks a consumer that does not know
// block hashes: transactions at or above the disconnected height are
// unconfirmed.
func TestWatcherHeightOnlyRelevantTx(t *testing.T) {
	conf := &heightOnlyConfirm{txs: []chain.RelevantTx{
		{TxID: chainhash.Hash{1}, Height: 4},
		{TxID: chainhash.Hash{2}, Height: 5},
	}}
	w := newWatcher(t, conf)
	w.BlockDisconnected(&btcwire.BlockHeader{Nonce: 9}, 5)
	require.Equal(t, []chainhash.Hash{{2}}, conf.unconfirmed)
}

// heightOnlyConfirm reports relevant transactions without block hashes.
type heightOnlyConfirm struct {
	txs         []chain.RelevantTx
	unconfirmed []chainhash.Hash
}

func (h *heightOnlyConfirm) TransactionsConfirmed(*btcwire.BlockHeader, []chain.TxData, int32) {}
func (h *heightOnlyConfirm) TransactionUnconfirmed(txid chainhash.Hash) {
	h.unconfirmed = append(h.unconfirmed, txid)
}
func (h *heightOnlyConfirm) BestBlockUpdated(*btcwire.BlockHeader, int32) {}
func (h *heightOnlyConfirm) RelevantTransactions() []chain.RelevantTx     { return h.txs }
