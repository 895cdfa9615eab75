package wallet

import (
	"context"
	"encoding/binary"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/persist/persisttest"
	lnwire "github.com/lnkit/lnkit/wire"
)

// fixedFees is a chain.FeeEstimator answering one rate.
type fixedFees struct{ rate lnwire.FeeRate }

func (f fixedFees) FeeRate(context.Context, chain.ConfirmationTarget) (lnwire.FeeRate, error) {
	return f.rate, nil
}

// recorder is a chain.Broadcaster that keeps what it is given.
type recorder struct {
	mu  sync.Mutex
	txs []*btcwire.MsgTx
	err error
}

func (r *recorder) BroadcastTransactions(_ context.Context, txs ...*btcwire.MsgTx) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.txs = append(r.txs, txs...)
	return r.err
}

// testSeed returns a fixed seed numbered n.
func testSeed(n byte) keys.Seed {
	var s keys.Seed
	for i := range s {
		s[i] = n + byte(i)
	}
	return s
}

// fixture is a wallet on an in-memory chain.
type fixture struct {
	t     testing.TB
	cfg   Config
	store *persisttest.CrashStore
	bc    *recorder
	w     *Wallet
	chain *fakeChain
}

// newFixture opens a regtest wallet of seed n at the tip of a fresh fake
// chain (height 0).
func newFixture(t testing.TB, n byte) *fixture {
	t.Helper()
	f := &fixture{t: t, store: persisttest.NewCrashStore(), bc: &recorder{}, chain: newFakeChain()}
	mgr := keys.NewManager(testSeed(n), keys.Config{})
	f.cfg = Config{
		Seed:        testSeed(n),
		Params:      &chaincfg.RegressionNetParams,
		Store:       f.store,
		Fees:        fixedFees{rate: 1000},
		Broadcaster: f.bc,
		Entropy:     keys.NewDeterministicEntropy([32]byte{n}),
		Signers: func(id [32]byte) (spendable.Signer, error) {
			return mgr.ChannelKeys(id), nil
		},
	}
	f.reopen()
	return f
}

// reopen opens the wallet again from the store (a restart).
func (f *fixture) reopen() {
	f.t.Helper()
	// A crash keeps only what the wallet made durable.
	f.store = f.store.Crash()
	f.cfg.Store = f.store
	w, err := Open(context.Background(), f.cfg)
	require.NoError(f.t, err)
	f.w = w
}

// address returns a new wallet script of type t.
func (f *fixture) script(t AddressType) []byte {
	f.t.Helper()
	addr, err := f.w.NewAddress(context.Background(), t)
	require.NoError(f.t, err)
	s, err := txscript.PayToAddrScript(addr)
	require.NoError(f.t, err)
	return s
}

// mine connects a block with txs to the wallet and returns it.
func (f *fixture) mine(txs ...*btcwire.MsgTx) *btcwire.MsgBlock {
	f.t.Helper()
	b, h := f.chain.add(nil, txs...)
	f.w.BlockConnected(b, h)
	return b
}

// mineEmpty connects n empty blocks.
func (f *fixture) mineEmpty(n int) {
	for range n {
		f.mine()
	}
}

// fakeChain builds blocks (no proof of work) for unit tests.
type fakeChain struct {
	blocks []*btcwire.MsgBlock
	n      uint32
}

func newFakeChain() *fakeChain {
	return &fakeChain{blocks: []*btcwire.MsgBlock{chaincfg.RegressionNetParams.GenesisBlock}}
}

// add appends a block whose coinbase pays coinbaseScript (or nothing
// useful) and returns it with its height.
func (c *fakeChain) add(coinbaseScript []byte, txs ...*btcwire.MsgTx) (*btcwire.MsgBlock, int32) {
	c.n++
	height := int32(len(c.blocks))
	cb := btcwire.NewMsgTx(1)
	var sig [8]byte
	binary.BigEndian.PutUint32(sig[:], uint32(height))
	binary.BigEndian.PutUint32(sig[4:], c.n)
	cb.AddTxIn(btcwire.NewTxIn(btcwire.NewOutPoint(&chainhash.Hash{}, btcwire.MaxPrevOutIndex), sig[:], nil))
	if coinbaseScript == nil {
		coinbaseScript = []byte{txscript.OP_TRUE}
	}
	cb.AddTxOut(btcwire.NewTxOut(50*btcutil.SatoshiPerBitcoin, coinbaseScript))
	prev := c.blocks[len(c.blocks)-1].Header.BlockHash()
	b := btcwire.NewMsgBlock(btcwire.NewBlockHeader(4, &prev, &chainhash.Hash{}, 0x207fffff, c.n))
	_ = b.AddTransaction(cb)
	for _, tx := range txs {
		_ = b.AddTransaction(tx)
	}
	c.blocks = append(c.blocks, b)
	return b, height
}

// pop removes the tip and returns it with its height.
func (c *fakeChain) pop() (*btcwire.MsgBlock, int32) {
	b := c.blocks[len(c.blocks)-1]
	c.blocks = c.blocks[:len(c.blocks)-1]
	return b, int32(len(c.blocks))
}

// payTx returns a transaction from a foreign (made up) input paying
// values to script.
func payTx(seq uint32, script []byte, values ...int64) *btcwire.MsgTx {
	tx := btcwire.NewMsgTx(2)
	var h chainhash.Hash
	binary.BigEndian.PutUint32(h[:], seq)
	h[31] = 0xee
	tx.AddTxIn(btcwire.NewTxIn(btcwire.NewOutPoint(&h, 0), nil, nil))
	for _, v := range values {
		tx.AddTxOut(btcwire.NewTxOut(v, script))
	}
	return tx
}

// verifyTx checks every input of tx with txscript's engine against prevOuts.
func verifyTx(t *testing.T, tx *btcwire.MsgTx, prevOuts map[btcwire.OutPoint]*btcwire.TxOut) {
	t.Helper()
	fetcher := txscript.NewMultiPrevOutFetcher(prevOuts)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, in := range tx.TxIn {
		prev := prevOuts[in.PreviousOutPoint]
		require.NotNil(t, prev, "input %d", i)
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetcher)
		require.NoError(t, err)
		require.NoError(t, vm.Execute(), "input %d", i)
	}
}

// prevOutsOf returns the outputs of txs by outpoint.
func prevOutsOf(txs ...*btcwire.MsgTx) map[btcwire.OutPoint]*btcwire.TxOut {
	m := make(map[btcwire.OutPoint]*btcwire.TxOut)
	for _, tx := range txs {
		h := tx.TxHash()
		for i, o := range tx.TxOut {
			m[btcwire.OutPoint{Hash: h, Index: uint32(i)}] = o
		}
	}
	return m
}
