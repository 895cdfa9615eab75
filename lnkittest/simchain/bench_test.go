package simchain_test

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/lnkittest/simchain"
)

// blockTxs is the number of transactions of a benchmark block.
const blockTxs = 2_000

// p2wpkhSpender builds blocks of signed one-input P2WPKH transactions, each
// spending an output of the previous block.
type p2wpkhSpender struct {
	key      *btcec.PrivateKey
	pkScript []byte
	coins    []prevOut
}

// newP2WPKHSpender funds blockTxs coins of one key on c.
func newP2WPKHSpender(b *testing.B, c *simchain.Chain) *p2wpkhSpender {
	b.Helper()
	key, _ := btcec.PrivKeyFromBytes([]byte("simchain benchmark key"))
	pkScript, err := txscript.NewScriptBuilder().AddOp(txscript.OP_0).
		AddData(btcutil.Hash160(key.PubKey().SerializeCompressed())).Script()
	require.NoError(b, err)
	outs := make([]*btcwire.TxOut, blockTxs)
	for i := range outs {
		outs[i] = btcwire.NewTxOut(1_000_000, pkScript)
	}
	tx, err := c.FundOutputs(outs...)
	require.NoError(b, err)
	s := &p2wpkhSpender{key: key, pkScript: pkScript}
	for i := range outs {
		s.coins = append(s.coins, outputOf(tx, i))
	}
	return s
}

// next returns blockTxs signed transactions spending the coins, which
// become their outputs.
func (s *p2wpkhSpender) next(b *testing.B) []*btcwire.MsgTx {
	b.Helper()
	txs := make([]*btcwire.MsgTx, len(s.coins))
	for i, coin := range s.coins {
		tx := btcwire.NewMsgTx(2)
		tx.AddTxIn(btcwire.NewTxIn(&coin.op, nil, nil))
		tx.AddTxOut(btcwire.NewTxOut(coin.out.Value-500, s.pkScript))
		fetcher := txscript.NewCannedPrevOutputFetcher(coin.out.PkScript, coin.out.Value)
		w, err := txscript.WitnessSignature(tx, txscript.NewTxSigHashes(tx, fetcher), 0, coin.out.Value,
			s.pkScript, txscript.SigHashAll, s.key, true)
		require.NoError(b, err)
		tx.TxIn[0].Witness = w
		txs[i] = tx
		s.coins[i] = outputOf(tx, 0)
	}
	return txs
}

// benchBlocks runs mine on a block's worth of freshly signed transactions
// per iteration, signing untimed, and reports blocks and transactions per
// second.
func benchBlocks(b *testing.B, mine func(c *simchain.Chain, txs []*btcwire.MsgTx)) {
	c := newChain(b)
	s := newP2WPKHSpender(b, c)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		txs := s.next(b)
		b.StartTimer()
		mine(c, txs)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
	b.ReportMetric(float64(b.N*blockTxs)/b.Elapsed().Seconds(), "txs/s")
}

// BenchmarkMineTx mines blocks of 2,000 signed P2WPKH transactions with
// MineTx: every input through txscript's engine. Signing is not timed.
func BenchmarkMineTx(b *testing.B) {
	benchBlocks(b, func(c *simchain.Chain, txs []*btcwire.MsgTx) {
		_, err := c.MineTx(txs...)
		require.NoError(b, err)
	})
}

// BenchmarkBroadcastMine broadcasts 2,000 signed P2WPKH transactions (the
// scripts are checked there) and mines them with Mine(1).
func BenchmarkBroadcastMine(b *testing.B) {
	benchBlocks(b, func(c *simchain.Chain, txs []*btcwire.MsgTx) {
		for _, tx := range txs {
			require.NoError(b, c.Broadcast(tx))
		}
		c.Mine(1)
	})
}

// BenchmarkReorg disconnects and reconnects a block of 2,000 transactions:
// Reorg(1, 1) returns them to the mempool (no script checks: they were
// checked), Mine(1) confirms them again.
func BenchmarkReorg(b *testing.B) {
	c := newChain(b)
	s := newP2WPKHSpender(b, c)
	_, err := c.MineTx(s.next(b)...)
	require.NoError(b, err)
	b.ResetTimer()
	for range b.N {
		_, err := c.Reorg(1, 0)
		require.NoError(b, err)
		c.Mine(1)
	}
}
