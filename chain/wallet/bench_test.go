package wallet

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// BenchmarkScanBlock connects blocks of 2,000 transactions (two inputs, two
// P2WPKH outputs each, none the wallet's) to a wallet watching 10,000
// scripts.
func BenchmarkScanBlock(b *testing.B) {
	w, err := Open(context.Background(), Config{
		Seed: testSeed(50), Params: &chaincfg.RegressionNetParams, Store: persisttest.NewCrashStore(),
		Fees: fixedFees{rate: 253}, Broadcaster: &recorder{}, GapLimit: 2500,
		Entropy: keys.NewDeterministicEntropy([32]byte{50}),
	})
	require.NoError(b, err)
	require.Len(b, w.scripts, 10_000)
	r := rand.New(rand.NewPCG(1, 2))
	block := &btcwire.MsgBlock{}
	for i := range 2000 {
		tx := btcwire.NewMsgTx(2)
		for range 2 {
			var op btcwire.OutPoint
			for j := range op.Hash {
				op.Hash[j] = byte(r.Uint32())
			}
			tx.AddTxIn(btcwire.NewTxIn(&op, nil, btcwire.TxWitness{make([]byte, 72), make([]byte, 33)}))
		}
		for range 2 {
			script := append([]byte{0, 20}, make([]byte, 20)...)
			for j := 2; j < 22; j++ {
				script[j] = byte(r.Uint32())
			}
			tx.AddTxOut(btcwire.NewTxOut(int64(1000+i), script))
		}
		block.Transactions = append(block.Transactions, tx)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		block.Header.Nonce = uint32(i)
		block.Header.PrevBlock = w.best.Hash
		w.BlockConnected(block, w.best.Height+1)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
}

func benchmarkSelect(b *testing.B, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	coins := randomCoins(r, n)
	var total int64
	for _, c := range coins {
		total += c.Value
	}
	req := selectRequest{
		Target: total / 3, Rate: 2500, ChangeWeight: outputWeight(otherScript),
		ChangeSpendWeight: p2wpkhInputWeight, Dust: dustLimit(otherScript),
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, ok := selectCoins(coins, req); !ok {
			b.Fatal("no selection")
		}
	}
}

// BenchmarkCoinSelection1000 selects a third of 1,000 coins' value.
func BenchmarkCoinSelection1000(b *testing.B) { benchmarkSelect(b, 1000) }

// BenchmarkCoinSelection10000 selects a third of 10,000 coins' value.
func BenchmarkCoinSelection10000(b *testing.B) { benchmarkSelect(b, 10_000) }

// BenchmarkBuildSign10Inputs builds, signs (5 P2WPKH, 5 P2TR inputs),
// finalises and verifies a 10-input transaction.
func BenchmarkBuildSign10Inputs(b *testing.B) {
	f := newFixture(b, 51)
	var inputs []txInput
	for i := range 10 {
		ref := keyRef{Branch: branchWPKHReceive, Index: uint32(i)}
		if i%2 == 1 {
			ref.Branch = branchTRReceive
		}
		script, err := f.w.kc.script(ref)
		require.NoError(b, err)
		inputs = append(inputs, txInput{OutPoint: btcwire.OutPoint{Index: uint32(i)}, Value: 100_000,
			PkScript: script, Sequence: sequenceRBF, Wallet: true, Key: ref})
	}
	outputs := []*btcwire.TxOut{btcwire.NewTxOut(500_000, otherScript), btcwire.NewTxOut(490_000, otherScript)}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := f.w.buildAndSign(inputs, outputs, 0); err != nil {
			b.Fatal(err)
		}
	}
}
