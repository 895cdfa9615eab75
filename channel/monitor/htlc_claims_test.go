package monitor_test

import (
	"sync"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	lnwire "github.com/lnkit/lnkit/wire"
)

// claimTxs returns the mempool's transactions paying B's destination.
func claimTxs(t *testing.T, r *justiceRig) []*btcwire.MsgTx {
	t.Helper()
	var out []*btcwire.MsgTx
	for _, tx := range r.ch.chain.Mempool() {
		if len(tx.TxOut) == 1 && string(tx.TxOut[0].PkScript) == string(r.dest) {
			out = append(out, tx)
		}
	}
	return out
}

// TestCounterpartyHTLCClaims: A broadcasts its current commitment with an
// HTLC it offered (B holds the preimage) and one B offered: B's
// ChainMonitor claims the first at once with the preimage, and the second
// once it timed out (not a block earlier), each at the estimator's rate;
// the timeout is reported as an HTLCResolution once AntiReorgDelay deep.
// Both channel types; a restart in between.
func TestCounterpartyHTLCClaims(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			r := newJusticeRig(t, tc.typ)
			c := r.ch.chain
			// B learns the preimage of the HTLC A offered (hs[0]).
			m := r.ch.b.mon
			id := m.ChannelID()
			require.Equal(t, monitor.Completed, r.cm.UpdateChannel(id, &monitor.Update{ID: m.LatestUpdateID() + 1,
				Steps: []monitor.Step{&monitor.PaymentPreimage{Preimage: r.hs[0].preimage}}}))
			// B's own commitment (number 0) holds no HTLC: its balance.
			require.Equal(t, []monitor.Balance{{ChannelID: id, Kind: monitor.BalanceOnChannelClose,
				Amount: (capacity*1000 - aBalance) / 1000}}, r.cm.ClaimableBalances())
			rc := signedCommitmentA(t, r.ch, r.states[3]) // A's current commitment
			_, err := c.MineTx(rc.tx)
			require.NoError(t, err)
			require.Equal(t, monitor.CounterpartyCommitment, r.ch.b.mon.Spend().Kind)
			kinds := map[monitor.BalanceKind]lnwire.Satoshi{}
			for _, b := range r.cm.ClaimableBalances() {
				kinds[b.Kind] += b.Amount
			}
			require.Equal(t, r.hs[0].h.Amount.ToSatoshi(), kinds[monitor.BalanceContentious], "the HTLC we hold the preimage of")
			require.Equal(t, r.hs[1].h.Amount.ToSatoshi(), kinds[monitor.BalanceMaybeTimeout], "the HTLC we offered")
			require.Positive(t, kinds[monitor.BalanceAwaitingConfirmations], "to_remote")

			claims := claimTxs(t, r)
			require.Len(t, claims, 1, "the preimage claim at once")
			success := claims[0]
			c.Mine(1)
			require.Positive(t, c.Confirmations(success.TxHash()))
			in := int64(r.hs[0].h.Amount.ToSatoshi())
			weight := int64(success.SerializeSizeStripped())*3 + int64(success.SerializeSize())
			fee := in - success.TxOut[0].Value
			require.GreaterOrEqual(t, fee, 1000*weight/1000, "at least the estimator's rate")
			require.LessOrEqual(t, fee, 1000*(weight+2)/1000, "counted with the largest signature only")

			// The HTLC B offered: claimable from its cltv_expiry.
			cltv := int32(r.hs[1].h.CLTVExpiry)
			for c.Tip().Height < cltv-1 {
				c.Mine(1)
				if c.Tip().Height == cltv-10 {
					r.restart(t)
				}
				require.Empty(t, claimTxs(t, r), "height %d", c.Tip().Height)
			}
			c.Mine(1)
			claims = claimTxs(t, r)
			require.Len(t, claims, 1, "the timeout claim at cltv_expiry")
			timeout := claims[0]
			require.Equal(t, uint32(cltv), timeout.LockTime)
			c.Mine(1)
			require.Positive(t, c.Confirmations(timeout.TxHash()))
			require.Less(t, timeout.TxOut[0].Value, int64(r.hs[1].h.Amount.ToSatoshi()))
			// Our claim of hs[0] revealed its preimage; after the restart
			// that resolution comes again (at least once).
			res := r.cm.ReleaseHTLCResolutions()
			require.Len(t, res, 1)
			require.Equal(t, r.hs[0].h.ID, res[0].HTLCID)
			require.False(t, res[0].Outgoing)
			require.Equal(t, r.hs[0].preimage, *res[0].Preimage)
			c.Mine(monitor.AntiReorgDelay - 2)
			require.Empty(t, r.cm.ReleaseHTLCResolutions())
			c.Mine(1)
			res = r.cm.ReleaseHTLCResolutions()
			require.Len(t, res, 1)
			require.Equal(t, monitor.HTLCResolution{ChannelID: id, HTLCID: r.hs[1].h.ID, Outgoing: true,
				PaymentHash: r.hs[1].h.PaymentHash, Amount: r.hs[1].h.Amount, Height: c.Tip().Height - monitor.AntiReorgDelay + 1}, res[0])
			c.Mine(3)
			require.Empty(t, claimTxs(t, r))
			require.Empty(t, r.cm.ReleaseHTLCResolutions())
			require.Empty(t, r.cm.ClaimableBalances(), "fully resolved")
		})
	}
}

// TestCounterpartyRevealsPreimage: A claims the HTLC B offered with its
// HTLC-success transaction from its own commitment: B learns the preimage
// from the witness (an HTLCResolution at once, kept by the monitor) and
// makes no claim of it.
func TestCounterpartyRevealsPreimage(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			r := newJusticeRig(t, tc.typ)
			c := r.ch.chain
			rc := signedCommitmentA(t, r.ch, r.states[3])
			success := rc.htlcSuccess(t, r.hs[1].preimage)
			_, err := c.MineTx(rc.tx)
			require.NoError(t, err)
			_, err = c.MineTx(success) // mined as is (zero fee with anchors)
			require.NoError(t, err)
			res := r.cm.ReleaseHTLCResolutions()
			require.Len(t, res, 1)
			p := r.hs[1].preimage
			require.Equal(t, monitor.HTLCResolution{ChannelID: r.ch.b.mon.ChannelID(), HTLCID: r.hs[1].h.ID, Outgoing: true,
				PaymentHash: r.hs[1].h.PaymentHash, Amount: r.hs[1].h.Amount, Preimage: &p, Height: c.Tip().Height}, res[0])
			got, ok := r.ch.b.mon.Preimage(r.hs[1].h.PaymentHash)
			require.True(t, ok)
			require.Equal(t, p, got)
			c.Mine(int(r.hs[1].h.CLTVExpiry) + 2 - int(c.Tip().Height))
			require.Empty(t, claimTxs(t, r), "no timeout claim of a claimed HTLC")
			// Kept across a restart, and its resolution comes again
			// (at least once); never a timeout of it.
			r.restart(t)
			_, ok = r.ch.b.mon.Preimage(r.hs[1].h.PaymentHash)
			require.True(t, ok)
			c.Mine(monitor.AntiReorgDelay + 1)
			res = r.cm.ReleaseHTLCResolutions()
			require.Len(t, res, 1)
			require.NotNil(t, res[0].Preimage)
			require.Equal(t, p, *res[0].Preimage)
			var amount lnwire.Satoshi
			for _, o := range rc.cm.Outputs {
				amount += o.Amount
			}
			require.Positive(t, amount)
		})
	}
}

// claimsRecord is B's monitor record after A's current commitment
// confirmed and B claimed the HTLC A offered with the preimage: a
// counterparty commitment with a claim state, a sweep script and a spend
// (a fuzz seed).
func claimsRecord(t testing.TB) []byte {
	t.Helper()
	r := newJusticeRig(t, commit.AnchorsZeroFeeHTLC)
	m := r.ch.b.mon
	require.Equal(t, monitor.Completed, r.cm.UpdateChannel(m.ChannelID(), &monitor.Update{ID: m.LatestUpdateID() + 1,
		Steps: []monitor.Step{&monitor.PaymentPreimage{Preimage: r.hs[0].preimage}}}))
	rc := signedCommitmentA(t, r.ch, r.states[3])
	_, err := r.ch.chain.MineTx(rc.tx)
	require.NoError(t, err)
	r.ch.chain.Mine(1)
	return encoded(t, m)
}

// TestClaimThenReorgRestart: a claim was made (the monitor chose its
// sweep script), then the counterparty's commitment left the chain; the
// monitor's record still decodes after a restart, and the claim is made
// again when the commitment confirms again.
func TestClaimThenReorgRestart(t *testing.T) {
	r := newJusticeRig(t, commit.StaticRemoteKey)
	c := r.ch.chain
	m := r.ch.b.mon
	require.Equal(t, monitor.Completed, r.cm.UpdateChannel(m.ChannelID(), &monitor.Update{ID: m.LatestUpdateID() + 1,
		Steps: []monitor.Step{&monitor.PaymentPreimage{Preimage: r.hs[0].preimage}}}))
	rc := signedCommitmentA(t, r.ch, r.states[3])
	_, err := c.MineTx(rc.tx)
	require.NoError(t, err)
	require.Len(t, claimTxs(t, r), 1)
	_, err = c.ReorgBlocks(1, []*btcwire.MsgTx{}, []*btcwire.MsgTx{})
	require.NoError(t, err)
	require.Nil(t, r.ch.b.mon.Spend())
	r.restart(t)
	require.Nil(t, r.ch.b.mon.Spend())
	if !c.InMempool(rc.tx.TxHash()) {
		require.NoError(t, c.Broadcast(rc.tx))
	}
	c.Mine(1)
	require.Equal(t, monitor.CounterpartyCommitment, r.ch.b.mon.Spend().Kind)
	// The claim made before (back in the mempool with the commitment)
	// confirmed with it, or is made again.
	c.Mine(1)
	for _, b := range r.cm.ClaimableBalances() {
		require.NotEqual(t, monitor.BalanceContentious, b.Kind, "the HTLC we hold the preimage of is claimed")
	}
}

// TestCounterpartyHTLCClaimsShared: A's commitment on chain holds four
// HTLCs it offered, B holding three preimages: the two far from their
// expiry share one claim, the one within SharedClaimBuffer of its expiry
// is claimed alone (the counterparty may soon time it out), and the
// fourth, whose preimage B learns after the shared claim went out, is
// claimed alone too. Everything confirms and pays what the HTLCs held
// less the fees, to the satoshi.
func TestCounterpartyHTLCClaimsShared(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChannel(t, tc.typ)
			tip := uint32(ch.chain.Tip().Height)
			hs := make([]breachHTLC, 4)
			for i, cltv := range []uint32{tip + 200, tip + 300, tip + 5, tip + 250} {
				hs[i].preimage[0] = byte(i + 1)
				hs[i].h = commit.HTLC{ID: uint64(i), Offerer: commit.Local, Amount: 30_000_000 + lnwire.MilliSatoshi(i)*1_000_000,
					PaymentHash: hs[i].preimage.Hash(), CLTVExpiry: cltv}
			}
			r := newJusticeRigHTLCs(t, ch, hs)
			c := r.ch.chain
			id := r.ch.b.mon.ChannelID()
			learn := func(p lnwire.Preimage) {
				m := r.ch.b.mon
				require.Equal(t, monitor.Completed, r.cm.UpdateChannel(id, &monitor.Update{ID: m.LatestUpdateID() + 1,
					Steps: []monitor.Step{&monitor.PaymentPreimage{Preimage: p}}}))
			}
			for _, h := range hs[:3] {
				learn(h.preimage)
			}
			rc := signedCommitmentA(t, r.ch, r.states[3])
			_, err := c.MineTx(rc.tx)
			require.NoError(t, err)
			claims := claimTxs(t, r)
			require.Len(t, claims, 2)
			byInputs := map[int]*btcwire.MsgTx{}
			for _, tx := range claims {
				byInputs[len(tx.TxIn)] = tx
			}
			require.Contains(t, byInputs, 2, "the two far from their expiry together")
			require.Contains(t, byInputs, 1, "the one near its expiry alone")
			learn(hs[3].preimage)
			c.Mine(1)
			late := claimTxs(t, r)
			require.Len(t, late, 1, "the preimage learned later: alone")
			require.Len(t, late[0].TxIn, 1)
			c.Mine(1)
			var in, out int64
			for _, tx := range append(claims, late...) {
				require.Positive(t, c.Confirmations(tx.TxHash()))
				out += tx.TxOut[0].Value
			}
			for _, h := range hs {
				in += int64(h.h.Amount.ToSatoshi())
			}
			require.Less(t, out, in)
			require.Greater(t, out, in-20_000, "fees at 1,000 sat/kw for four inputs")
			c.Mine(monitor.AntiReorgDelay)
			require.Empty(t, claimTxs(t, r))
		})
	}
}

// spentWithTwoHTLCs is a justice rig whose B monitor saw A's commitment
// confirm with two HTLCs A offered (preimages 1 and 2), and B's channel id.
func spentWithTwoHTLCs(t *testing.T) (*justiceRig, []breachHTLC, lnwire.ChannelID) {
	t.Helper()
	ch := newTestChannel(t, commit.StaticRemoteKey)
	tip := uint32(ch.chain.Tip().Height)
	hs := make([]breachHTLC, 2)
	for i := range hs {
		hs[i].preimage[0] = byte(i + 1)
		hs[i].h = commit.HTLC{ID: uint64(i), Offerer: commit.Local, Amount: 30_000_000,
			PaymentHash: hs[i].preimage.Hash(), CLTVExpiry: tip + 200}
	}
	r := newJusticeRigHTLCs(t, ch, hs)
	rc := signedCommitmentA(t, r.ch, r.states[3])
	_, err := r.ch.chain.MineTx(rc.tx)
	require.NoError(t, err)
	return r, hs, r.ch.b.mon.ChannelID()
}

// TestProvidePreimageConcurrent: two preimages handed at once to the same
// closed channel's monitor (two claims of the application, or a claim and
// a forward) are both kept and both HTLCs claimed.
func TestProvidePreimageConcurrent(t *testing.T) {
	r, hs, id := spentWithTwoHTLCs(t)
	c := r.ch.chain
	var wg sync.WaitGroup
	for _, h := range hs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.Equal(t, []lnwire.ChannelID{id}, r.cm.ProvidePreimage(h.preimage))
		}()
	}
	wg.Wait()
	for _, h := range hs {
		_, ok := r.ch.b.mon.Preimage(h.preimage.Hash())
		require.True(t, ok)
	}
	c.Mine(1)
	claims := claimTxs(t, r)
	inputs := 0
	for _, tx := range claims {
		inputs += len(tx.TxIn)
	}
	require.Equal(t, 2, inputs, "both HTLCs claimed")
	r.restart(t)
	for _, h := range hs {
		_, ok := r.ch.b.mon.Preimage(h.preimage.Hash())
		require.True(t, ok, "kept across a restart")
	}
}
