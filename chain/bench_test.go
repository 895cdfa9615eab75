package chain_test

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/stretchr/testify/require"
)

// Benchmark shape: blocks of benchTxs transactions, a watch set of
// benchWatched outputs (benchHitsPerBlock of which each block spends).
const (
	benchTxs          = 2000
	benchWatched      = 1000
	benchBlocks       = 8
	benchHitsPerBlock = 4
)

// benchChain builds benchBlocks synthetic blocks of P2WPKH-like
// transactions (1-2 inputs with a 2-item witness, 2 outputs), and a watch
// set of outpoints; each block spends benchHitsPerBlock of them.
func benchChain(b *testing.B) (*chaintest.Chain, []chainhash.Hash, []btcwire.OutPoint) {
	b.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	randHash := func() (h chainhash.Hash) {
		for i := 0; i < 32; i += 8 {
			binary.LittleEndian.PutUint64(h[i:], rng.Uint64())
		}
		return h
	}
	watched := make([]btcwire.OutPoint, benchWatched)
	for i := range watched {
		watched[i] = btcwire.OutPoint{Hash: randHash(), Index: uint32(rng.IntN(3))}
	}
	sig := make([]byte, 72)
	pub := make([]byte, 33)
	script := func() []byte {
		s := make([]byte, 22)
		s[0], s[1] = 0x00, 0x14
		for i := 2; i < 22; i++ {
			s[i] = byte(rng.Uint32())
		}
		return s
	}
	c := chaintest.NewChain()
	var hashes []chainhash.Hash
	next := 0
	for range benchBlocks {
		txs := make([]*btcwire.MsgTx, benchTxs-1)
		for i := range txs {
			tx := btcwire.NewMsgTx(2)
			for range 1 + rng.IntN(2) {
				op := btcwire.OutPoint{Hash: randHash(), Index: uint32(rng.IntN(4))}
				tx.AddTxIn(btcwire.NewTxIn(&op, nil, btcwire.TxWitness{sig, pub}))
			}
			tx.AddTxOut(btcwire.NewTxOut(int64(rng.IntN(1e8)), script()))
			tx.AddTxOut(btcwire.NewTxOut(int64(rng.IntN(1e8)), script()))
			txs[i] = tx
		}
		for k := range benchHitsPerBlock {
			txs[(k+1)*benchTxs/(benchHitsPerBlock+1)].TxIn[0].PreviousOutPoint = watched[next]
			next++
		}
		h := c.AddBlock(c.Tip().Hash, txs...)
		c.SetTip(h)
		hashes = append(hashes, h)
	}
	return c, hashes, watched
}

// scanListener checks every input of every transaction against a watch set
// of outpoints, the plain chain.Listen way.
type scanListener struct {
	watch map[btcwire.OutPoint]struct{}
	hits  int
}

// BlockConnected implements chain.Listen.
func (s *scanListener) BlockConnected(block *btcwire.MsgBlock, _ int32) {
	for _, tx := range block.Transactions {
		for _, in := range tx.TxIn {
			if _, ok := s.watch[in.PreviousOutPoint]; ok {
				s.hits++
			}
		}
	}
}

// BlockDisconnected implements chain.Listen.
func (s *scanListener) BlockDisconnected(*btcwire.BlockHeader, int32) {}

// countingConfirm is a chain.Confirm that counts what it is told.
type countingConfirm struct{ confirmed, best int }

func (c *countingConfirm) TransactionsConfirmed(_ *btcwire.BlockHeader, txdata []chain.TxData, _ int32) {
	c.confirmed += len(txdata)
}
func (c *countingConfirm) TransactionUnconfirmed(chainhash.Hash)        {}
func (c *countingConfirm) BestBlockUpdated(*btcwire.BlockHeader, int32) { c.best++ }
func (c *countingConfirm) RelevantTransactions() []chain.RelevantTx     { return nil }

// BenchmarkPollerBlocks measures blocks delivered per second by a chain.Poller
// from an in-memory source to a listener watching 1,000 outputs, with blocks
// of 2,000 transactions. One op is one block (fetch, header-hash and merkle
// check, delivery, scan).
func BenchmarkPollerBlocks(b *testing.B) {
	c, hashes, watched := benchChain(b)
	genesis := c.BestBlockOf(c.At(0))

	cases := []struct {
		name       string
		skipMerkle bool
		listener   func() (chain.Listen, func() int)
	}{
		{name: "scan-listener", listener: func() (chain.Listen, func() int) {
			s := &scanListener{watch: make(map[btcwire.OutPoint]struct{}, len(watched))}
			for _, op := range watched {
				s.watch[op] = struct{}{}
			}
			return s, func() int { return s.hits }
		}},
		{name: "watcher-confirm", listener: func() (chain.Listen, func() int) {
			cc := &countingConfirm{}
			w := newWatcher(b, cc)
			for _, op := range watched {
				w.RegisterOutput(chain.WatchedOutput{OutPoint: op})
			}
			return w, func() int { return cc.confirmed }
		}},
		{name: "watcher-confirm-skip-merkle", skipMerkle: true, listener: func() (chain.Listen, func() int) {
			cc := &countingConfirm{}
			w := newWatcher(b, cc)
			for _, op := range watched {
				w.RegisterOutput(chain.WatchedOutput{OutPoint: op})
			}
			return w, func() int { return cc.confirmed }
		}},
		{name: "watcher-confirm-with-txids", listener: func() (chain.Listen, func() int) {
			cc := &countingConfirm{}
			w := newWatcher(b, cc)
			for i, op := range watched {
				if i%2 == 0 {
					w.RegisterOutput(chain.WatchedOutput{OutPoint: op})
				} else {
					w.RegisterTx(op.Hash, nil)
				}
			}
			return w, func() int { return cc.confirmed }
		}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			delivered := 0
			for delivered < b.N {
				n := min(benchBlocks, b.N-delivered)
				c.SetTip(hashes[n-1])
				l, hits := bc.listener()
				p, err := chain.NewPoller(chain.PollerConfig{Source: c, SkipMerkleCheck: bc.skipMerkle})
				require.NoError(b, err)
				p.AddListener(l, genesis)
				require.NoError(b, p.PollOnce(context.Background()))
				if bc.name != "watcher-confirm-with-txids" {
					require.Equal(b, n*benchHitsPerBlock, hits())
				}
				delivered += n
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
			b.ReportMetric(float64(b.N*benchTxs)/b.Elapsed().Seconds(), "txs/s")
		})
	}
}
