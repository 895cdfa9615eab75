package wallet

import (
	"context"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
)

// TestRandomHistory runs random receives, sends and reorganisations, then
// confirms every pending transaction, and checks the wallet against a
// wallet of the same seed that scans only the final chain: same coins,
// same balance, to the satoshi.
func TestRandomHistory(t *testing.T) {
	ctx := context.Background()
	r := newRand(t)
	var sends, reorgs int
	for round := range 8 {
		f := newFixture(t, byte(60+round))
		f.cfg.GapLimit = 50
		f.reopen()
		var pending []*btcwire.MsgTx // blocks to come include these
		seq := uint32(0)
		for step := 0; step < 60; step++ {
			switch op := r.IntN(10); {
			case op < 4: // a receive, mined with the next block
				seq++
				ty := P2WPKH
				if r.IntN(2) == 0 {
					ty = P2TR
				}
				pending = append(pending, payTx(seq, f.script(ty), 10_000+r.Int64N(1_000_000)))
			case op < 6: // a send
				amount := 5_000 + r.Int64N(300_000)
				tx, err := f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(amount, otherScript)}, chain.TargetOutputSpending)
				if err != nil {
					require.ErrorIs(t, err, ErrInsufficientFunds)
					continue
				}
				sends++
				if r.IntN(4) > 0 {
					pending = append(pending, tx)
				}
			case op < 9: // a block
				f.mine(pending...)
				pending = nil
			default: // a reorganisation of 1 to 3 blocks
				reorgs++
				for range 1 + r.IntN(3) {
					if len(f.chain.blocks) == 1 {
						break
					}
					b, h := f.chain.pop()
					f.w.BlockDisconnected(&b.Header, h)
				}
				pending = nil
			}
		}
		// Everything the wallet still considers pending confirms.
		f.mine(f.w.UnconfirmedTransactions()...)
		require.Empty(t, f.w.UnconfirmedTransactions())

		fresh := newFixture(t, byte(60+round))
		fresh.cfg.GapLimit = 50
		fresh.reopen()
		for h, b := range f.chain.blocks[1:] {
			fresh.w.BlockConnected(b, int32(h+1))
		}
		require.Equal(t, f.w.BestBlock(), fresh.w.BestBlock(), "round %d", round)
		require.Equal(t, fresh.w.Balance(), f.w.Balance(), "round %d", round)
		require.Equal(t, fresh.w.Coins(), f.w.Coins(), "round %d", round)

		// And a restart changes nothing.
		want := f.w.Coins()
		f.reopen()
		require.Equal(t, want, f.w.Coins())
	}
	require.Positive(t, sends)
	require.Positive(t, reorgs)
	t.Logf("%d sends, %d reorganisations", sends, reorgs)
}
