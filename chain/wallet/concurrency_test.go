package wallet

import (
	"context"
	"sync"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
)

// TestConcurrentUse calls the wallet from several goroutines while blocks
// arrive (run with -race).
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 21)
	var funds []*btcwire.MsgTx
	for i := range 20 {
		funds = append(funds, payTx(uint32(i+1), f.script(P2WPKH), 100_000))
	}
	f.mine(funds...)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 4 {
		wg.Go(func() {
			for range 5 {
				_, err := f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(20_000, otherScript)}, chain.TargetOutputSpending)
				errs <- err
				_ = f.w.Balance()
				_ = f.w.Transactions()
				_, _ = f.w.NewAddress(ctx, P2TR)
			}
		})
	}
	blocks := make([]*btcwire.MsgBlock, 10)
	heights := make([]int32, 10)
	for i := range blocks {
		blocks[i], heights[i] = f.chain.add(nil)
	}
	wg.Go(func() {
		for i, b := range blocks {
			f.w.BlockConnected(b, heights[i])
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// Twenty sends of one coin each at most: no coin was spent twice.
	spent := make(map[btcwire.OutPoint]bool)
	for _, tx := range f.bc.txs {
		for _, in := range tx.TxIn {
			require.False(t, spent[in.PreviousOutPoint])
			spent[in.PreviousOutPoint] = true
		}
	}
	require.Len(t, f.bc.txs, 20)
}
