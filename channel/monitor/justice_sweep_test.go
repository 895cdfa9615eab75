package monitor_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist/persisttest"
	lnwire "github.com/lnkit/lnkit/wire"
)

// settableFees is a chain.FeeEstimator answering one rate for every
// target, changed by the test.
type settableFees struct {
	mu   sync.Mutex
	rate lnwire.FeeRate
}

func (f *settableFees) FeeRate(context.Context, chain.ConfirmationTarget) (lnwire.FeeRate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rate, nil
}

func (f *settableFees) set(r lnwire.FeeRate) {
	f.mu.Lock()
	f.rate = r
	f.mu.Unlock()
}

// justiceRig is a channel whose B watches the chain through a ChainMonitor
// that sweeps, over a crash store; A holds revoked commitments with HTLCs.
type justiceRig struct {
	ch     *testChannel
	fees   *settableFees
	store  *persisttest.CrashStore
	cm     *monitor.ChainMonitor
	dest   []byte
	hs     []breachHTLC
	states map[uint64]*commit.State
	stop   func()
}

func newJusticeRig(t testing.TB, typ commit.ChannelType) *justiceRig {
	t.Helper()
	return newJusticeRigHTLCs(t, newTestChannel(t, typ), breachHTLCs())
}

// newJusticeRigHTLCs is newJusticeRig on ch with the HTLCs hs.
func newJusticeRigHTLCs(t testing.TB, ch *testChannel, hs []breachHTLC) *justiceRig {
	t.Helper()
	r := &justiceRig{ch: ch, fees: &settableFees{rate: 1000}, hs: hs,
		dest: commit.P2WPKH(ch.b.signer.Basepoints().PaymentBasepoint)}
	r.states = advanceB(t, ch, 3, r.hs)
	r.store = persisttest.NewCrashStore()
	r.cm = r.sweepingMonitor(t, newKV(t, r.store, 1000))
	require.Equal(t, monitor.Completed, r.cm.WatchChannel(ch.b.mon.ChannelID(), ch.b.mon))
	r.stop = ch.chain.Connect(r.cm)
	return r
}

func (r *justiceRig) sweepingMonitor(t testing.TB, p monitor.Persister) *monitor.ChainMonitor {
	t.Helper()
	cm, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: p, UpdatesWithChannel: true, Sweep: &monitor.SweepConfig{
		Broadcaster: r.ch.chain, Fees: r.fees,
		Signers:     func(id [32]byte) (monitor.ClaimSigner, error) { return r.ch.b.mgr.ChannelKeys(id), nil },
		Destination: func() ([]byte, error) { return r.dest, nil },
	}})
	require.NoError(t, err)
	return cm
}

// restart crashes B's store and watches the chain again from what it kept.
func (r *justiceRig) restart(t *testing.T) {
	t.Helper()
	r.stop()
	store, ms := reload(t, r.store)
	require.Len(t, ms, 1)
	r.store = store
	r.cm = r.sweepingMonitor(t, newKV(t, store, 1000))
	require.NoError(t, r.cm.Restore(ms[0]))
	r.ch.b.mon = ms[0]
	r.stop = r.ch.chain.Connect(r.cm)
}

// justiceInPool returns the mempool's transactions paying B's
// destination.
func (r *justiceRig) justiceInPool(t *testing.T) []*btcwire.MsgTx {
	t.Helper()
	var found []*btcwire.MsgTx
	for _, tx := range r.ch.chain.Mempool() {
		if len(tx.TxOut) == 1 && string(tx.TxOut[0].PkScript) == string(r.dest) {
			found = append(found, tx)
		}
	}
	return found
}

// justiceOf returns the mempool's justice transaction taking the breach's
// output of kind, or nil.
func (r *justiceRig) justiceOf(t *testing.T, kind monitor.RevokedKind) *btcwire.MsgTx {
	t.Helper()
	var found *btcwire.MsgTx
	for _, o := range r.ch.b.mon.Breach().Outputs {
		if o.Kind != kind {
			continue
		}
		for _, tx := range r.justiceInPool(t) {
			for _, in := range tx.TxIn {
				if in.PreviousOutPoint == o.OutPoint {
					require.Nil(t, found, "one justice transaction takes %v", kind)
					found = tx
				}
			}
		}
	}
	return found
}

// inputs counts the inputs of txs.
func inputs(txs []*btcwire.MsgTx) int {
	n := 0
	for _, tx := range txs {
		n += len(tx.TxIn)
	}
	return n
}

// requireAllTaken checks every revoked output of the breach is spent by a
// transaction paying B's destination and that those pay what the outputs
// held less their fees, to the satoshi.
func (r *justiceRig) requireAllTaken(t *testing.T, taken lnwire.Satoshi, justice ...*btcwire.MsgTx) {
	t.Helper()
	b := r.ch.b.mon.Breach()
	var in, out int64
	for _, tx := range justice {
		require.Positive(t, r.ch.chain.Confirmations(tx.TxHash()))
		out += tx.TxOut[0].Value
		for _, txin := range tx.TxIn {
			for _, o := range b.Outputs {
				if o.OutPoint == txin.PreviousOutPoint {
					in += int64(o.Value)
				}
			}
		}
	}
	require.Equal(t, int64(taken), in, "every revoked output taken")
	require.Less(t, out, in)
	weight := int64(0)
	for _, tx := range justice {
		weight += int64(tx.SerializeSizeStripped())*3 + int64(tx.SerializeSize())
	}
	require.GreaterOrEqual(t, in-out, int64(lnwire.FeeRateFloor)*weight/1000)
}

// breachValue is the value of the breach's outputs but those at skip.
func (r *justiceRig) breachValue(skip ...btcwire.OutPoint) lnwire.Satoshi {
	var v lnwire.Satoshi
	for _, o := range r.ch.b.mon.Breach().Outputs {
		if !slices.Contains(skip, o.OutPoint) {
			v += o.Value
		}
	}
	return v
}

// TestJusticeSweeper: A broadcasts its revoked commitment; B's
// ChainMonitor broadcasts the justice transaction at the next block, it
// confirms and takes to_local and both HTLCs; nothing more is broadcast
// after. Both channel types.
func TestJusticeSweeper(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			r := newJusticeRig(t, tc.typ)
			rc := signedCommitmentA(t, r.ch, r.states[2])
			c := r.ch.chain
			require.NoError(t, c.Broadcast(rc.tx))
			c.Mine(1)
			// to_local and the HTLC A offered (it cannot time it out
			// for many blocks) together; the HTLC A received (it may
			// claim it with the preimage at once) alone.
			js := r.justiceInPool(t)
			require.Len(t, js, 2)
			require.Equal(t, 3, inputs(js))
			shared := r.justiceOf(t, monitor.RevokedToLocal)
			require.Len(t, shared.TxIn, 2)
			require.Same(t, shared, r.justiceOf(t, monitor.RevokedOfferedHTLC))
			require.Len(t, r.justiceOf(t, monitor.RevokedReceivedHTLC).TxIn, 1)
			revoked := lnwire.Satoshi(0)
			for _, b := range r.cm.ClaimableBalances() {
				if b.Kind == monitor.BalanceRevokedOutput {
					revoked += b.Amount
				}
			}
			c.Mine(1)
			all := r.breachValue()
			r.requireAllTaken(t, all, js...)
			require.Equal(t, all, revoked, "the revoked outputs were balances")
			c.Mine(monitor.AntiReorgDelay)
			require.Empty(t, r.justiceInPool(t))
			require.Empty(t, r.cm.ClaimableBalances(), "fully resolved")
		})
	}
}

// TestJusticeRace: the cheater's HTLC-success transaction confirms in the
// block of its revoked commitment: B takes to_local, the other HTLC and
// the HTLC-success output.
func TestJusticeRace(t *testing.T) {
	r := newJusticeRig(t, commit.StaticRemoteKey)
	rc := signedCommitmentA(t, r.ch, r.states[1])
	c := r.ch.chain
	success := rc.htlcSuccess(t, r.hs[1].preimage)
	_, err := c.MineTx(rc.tx, success)
	require.NoError(t, err)
	js := r.justiceInPool(t)
	require.Len(t, js, 1, "what is left shares one transaction")
	require.Len(t, js[0].TxIn, 3)
	c.Mine(1)
	r.requireAllTaken(t, r.breachValue(success.TxIn[0].PreviousOutPoint), js...)
}

// TestJusticeBumpAndRestart: the justice transactions do not confirm
// (blocks without them). The shared one (to_local and the HTLC A offered)
// is rebroadcast unchanged until its deadline is SweepBumpWindow blocks
// away, then replaced at every block with a fee rate a quarter higher (at
// least MinRelayFeeIncrement), or the estimator's when it spikes; the one
// taking the HTLC A received, open to A's HTLC-success at once, is bumped
// at every block from the start. A crash and restart before and inside
// the window keeps the rates (a lower one would not replace the
// transaction in the mempool); once mined, everything is taken.
func TestJusticeBumpAndRestart(t *testing.T) {
	r := newJusticeRig(t, commit.AnchorsZeroFeeHTLC)
	rc := signedCommitmentA(t, r.ch, r.states[2])
	c := r.ch.chain
	_, err := c.MineTx(rc.tx)
	require.NoError(t, err)
	breachHeight := c.Tip().Height
	deadline := breachHeight + aDelay - 1
	first := r.justiceOf(t, monitor.RevokedToLocal)
	require.NotNil(t, first)
	fee := func(tx *btcwire.MsgTx) int64 {
		var in int64
		for _, txin := range tx.TxIn {
			for _, o := range r.ch.b.mon.Breach().Outputs {
				if o.OutPoint == txin.PreviousOutPoint {
					in += int64(o.Value)
				}
			}
		}
		return in - tx.TxOut[0].Value
	}
	last, lastAlone := first, r.justiceOf(t, monitor.RevokedReceivedHTLC)
	require.NotNil(t, lastAlone)
	for c.Tip().Height < deadline-1 {
		if h := c.Tip().Height; h == breachHeight+5 || h == deadline-5 {
			r.restart(t)
		}
		spike := c.Tip().Height == deadline-3
		if spike {
			r.fees.set(20_000) // a fee spike: the estimate is followed at once
		}
		_, err := c.MineTx() // a block without the justice transactions
		require.NoError(t, err)
		j, alone := r.justiceOf(t, monitor.RevokedToLocal), r.justiceOf(t, monitor.RevokedReceivedHTLC)
		require.NotNil(t, j, "height %d", c.Tip().Height)
		require.NotSame(t, j, alone)
		if alone != nil {
			require.NotEqual(t, lastAlone.TxHash(), alone.TxHash(), "height %d: the contested htlc bumped", c.Tip().Height)
			require.Greater(t, fee(alone), fee(lastAlone))
			lastAlone = alone
		}
		if deadline-c.Tip().Height > monitor.SweepBumpWindow {
			require.Equal(t, first.TxHash(), j.TxHash(), "height %d: no bump before the window", c.Tip().Height)
		} else {
			require.NotEqual(t, last.TxHash(), j.TxHash(), "height %d: bumped", c.Tip().Height)
			require.GreaterOrEqual(t, fee(j), fee(last)*5/4-2, "height %d: a quarter more (rounding aside)", c.Tip().Height)
			if spike {
				w := int64(j.SerializeSizeStripped())*3 + int64(j.SerializeSize())
				require.GreaterOrEqual(t, fee(j), 20_000*w/1000)
			}
		}
		last = j
	}
	// The contested HTLC's claim stops once its fee would exceed what it
	// takes: the last one handed out stays in the mempool.
	require.Contains(t, c.Mempool(), lastAlone)
	c.Mine(1)
	all := r.breachValue()
	r.requireAllTaken(t, all, last, lastAlone)
}

// TestJusticeReorg: the block holding the justice transactions is
// reorganised away and its replacement holds a conflicting spend of
// nothing: B broadcasts them again and they confirm.
func TestJusticeReorg(t *testing.T) {
	r := newJusticeRig(t, commit.StaticRemoteKey)
	rc := signedCommitmentA(t, r.ch, r.states[2])
	c := r.ch.chain
	_, err := c.MineTx(rc.tx)
	require.NoError(t, err)
	js := r.justiceInPool(t)
	require.Len(t, js, 2)
	_, err = c.MineTx(js...)
	require.NoError(t, err)
	require.Empty(t, r.justiceInPool(t))
	// The justice block leaves; the branch's blocks are empty.
	_, err = c.ReorgBlocks(1, nil, nil)
	require.NoError(t, err)
	again := r.justiceInPool(t)
	require.Len(t, again, 2, "in the mempool again after the reorg")
	c.Mine(1)
	all := r.breachValue()
	r.requireAllTaken(t, all, again...)
}

// holdA gives A's monitor its commitments from to last (the rig's
// states, signed by B) and, with revoke, B's secret of the commitment
// before each.
func (r *justiceRig) holdA(t *testing.T, from, last uint64, revoke bool) {
	t.Helper()
	ch := r.ch
	for n := from; n <= last; n++ {
		rc := signedCommitmentA(t, ch, r.states[n])
		steps := []monitor.Step{&monitor.NewHolderCommitment{State: r.states[n], CounterpartySig: rc.counterSigs.Commitment, HTLCSigs: rc.counterSigs.HTLCs}}
		if revoke {
			steps = append(steps, &monitor.CommitmentSecret{Number: n - 1, Secret: secret(t, ch.b.signer, n-1)})
		}
		require.NoError(t, ch.a.mon.Apply(&monitor.Update{ID: ch.a.mon.LatestUpdateID() + 1, Steps: steps}))
	}
}

// TestRevokedHolderToLocalNotHandedOut: A broadcasts its previous
// commitment, revoked (a restored backup, or cheating): its monitor knows
// it as ours and would hand out to_local after the delay, but B's justice
// transaction takes it first; A's monitor sees that spend and never emits
// the output (a sweep of it could only fail).
func TestRevokedHolderToLocalNotHandedOut(t *testing.T) {
	r := newJusticeRig(t, commit.StaticRemoteKey)
	ch, c := r.ch, r.ch.chain
	r.holdA(t, 2, 3, false)
	c.Connect(ch.a.mon)
	prev := signedCommitmentA(t, ch, r.states[2])
	_, err := c.MineTx(prev.tx)
	require.NoError(t, err)
	require.Equal(t, monitor.HolderCommitment, ch.a.mon.Spend().Kind)
	require.Equal(t, monitor.RevokedCounterpartyCommitment, ch.b.mon.Spend().Kind)
	require.NotEmpty(t, r.justiceInPool(t))
	c.Mine(1)
	for range aDelay + monitor.AntiReorgDelay {
		c.Mine(1)
		for _, e := range ch.a.mon.ReleasePendingEvents() {
			if so, ok := e.(*events.SpendableOutputs); ok {
				for _, o := range so.Outputs {
					require.NotEqual(t, spendable.ToLocalDelayed, o.Kind, "a spent to_local handed out")
				}
			}
		}
	}
}

// TestOwnRevokedCommitment: A's commitment 1, older than the two its
// monitor holds and revoked, confirms (a node restored from an old
// backup): A's monitor recognises its own revoked commitment, not the
// counterparty's breach, and claims nothing; B takes everything.
func TestOwnRevokedCommitment(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			r := newJusticeRig(t, tc.typ)
			ch, c := r.ch, r.ch.chain
			r.holdA(t, 1, 3, true)
			c.Connect(ch.a.mon)
			old := signedCommitmentA(t, ch, r.states[1])
			_, err := c.MineTx(old.tx)
			require.NoError(t, err)
			require.Equal(t, monitor.RevokedHolderCommitment, ch.a.mon.Spend().Kind)
			require.Nil(t, ch.a.mon.Breach())
			require.Equal(t, monitor.RevokedCounterpartyCommitment, ch.b.mon.Spend().Kind)
			c.Mine(aDelay + monitor.AntiReorgDelay)
			outs, closed := spendables(t, ch.a.mon)
			require.Empty(t, outs)
			require.False(t, closed, "not the counterparty's force close")
		})
	}
}
