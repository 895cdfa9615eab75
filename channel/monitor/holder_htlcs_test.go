package monitor_test

import (
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist/persisttest"
	lnwire "github.com/lnkit/lnkit/wire"
)

// TestHolderHTLCs: A force-closes with its commitment holding an HTLC it
// offered and one it received whose preimage it holds. A's ChainMonitor
// broadcasts the HTLC-success transaction at once and the HTLC-timeout
// from the HTLC's cltv_expiry (not a block earlier), both signed with B's
// stored signatures and valid on the script-validating chain; their
// outputs come out as ToLocalDelayed SpendableOutputs after A's
// to_self_delay, and sweep; the timeout is reported AntiReorgDelay deep.
// Every satoshi of the two HTLCs is accounted for: second-stage output +
// HTLC transaction fee, then sweep + sweep fee.
func TestHolderHTLCs(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	c := ch.chain
	hs := breachHTLCs()
	st := htlcStateA(t, 1, ch.a, aBalance-100_000_000, hs)
	rc := signedCommitmentA(t, ch, st)
	counter := rc.counterSigs
	require.NoError(t, ch.a.mon.Apply(&monitor.Update{ID: ch.a.mon.LatestUpdateID() + 1, Steps: []monitor.Step{
		&monitor.NewHolderCommitment{State: st, CounterpartySig: counter.Commitment, HTLCSigs: counter.HTLCs},
		&monitor.PaymentPreimage{Preimage: hs[1].preimage},
	}}))
	dest := commit.P2WPKH(ch.a.signer.Basepoints().PaymentBasepoint)
	cm, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{Persister: newKV(t, persisttest.NewCrashStore(), 100),
		Sweep: &monitor.SweepConfig{
			Broadcaster: c, Fees: &settableFees{rate: 1000},
			Signers:     func(id [32]byte) (monitor.ClaimSigner, error) { return ch.a.mgr.ChannelKeys(id), nil },
			Destination: func() ([]byte, error) { return dest, nil },
		}})
	require.NoError(t, err)
	id := ch.a.mon.ChannelID()
	require.Equal(t, monitor.Completed, cm.WatchChannel(id, ch.a.mon))
	c.Connect(cm)
	kinds := map[monitor.BalanceKind]lnwire.Satoshi{}
	for _, b := range cm.ClaimableBalances() {
		kinds[b.Kind] += b.Amount
	}
	require.Equal(t, map[monitor.BalanceKind]lnwire.Satoshi{
		monitor.BalanceOnChannelClose: rc.cm.Outputs[rc.cm.OutputIndex(commit.ToLocalOutput)].Amount,
		monitor.BalanceMaybeTimeout:   hs[0].h.Amount.ToSatoshi(),
		monitor.BalanceContentious:    hs[1].h.Amount.ToSatoshi(),
	}, kinds)

	tx, err := ch.a.mon.LatestHolderCommitmentTx(ch.a.signer)
	require.NoError(t, err)
	require.Equal(t, rc.tx.TxHash(), tx.TxHash())
	_, err = c.MineTx(tx)
	require.NoError(t, err)
	require.Equal(t, monitor.HolderCommitment, ch.a.mon.Spend().Kind)

	htlcTxs := func() []*btcwire.MsgTx {
		var out []*btcwire.MsgTx
		for _, m := range c.Mempool() {
			if m.TxIn[0].PreviousOutPoint.Hash == tx.TxHash() {
				out = append(out, m)
			}
		}
		return out
	}
	pool := htlcTxs()
	require.Len(t, pool, 1, "HTLC-success at once")
	success := pool[0]
	c.Mine(1)
	successHeight := c.Tip().Height
	require.Positive(t, c.Confirmations(success.TxHash()))

	cltv := int32(hs[0].h.CLTVExpiry)
	for c.Tip().Height < cltv-1 {
		c.Mine(1)
		require.Empty(t, htlcTxs(), "height %d", c.Tip().Height)
	}
	c.Mine(1)
	pool = htlcTxs()
	require.Len(t, pool, 1, "HTLC-timeout from cltv_expiry")
	timeout := pool[0]
	require.Equal(t, uint32(cltv), timeout.LockTime)
	c.Mine(1)
	timeoutHeight := c.Tip().Height
	require.Positive(t, c.Confirmations(timeout.TxHash()))

	// The HTLC amounts, to the satoshi: each HTLC output is its
	// transaction's output plus its fee (the commitment's rate).
	for _, pair := range []struct {
		tx *btcwire.MsgTx
		h  commit.HTLC
	}{{success, hs[1].h}, {timeout, hs[0].h}} {
		i := pair.tx.TxIn[0].PreviousOutPoint.Index
		require.Equal(t, int64(pair.h.Amount.ToSatoshi()), tx.TxOut[i].Value)
		require.Equal(t, int64(rc.cm.HTLCTxFee(int(i))), tx.TxOut[i].Value-pair.tx.TxOut[0].Value)
	}

	// Both second-stage outputs, each after A's to_self_delay; swept.
	var outs []spendable.Output
	var resolutions []monitor.HTLCResolution
	emitted := map[btcwire.OutPoint]int32{}
	for c.Tip().Height < timeoutHeight+aDelay+monitor.AntiReorgDelay {
		c.Mine(1)
		for _, e := range cm.ReleasePendingEvents() {
			if so, ok := e.(*events.SpendableOutputs); ok {
				for _, o := range so.Outputs {
					if o.OutPoint.Hash == success.TxHash() || o.OutPoint.Hash == timeout.TxHash() {
						require.Equal(t, spendable.ToLocalDelayed, o.Kind)
						emitted[o.OutPoint] = c.Tip().Height
						outs = append(outs, o)
					}
				}
			}
		}
		resolutions = append(resolutions, cm.ReleaseHTLCResolutions()...)
	}
	require.Len(t, outs, 2)
	require.Equal(t, timeoutHeight+aDelay-1, emitted[btcwire.OutPoint{Hash: timeout.TxHash()}], "after to_self_delay")
	for _, o := range outs {
		require.NoError(t, c.Broadcast(sweep(t, ch.a, o, 500)))
	}
	c.Mine(1)
	require.Empty(t, cm.ClaimableBalances(), "fully resolved")
	require.Len(t, resolutions, 2, "the preimage (at once) and the timeout")
	p := hs[1].preimage
	require.ElementsMatch(t, []monitor.HTLCResolution{
		{ChannelID: id, HTLCID: hs[1].h.ID, Outgoing: false, PaymentHash: hs[1].h.PaymentHash, Amount: hs[1].h.Amount, Preimage: &p, Height: successHeight},
		{ChannelID: id, HTLCID: hs[0].h.ID, Outgoing: true, PaymentHash: hs[0].h.PaymentHash, Amount: hs[0].h.Amount, Height: timeoutHeight},
	}, resolutions)
}
