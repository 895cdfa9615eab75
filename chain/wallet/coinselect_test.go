package wallet

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	lnwire "github.com/lnkit/lnkit/wire"
)

// randomCoins returns n coins of random values (log-uniform from 1,000 sat
// to 10 BTC) and input weights.
func randomCoins(r *rand.Rand, n int) []candidate {
	coins := make([]candidate, n)
	for i := range coins {
		var h chainhash.Hash
		binary.BigEndian.PutUint64(h[:8], r.Uint64())
		exp := 3 + r.Float64()*6
		v := int64(1)
		for range int(exp) {
			v *= 10
		}
		v += r.Int64N(v)
		wt := int64(p2wpkhInputWeight)
		if r.IntN(2) == 0 {
			wt = p2trInputWeight
		}
		coins[i] = candidate{OutPoint: btcwire.OutPoint{Hash: h, Index: uint32(i)}, Value: v, Weight: wt}
	}
	return coins
}

func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	return rand.New(rand.NewPCG(uint64(len(t.Name())), 42))
}

func TestCoinSelectionProperties(t *testing.T) {
	r := newRand(t)
	for iter := 0; iter < 2000; iter++ {
		coins := randomCoins(r, 1+r.IntN(60))
		rate := lnwire.FeeRate(253 + r.IntN(20_000))
		amount := r.Int64N(5 * 100_000_000)
		base := int64(txOverheadWeight) + outputWeight(otherScript)
		req := selectRequest{
			Target:            amount + feeFor(rate, base),
			Rate:              rate,
			ChangeWeight:      outputWeight(otherScript),
			ChangeSpendWeight: p2wpkhInputWeight,
			Dust:              dustLimit(otherScript),
			ForceChange:       r.IntN(10) == 0,
		}
		sel, available, ok := selectCoins(coins, req)
		if !ok {
			require.Less(t, available, req.Target+feeFor(rate, req.ChangeWeight)+req.Dust, "iter %d: refused while enough was available", iter)
			continue
		}
		seen := make(map[btcwire.OutPoint]bool)
		var in, weight int64 = 0, base
		for _, c := range sel.Coins {
			require.False(t, seen[c.OutPoint], "coin selected twice")
			seen[c.OutPoint] = true
			in += c.Value
			weight += c.Weight
		}
		var inAll int64
		for _, c := range coins {
			inAll += c.Value
		}
		require.LessOrEqual(t, in, inAll, "never more than the inputs")
		// Change is never dust, and present when forced.
		if sel.Change != 0 || req.ForceChange {
			require.GreaterOrEqual(t, sel.Change, req.Dust, "iter %d", iter)
			weight += req.ChangeWeight
		}
		fee := in - amount - sel.Change
		need := feeFor(rate, weight)
		require.GreaterOrEqual(t, fee+int64(len(sel.Coins))+2, need, "iter %d: fee below the rate", iter)
		costOfChange := feeFor(rate, req.ChangeWeight) + feeFor(rate, req.ChangeSpendWeight)
		require.LessOrEqual(t, fee, need+costOfChange+req.Dust+int64(len(sel.Coins))+2, "iter %d: fee above the band", iter)
	}
}

// TestBranchAndBoundExact: when a subset hits the target exactly and the
// window is zero, branch and bound finds one.
func TestBranchAndBoundExact(t *testing.T) {
	r := newRand(t)
	for iter := 0; iter < 500; iter++ {
		coins := randomCoins(r, 2+r.IntN(12))
		rate := lnwire.FeeRate(253 + r.IntN(5000))
		var target int64
		for _, c := range coins {
			if r.IntN(2) == 0 && effective(c, rate) > 0 {
				target += effective(c, rate)
			}
		}
		if target == 0 {
			continue
		}
		sel, _, ok := selectCoins(coins, selectRequest{Target: target, Rate: rate, Dust: 1 << 40})
		require.True(t, ok)
		require.Zero(t, sel.Change)
		// With window = cost of change (0 here as weights are 0) the
		// match is exact.
		pool := make([]candidate, 0, len(coins))
		for _, c := range coins {
			if effective(c, rate) > 0 {
				pool = append(pool, c)
			}
		}
		sortCandidates(pool, rate)
		exact, ok := branchAndBound(pool, rate, target, 0)
		require.True(t, ok, "iter %d", iter)
		require.Zero(t, exact.Excess)
	}
}

// TestWalletSendProperties funds random wallets and checks the signed
// transactions: valid, fee at least the rate and within the band, change
// never dust.
func TestWalletSendProperties(t *testing.T) {
	ctx := context.Background()
	r := newRand(t)
	for iter := 0; iter < 15; iter++ {
		f := newFixture(t, byte(100+iter))
		rate := lnwire.FeeRate(253 + r.IntN(10_000))
		f.w.cfg.Fees = fixedFees{rate: rate}
		var funds []*btcwire.MsgTx
		for i := range 1 + r.IntN(12) {
			ty := P2WPKH
			if r.IntN(2) == 0 {
				ty = P2TR
			}
			funds = append(funds, payTx(uint32(i+1), f.script(ty), 5_000+r.Int64N(2_000_000)))
		}
		f.mine(funds...)
		total := f.w.Balance().Confirmed
		amount := 1000 + r.Int64N(int64(total))
		tx, err := f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(amount, otherScript)}, chain.TargetOutputSpending)
		if err != nil {
			require.ErrorIs(t, err, ErrInsufficientFunds, "iter %d", iter)
			continue
		}
		prev := prevOutsOf(funds...)
		verifyTx(t, tx, prev)
		var in, out int64
		for _, txin := range tx.TxIn {
			in += prev[txin.PreviousOutPoint].Value
		}
		for _, o := range tx.TxOut {
			out += o.Value
			if f.w.IsMine(o.PkScript) {
				require.GreaterOrEqual(t, o.Value, dustLimit(o.PkScript))
			}
		}
		fee := in - out
		weight := int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
		require.GreaterOrEqual(t, fee, feeFor(rate, weight), "iter %d", iter)
		band := feeFor(rate, outputWeight(otherScript)+p2wpkhInputWeight) + dustLimit(otherScript) + feeFor(rate, 8*int64(len(tx.TxIn))+40)
		require.LessOrEqual(t, fee, feeFor(rate, weight)+band, "iter %d", iter)
	}
}
