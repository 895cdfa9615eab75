package lnkittest_test

import (
	"slices"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/wire"
)

// cheatDelay is the to_self_delay b gives a in the tests where b's justice
// transaction waits: a may take its to_local cheatDelay blocks after its
// commitment confirmed.
const cheatDelay = 24

// withDelay returns Options whose nodes ask for cheatDelay.
func withDelay(seed uint64) lnkittest.Options {
	return lnkittest.Options{Seed: seed, UserConfig: func(*lnkittest.Node) channel.UserConfig {
		u := channel.DefaultUserConfig()
		u.Handshake.ToSelfDelay = cheatDelay
		return u
	}}
}

// justiceInMempool returns b's justice transactions, the whole mempool:
// the shared one (to_local, the HTLC a offered, second-stage outputs)
// first, then the one taking the HTLC a received (open to a's
// HTLC-success at once, claimed alone) if it is there.
func (c *cheat) justiceInMempool(t *testing.T) []*btcwire.MsgTx {
	t.Helper()
	pool := c.net.Chain.Mempool()
	require.NotEmpty(t, pool, "b's justice transactions")
	for _, tx := range pool {
		for _, o := range tx.TxOut {
			require.True(t, c.b.Wallet.IsMine(o.PkScript))
		}
	}
	slices.SortStableFunc(pool, func(x, y *btcwire.MsgTx) int { return len(y.TxIn) - len(x.TxIn) })
	return pool
}

// feeRate returns tx's fee rate (sat/kw), its inputs being outputs of
// confirmed transactions. The monitor counts the weight with the largest
// signatures and rounds the fee down: a rate it asked for is met to within
// a percent (atLeast).
func feeRate(t *testing.T, net *lnkittest.Network, tx *btcwire.MsgTx) wire.FeeRate {
	t.Helper()
	weight := int64(tx.SerializeSizeStripped())*3 + int64(tx.SerializeSize())
	return wire.FeeRate(int64(claimFee(t, net, tx)) * 1000 / weight)
}

// atLeast is rate less a percent (see feeRate).
func atLeast(rate wire.FeeRate) wire.FeeRate { return rate * 99 / 100 }

// TestJusticeFeeSpike: while a's miner leaves b's justice transaction
// out, fees spike: at the next block b replaces it at the new rate; inside
// SweepBumpWindow of a's to_local deadline, b raises the rate by a
// quarter at every block (the HTLC a received, claimed alone, at every
// block from the start). Once mined, b's wallet has everything but the
// fees, to the satoshi. The bumps go on until the rate makes the HTLC
// output not worth its input: the replacement still takes it (a
// replacement without it would pay less than the transaction it
// replaces, and the mempool would refuse it).
func TestJusticeFeeSpike(t *testing.T) {
	for _, typ := range cheatTypes {
		t.Run(typ.name, func(t *testing.T) {
			t.Parallel()
			c := cheatHistory(t, withDelay(33), typ.ct, bothUntil)
			h := c.revokedWithBoth(t)
			before := c.wallets()
			c.broadcast(t, h)
			c.net.Mine(1)
			breach := c.net.Chain.Tip().Height
			js := c.justiceInMempool(t)
			require.Len(t, js, 2)
			j, alone := js[0], js[1]
			require.Len(t, j.TxIn, 2, "to_local and the HTLC a offered")
			rate := feeRate(t, c.net, j)
			require.GreaterOrEqual(t, rate, atLeast(simchain.DefaultFeeRate))
			// The HTLC a received, open to its HTLC-success, is bumped at
			// every block; the shared transaction only near its deadline.
			c.mineTx(t)
			js = c.justiceInMempool(t)
			require.Equal(t, j.TxHash(), js[0].TxHash(), "the same transaction again")
			require.GreaterOrEqual(t, feeRate(t, c.net, js[1]), atLeast(feeRate(t, c.net, alone)*5/4), "the contested htlc bumped")

			c.net.Fees.SetTarget(chain.TargetUrgentSweep, 20_000)
			c.mineTx(t)
			j = c.justiceInMempool(t)[0]
			rate = feeRate(t, c.net, j)
			require.GreaterOrEqual(t, rate, atLeast(20_000), "replaced at the new rate")

			deadline := breach + cheatDelay - 1
			for c.net.Chain.Tip().Height < deadline-2 {
				c.mineTx(t)
				next := c.justiceInMempool(t)[0]
				r := feeRate(t, c.net, next)
				if deadline-c.net.Chain.Tip().Height > monitor.SweepBumpWindow {
					require.Equal(t, j.TxHash(), next.TxHash(), "height %d: no bump before the window", c.net.Chain.Tip().Height)
				} else {
					require.GreaterOrEqual(t, r, atLeast(rate*5/4), "height %d: a quarter more", c.net.Chain.Tip().Height)
				}
				j, rate = next, r
			}
			require.Len(t, j.TxIn, 2)
			c.net.Mine(1)
			require.Positive(t, c.net.Chain.Confirmations(j.TxHash()), "the last replacement confirmed")
			c.finish(t)
			r := c.requireJustice(t, h, before)
			t.Logf("commitment %d: %d sat, %d sat of fees in %d transactions, the justice at %d sat/kw", h.Number, r.in, r.fees, len(r.txs), rate)
			c.requireClosed(t)
		})
	}
}

// TestJusticeReorg: reorganisations during the resolution. The block of
// b's justice transaction leaves the chain (with fees risen since: b's
// monitor sees its outputs unclaimed again and replaces it at the new
// rate); the breach's block leaves too (both wait in the mempool and
// confirm together); a's miner replaces the justice block by one holding
// a's HTLC-success transaction (the justice transaction, conflicting, is
// dropped: b takes the second-stage output instead). Every time b's wallet
// ends with everything but the fees, to the satoshi.
func TestJusticeReorg(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reorg func(t *testing.T, c *cheat, h *lnkittest.HolderCommitment, justice []*btcwire.MsgTx)
	}{
		{"justice block", func(t *testing.T, c *cheat, _ *lnkittest.HolderCommitment, justice []*btcwire.MsgTx) {
			c.net.Fees.SetTarget(chain.TargetUrgentSweep, 10_000)
			c.net.Reorg(1, 1)
			again := c.justiceInMempool(t)
			require.Len(t, again, len(justice))
			for i, tx := range again {
				require.NotEqual(t, justice[i].TxHash(), tx.TxHash(), "built again at the new rate")
				require.GreaterOrEqual(t, feeRate(t, c.net, tx), atLeast(10_000))
			}
			c.net.Mine(1)
			for _, tx := range again {
				require.Positive(t, c.net.Chain.Confirmations(tx.TxHash()))
			}
		}},
		{"breach and justice blocks", func(t *testing.T, c *cheat, h *lnkittest.HolderCommitment, justice []*btcwire.MsgTx) {
			c.net.Reorg(2, 1)
			require.Len(t, c.net.Chain.Mempool(), 1+len(justice), "the commitment and the justice transactions")
			c.net.Mine(1)
			for _, tx := range justice {
				require.Equal(t, c.net.Chain.Confirmations(h.Tx.TxHash()), c.net.Chain.Confirmations(tx.TxHash()))
			}
		}},
		{"HTLC-success instead", func(t *testing.T, c *cheat, h *lnkittest.HolderCommitment, justice []*btcwire.MsgTx) {
			success, err := h.HTLCTx(c.received.Hash(), &c.received)
			require.NoError(t, err)
			_, err = c.net.Chain.ReorgBlocks(1, []*btcwire.MsgTx{success})
			require.NoError(t, err)
			// The claim of the HTLC conflicts with a's HTLC-success and
			// is gone; the shared one is back; the second-stage output
			// is claimed alone.
			again := c.justiceInMempool(t)
			require.Len(t, again, 2)
			require.Equal(t, justice[0].TxHash(), again[0].TxHash())
			require.Equal(t, btcwire.OutPoint{Hash: success.TxHash()}, again[1].TxIn[0].PreviousOutPoint)
			c.net.Mine(1)
			c.requireSpentByB(t, btcwire.OutPoint{Hash: success.TxHash()})
		}},
	} {
		for _, typ := range cheatTypes {
			t.Run(tc.name+"/"+typ.name, func(t *testing.T) {
				t.Parallel()
				c := cheatHistory(t, lnkittest.Options{Seed: 34}, typ.ct, bothUntil)
				h := c.revokedWithBoth(t)
				before := c.wallets()
				c.broadcast(t, h)
				c.net.Mine(1)
				justice := c.justiceInMempool(t)
				require.Len(t, justice, 2)
				c.net.Mine(1)
				for _, tx := range justice {
					require.Positive(t, c.net.Chain.Confirmations(tx.TxHash()))
				}
				tc.reorg(t, c, h, justice)
				c.finish(t)
				r := c.requireJustice(t, h, before)
				t.Logf("commitment %d: %d sat, %d sat of fees in %d transactions", h.Number, r.in, r.fees, len(r.txs))
				c.requireClosed(t)
			})
		}
	}
}

// TestJusticeAcrossRestart: b crashes during the resolution and restarts
// from its store, its ChainMonitor caught up with the blocks it missed:
// down when the breach confirms (it broadcasts its justice transaction
// once back); down while a's miner leaves the justice transaction out (it
// broadcasts the same one again); down when its justice transaction
// confirms (its wallet finds the output at the address it gave before the
// crash); down when a's HTLC-success confirms with the breach (it takes
// the second-stage output once back). b's wallet ends with everything but
// the fees, to the satoshi.
func TestJusticeAcrossRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, c *cheat, h *lnkittest.HolderCommitment)
	}{
		{"breach", func(t *testing.T, c *cheat, h *lnkittest.HolderCommitment) {
			c.net.Crash(c.b)
			c.broadcast(t, h)
			c.net.Mine(3)
			c.net.Restart(c.b)
			c.justiceInMempool(t)
			c.net.Mine(1)
		}},
		{"justice withheld", func(t *testing.T, c *cheat, h *lnkittest.HolderCommitment) {
			c.broadcast(t, h)
			c.net.Mine(1)
			justice := c.justiceInMempool(t)[0]
			c.net.Crash(c.b)
			c.mineTx(t)
			c.mineTx(t)
			c.net.Restart(c.b)
			require.Equal(t, justice.TxHash(), c.justiceInMempool(t)[0].TxHash(), "the shared one again")
			c.net.Mine(1)
			require.Positive(t, c.net.Chain.Confirmations(justice.TxHash()))
		}},
		{"justice confirms", func(t *testing.T, c *cheat, h *lnkittest.HolderCommitment) {
			c.broadcast(t, h)
			c.net.Mine(1)
			justice := c.justiceInMempool(t)
			c.net.Crash(c.b)
			c.net.Mine(2)
			for _, tx := range justice {
				require.Positive(t, c.net.Chain.Confirmations(tx.TxHash()))
			}
			c.net.Restart(c.b)
			require.Empty(t, c.net.Chain.Mempool())
		}},
		{"HTLC-success", func(t *testing.T, c *cheat, h *lnkittest.HolderCommitment) {
			success, err := h.HTLCTx(c.received.Hash(), &c.received)
			require.NoError(t, err)
			c.net.Crash(c.b)
			c.mineTx(t, h.Tx)
			c.mineTx(t, success)
			c.net.Restart(c.b)
			c.justiceInMempool(t)
			c.net.Mine(1)
			c.requireSpentByB(t, btcwire.OutPoint{Hash: success.TxHash()})
		}},
	} {
		for _, typ := range cheatTypes {
			t.Run(tc.name+"/"+typ.name, func(t *testing.T) {
				t.Parallel()
				c := cheatHistory(t, lnkittest.Options{Seed: 35}, typ.ct, bothUntil)
				h := c.revokedWithBoth(t)
				before := c.wallets()
				tc.run(t, c, h)
				c.net.Connect(c.a, c.b)
				c.finish(t)
				r := c.requireJustice(t, h, before)
				t.Logf("commitment %d: %d sat, %d sat of fees in %d transactions", h.Number, r.in, r.fees, len(r.txs))
				c.requireClosed(t)
			})
		}
	}
}
