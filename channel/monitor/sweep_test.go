package monitor_test

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// openWallet opens a chain/wallet for s on the test chain, with s's
// channel signers.
func openWallet(t *testing.T, ch *testChannel, s *side, n byte) *wallet.Wallet {
	t.Helper()
	var seed keys.Seed
	for i := range seed {
		seed[i] = 100 + n + byte(i)
	}
	w, err := wallet.Open(context.Background(), wallet.Config{
		Seed: seed, Params: &chaincfg.RegressionNetParams, Store: persisttest.NewCrashStore(),
		Fees: &simchain.FeeEstimator{}, Broadcaster: ch.chain, Birthday: ch.chain.Tip(),
		Entropy: keys.NewDeterministicEntropy([32]byte{n}), Signers: s.signers(),
	})
	require.NoError(t, err)
	return w
}

// TestForceCloseWalletSweep: the descriptors the monitors emit are swept
// by chain/wallet's Sweep (which rebuilds each script from the channel keys
// and refuses a mismatch); the chain validates the sweeps and the wallets
// end with the claimed amounts minus the sweep fees, to the satoshi.
func TestForceCloseWalletSweep(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ch := newTestChannel(t, tc.typ)
			c := ch.chain
			wa, wb := openWallet(t, ch, ch.a, 1), openWallet(t, ch, ch.b, 2)
			c.Connect(ch.a.mon, ch.b.mon, wa, wb)
			tx, err := ch.a.mon.LatestHolderCommitmentTx(ch.a.signer)
			require.NoError(t, err)
			require.NoError(t, c.Broadcast(tx))
			got := map[*wallet.Wallet][]spendable.Output{}
			swept := map[*wallet.Wallet]btcutil.Amount{}
			for i := 0; i < aDelay+1; i++ {
				c.Mine(1)
				for w, s := range map[*wallet.Wallet]*side{wa: ch.a, wb: ch.b} {
					outs, _ := spendables(t, s.mon)
					if len(outs) == 0 {
						continue
					}
					require.Empty(t, got[w], "emitted once")
					got[w] = outs
					sw, err := w.Sweep(ctx, outs, chain.TargetOutputSpending)
					require.NoError(t, err)
					require.True(t, c.InMempool(sw.TxHash()))
					for _, o := range sw.TxOut {
						if w.IsMine(o.PkScript) {
							swept[w] += btcutil.Amount(o.Value)
						}
					}
				}
			}
			c.Mine(1)
			for _, w := range []*wallet.Wallet{wa, wb} {
				require.Len(t, got[w], 1)
				bal := w.Balance()
				require.Equal(t, swept[w], bal.Confirmed)
				require.Zero(t, bal.Unconfirmed)
				fee := btcutil.Amount(got[w][0].Value) - bal.Confirmed
				require.Positive(t, fee)
				require.Less(t, fee, btcutil.Amount(2_000), "sweep fee")
			}
			require.Equal(t, monitor.HolderCommitment, ch.a.mon.Spend().Kind)
		})
	}
}
