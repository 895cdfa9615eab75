package interop

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
)

// Parameters of TestOnChainHTLCsLnd.
const (
	// onchainCSV is the to_self_delay each side asks of the other, so
	// that the delayed outputs mature in a few blocks.
	onchainCSV = 15
	// toLndMsat and toLnkitMsat are the HTLCs' amounts: each an output
	// of every commitment (above both dust limits).
	toLndMsat   = 20_000_000
	toLnkitMsat = 30_000_000
	// lndHoldCLTVDelta is the min_final_cltv_expiry_delta of lnd's hold
	// invoices (lnd's own minimum is 18).
	lndHoldCLTVDelta = 40
	// htlcTimeoutGrace and htlcClaimBuffer are channel.HTLCTimeoutGrace
	// and channel.HTLCClaimBuffer: the deadlines at which lnkit goes on
	// chain for an offered and a fulfilled incoming HTLC.
	htlcTimeoutGrace = 2
	htlcClaimBuffer  = 18
	// maxOnchainBlocks bounds every mining loop of the test.
	maxOnchainBlocks = 300
)

// TestOnChainHTLCsLnd resolves HTLCs on chain against lnd v0.20 on btcd
// regtest (issue 18, BOLT 5), each channel type on its own chain, lnd and
// sample node (parallel subtests). lnd opens each channel (asking lnkit a
// to_self_delay of onchainCSV blocks; the sample node asks lnd as many),
// one per scenario, in turn:
//
//   - lnd_offline_htlc_from_lnkit: lnkit pays an lnd hold invoice, lnd
//     accepts the HTLC and goes offline. lnkit force-closes at the HTLC's
//     cltv_expiry+2 (channel.HTLCTimeoutGrace), times it out with its
//     HTLC-timeout, fails the payment once that is deep, and sweeps its
//     outputs after the delay. lnd, restarted, lists the channel closed
//     and never settles the invoice.
//   - lnd_offline_preimage_held_by_lnkit: lnd pays a sample node invoice
//     held (holdinvoices on) until lnd is offline; lnkit claims it, the
//     fulfill cannot be delivered, and lnkit force-closes at cltv_expiry-18
//     (channel.HTLCClaimBuffer) and takes the HTLC with its HTLC-success.
//     lnd, restarted, finds the preimage on chain: its payment succeeds.
//   - lnd_force_closes_htlcs_both_ways: an HTLC each way (an lnd hold
//     invoice never settled, a sample node invoice held), then lnd
//     force-closes. lnkit claims its held payment as soon as lnd's
//     commitment is in the mempool: the preimage reaches its monitor while
//     the channel is still open in its manager (see testLndForceCloses),
//     and lnkit takes the HTLC from lnd's commitment with it; the HTLC it
//     offered it takes back from lnd's commitment after its expiry.
//
// In each, lnkit's wallet ends with exactly what it had before the
// payments plus its outputs of the commitment (its balance and the HTLCs
// it resolved) less the fees of the transactions it made on chain, read
// from the chain (claimGain).
func TestOnChainHTLCsLnd(t *testing.T) {
	perChannelType(t, testOnChainHTLCs)
}

// chainRig is a rig for the on-chain scenarios.
type chainRig struct {
	*rig
	ctx     context.Context
	anchors bool
}

// testOnChainHTLCs runs the three scenarios on one rig, one channel each.
func testOnChainHTLCs(t *testing.T, bin string, anchors bool) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := newRigLnd(t, bin, 3, regtest.LndOptions{}, "--to-self-delay="+strconv.Itoa(onchainCSV))
	cr := &chainRig{rig: r, ctx: ctx, anchors: anchors}
	// Each scenario on a channel of its own.
	onChannel := func(run func(*chainRig, *openedChannel)) func(*chainRig) {
		return func(cr *chainRig) { run(cr, cr.openChannel()) }
	}
	runScenarios(t, t.Name(), cr, func(t *testing.T) { r.t, r.node.t = t, t }, []scenario[*chainRig]{
		{"lnd_offline_htlc_from_lnkit", onChannel(testLndOfflineOffered)},
		{"lnd_offline_preimage_held_by_lnkit", onChannel(testLndOfflineClaim)},
		{"lnd_force_closes_htlcs_both_ways", onChannel(testLndForceCloses)},
	})
}

// openChannel has lnd open a channel of the rig's type to the sample node
// (pushing pushSat to it, asking it a to_self_delay of onchainCSV) and
// returns it once both sides list it.
func (cr *chainRig) openChannel() *openedChannel {
	t := cr.t
	t.Helper()
	spec := openSpec{anchors: cr.anchors}
	typ := "tweakless"
	if cr.anchors {
		typ = "anchors"
	}
	cr.lnd.ConnectPeerAddr(t, cr.node.nodeID, cr.node.addr)
	txid := cr.lnd.OpenChannelTo(t, cr.node.nodeID, chanCapacity,
		regtest.LndOpen{Private: true, ChannelType: typ, PushSat: pushSat, RemoteCSVDelay: onchainCSV})
	cr.mine(announceDepth)
	c := cr.waitOpen(spec, txid)
	cr.lnd.WaitRoute(t, cr.node.nodeID, 1)
	return c
}

// nodeHeight is the height of the last block the sample node's channel
// manager processed.
func (cr *chainRig) nodeHeight() int32 {
	cr.t.Helper()
	var info struct {
		SyncedTo struct {
			Height int32 `json:"height"`
		} `json:"synced_to"`
	}
	cr.node.run(&info, "nodeinfo")
	return info.SyncedTo.Height
}

// mineOne mines a block and waits until the sample node (and lnd, when
// lndUp) processed it; it returns the new height.
func (cr *chainRig) mineOne(lndUp bool) int32 {
	cr.t.Helper()
	cr.btcd.Generate(cr.t, 1)
	_, tip := cr.btcd.BestBlock(cr.t)
	regtest.WaitFor(cr.t, fmt.Sprintf("the sample node at height %d", tip), func() (bool, string) {
		h := cr.nodeHeight()
		return h >= tip, strconv.Itoa(int(h))
	})
	if lndUp {
		cr.lnd.WaitSynced(cr.t)
	}
	// The node acts on the block right after it processed it (force
	// close, claims): give its poll the moment to broadcast.
	time.Sleep(300 * time.Millisecond)
	return tip
}

// mineUntilCommitment mines up to the block before height expect at once
// (lnkit must not go on chain there), then one block at a time until a
// transaction spending the channel's funding output is in btcd's mempool,
// and returns it with the height at which it appeared.
func (cr *chainRig) mineUntilCommitment(c *openedChannel, expect int32, lndUp bool) (*btcwire.MsgTx, int32) {
	t := cr.t
	t.Helper()
	funding := outPoint(t, c.chanPoint())
	_, height := cr.btcd.BestBlock(t)
	if n := int(expect - 1 - height); n > 0 {
		cr.btcd.Generate(t, n-1)
		height = cr.mineOne(lndUp)
	}
	for range maxOnchainBlocks {
		// A moment for a broadcast at this height.
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			if tx, ok := mempoolSpender(t, cr.btcd, funding); ok {
				return tx, height
			}
			time.Sleep(200 * time.Millisecond)
		}
		height = cr.mineOne(lndUp)
	}
	t.Fatalf("lnkit never broadcast its commitment of %s", c.chanPoint())
	return nil, 0
}

// lndHTLCs returns lnd's pending HTLCs on the channel.
func (cr *chainRig) lndHTLCs(c *openedChannel) []regtest.LndHTLC {
	cr.t.Helper()
	chans, err := cr.lnd.ListChannelsDetail(cr.ctx)
	require.NoError(cr.t, err)
	for _, d := range chans {
		if d.ChannelPoint == c.chanPoint() {
			return d.PendingHTLCs
		}
	}
	cr.t.Fatalf("lnd does not list %s", c.chanPoint())
	return nil
}

// waitLndHTLC waits until lnd has an HTLC with hash locked in on the
// channel and returns it.
func (cr *chainRig) waitLndHTLC(c *openedChannel, hash string) regtest.LndHTLC {
	cr.t.Helper()
	var found regtest.LndHTLC
	regtest.WaitFor(cr.t, "lnd's HTLC "+hash, func() (bool, string) {
		hs := cr.lndHTLCs(c)
		for _, h := range hs {
			if h.HashLock == hash && h.LockedIn {
				found = h
				return true, ""
			}
		}
		return false, fmt.Sprintf("%+v", hs)
	})
	return found
}

// lndHoldInvoice has lnd create a hold invoice of amtMsat for a new
// random preimage and returns the invoice and its hash (hex).
func (cr *chainRig) lndHoldInvoice(amtMsat uint64) (string, [32]byte) {
	t := cr.t
	t.Helper()
	var preimage [32]byte
	_, err := rand.Read(preimage[:])
	require.NoError(t, err)
	hash := sha256.Sum256(preimage[:])
	var res struct {
		PaymentRequest string `json:"payment_request"`
	}
	cr.lnd.CLIJSON(t, &res, "addholdinvoice", "--amt_msat="+strconv.FormatUint(amtMsat, 10),
		"--cltv_expiry_delta="+strconv.Itoa(lndHoldCLTVDelta), "--memo=held", hex.EncodeToString(hash[:]))
	require.NotEmpty(t, res.PaymentRequest)
	return res.PaymentRequest, hash
}

// lnkitPaysHeld has the sample node pay an lnd hold invoice of toLndMsat
// and waits until lnd accepted (and holds) the HTLC; it returns the
// payment and lnd's HTLC.
func (cr *chainRig) lnkitPaysHeld(c *openedChannel) (samplePayment, [32]byte, regtest.LndHTLC) {
	t := cr.t
	t.Helper()
	bolt11, hash := cr.lndHoldInvoice(toLndMsat)
	pay := cr.node.sendPayment(bolt11, 0)
	require.Equal(t, hex.EncodeToString(hash[:]), pay.PaymentHash)
	regtest.WaitFor(t, "lnd to accept the HTLC of its hold invoice", func() (bool, string) {
		st, err := cr.lnd.LookupInvoice(cr.ctx, hash)
		require.NoError(t, err)
		return st.State == regtest.InvoiceAccepted, st.State
	})
	return pay, hash, cr.waitLndHTLC(c, pay.PaymentHash)
}

// lndPaysHeld turns the sample node's hold mode on, has lnd pay one of
// its invoices of toLnkitMsat in the background and waits until the
// payment is claimable (held) and lnd's HTLC locked in. done receives lnd's
// payinvoice outcome.
func (cr *chainRig) lndPaysHeld(c *openedChannel) (sampleInvoice, regtest.LndHTLC, chan error) {
	t := cr.t
	t.Helper()
	var hold struct {
		Hold bool `json:"hold"`
	}
	cr.node.run(&hold, "holdinvoices on")
	require.True(t, hold.Hold)
	inv := cr.node.getInvoice(toLnkitMsat, invoiceExpiry, "held")
	done := make(chan error, 1)
	go func() {
		_, err := cr.lnd.PayInvoice(cr.ctx, inv.Invoice, 20*time.Minute)
		done <- err
	}()
	ev := cr.node.waitEventsBy("payment_hash", []string{inv.PaymentHash}, "payment_claimable")[inv.PaymentHash]
	require.Equal(t, strconv.Itoa(toLnkitMsat), ev.Fields["amount_msat"], "%s", ev)
	htlc := cr.waitLndHTLC(c, inv.PaymentHash)
	require.Equal(t, "claimable", cr.node.payments()["inbound/"+inv.PaymentHash].Status, "held, not claimed")
	cr.node.run(&hold, "holdinvoices off")
	return inv, htlc, done
}

// claim runs the sample node's claim.
func (cr *chainRig) claim(hash string) {
	cr.t.Helper()
	var res struct {
		PaymentHash string `json:"payment_hash"`
		Status      string `json:"status"`
	}
	cr.node.run(&res, "claim "+hash)
	require.Equal(cr.t, hash, res.PaymentHash)
	require.Equal(cr.t, "claiming", res.Status)
}

// lnkitView is lnd's view of the channel once the HTLCs are in, read
// before lnd goes away: lnkit's balance there is its output on either
// commitment.
func (cr *chainRig) lnkitView(c *openedChannel) regtest.LndChannel {
	cr.t.Helper()
	lc, ok := cr.lnd.FindChannel(cr.t, c.txid)
	require.True(cr.t, ok)
	return lc
}

// outputWithValue returns the index of the commitment's only output of
// value sat.
func outputWithValue(t *testing.T, tx *btcwire.MsgTx, sat int64, what string) uint32 {
	t.Helper()
	idx := -1
	for i, o := range tx.TxOut {
		if o.Value == sat {
			require.Equal(t, -1, idx, "two outputs of %d sat (%s) in %s", sat, what, describeTx(tx))
			idx = i
		}
	}
	require.NotEqual(t, -1, idx, "no output of %d sat (%s) in %s", sat, what, describeTx(tx))
	return uint32(idx)
}

// chainSpends indexes the spends of btcd's best chain from a height on.
type chainSpends map[btcwire.OutPoint]*btcwire.MsgTx

// spendsFrom returns every spend confirmed from height from to the tip.
func spendsFrom(t *testing.T, btcd *regtest.Btcd, from int32) chainSpends {
	t.Helper()
	s := chainSpends{}
	for _, tx := range blockTxs(t, btcd, from) {
		for _, in := range tx.TxIn {
			s[in.PreviousOutPoint] = tx
		}
	}
	return s
}

// claimGain follows the claims of the commitment's outputs ours (one
// side's outputs: its balance, the HTLCs it resolved) through the
// second-level transactions (P2WSH outputs) to the wallet, on the chain
// from the commitment's height, and returns what they took from the
// commitment and their total fee; ok is false while one of them is not
// confirmed yet. The side's wallet grows by taken-fees: the wallet inputs
// a claim adds (anchors HTLC transactions) come back in its change.
func claimGain(t *testing.T, btcd *regtest.Btcd, commitment *btcwire.MsgTx, from int32, ours []uint32) (taken, fees int64, claims []string, ok bool) {
	t.Helper()
	spends := spendsFrom(t, btcd, from)
	seen := map[string]bool{}
	var txs []*btcwire.MsgTx
	frontier := make([]btcwire.OutPoint, 0, len(ours))
	for _, i := range ours {
		frontier = append(frontier, btcwire.OutPoint{Hash: commitment.TxHash(), Index: i})
	}
	for len(frontier) > 0 {
		tx, found := spends[frontier[0]]
		frontier = frontier[1:]
		if !found {
			return 0, 0, nil, false
		}
		if id := tx.TxHash().String(); !seen[id] {
			seen[id] = true
			txs = append(txs, tx)
		}
		for i, o := range tx.TxOut {
			if txscript.IsPayToWitnessScriptHash(o.PkScript) {
				frontier = append(frontier, btcwire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)})
			}
		}
	}
	for _, tx := range txs {
		fee := txFee(t, btcd, tx)
		fees += fee
		for _, in := range tx.TxIn {
			if in.PreviousOutPoint.Hash == commitment.TxHash() {
				taken += commitment.TxOut[in.PreviousOutPoint.Index].Value
			}
		}
		claims = append(claims, fmt.Sprintf("%s (fee %d sat, %d inputs, %d outputs)", tx.TxHash(), fee, len(tx.TxIn), len(tx.TxOut)))
	}
	return taken, fees, claims, true
}

// mineUntilSwept mines until lnkit's claims of ours on the commitment are
// all confirmed down to its wallet and its wallet holds exactly
// before+taken-fees, and returns the fees. until, when set, must also
// hold before it stops (an event).
func (cr *chainRig) mineUntilSwept(commitment *btcwire.MsgTx, commitHeight int32, ours []uint32, before int64, lndUp bool, until func() bool) int64 {
	t := cr.t
	t.Helper()
	for range maxOnchainBlocks {
		b := cr.node.balance()
		if b.Unconfirmed == 0 && (until == nil || until()) {
			if taken, fees, claims, ok := claimGain(t, cr.btcd, commitment, commitHeight, ours); ok && b.Confirmed == before+taken-fees {
				t.Logf("lnkit's claims: %s", strings.Join(claims, ", "))
				return fees
			}
		}
		cr.mineOne(lndUp)
	}
	taken, fees, _, ok := claimGain(t, cr.btcd, commitment, commitHeight, ours)
	t.Fatalf("lnkit's wallet %+v, want confirmed %d (before %d + taken %d - fees %d; every claim confirmed: %v)",
		cr.node.balance(), before+taken-fees, before, taken, fees, ok)
	return 0
}

// checkLndClosed restarts lnd if it is down, mines until lnd lists the
// channel closed with closeType and checks lnd's settled balance.
func (cr *chainRig) checkLndClosed(c *openedChannel, view regtest.LndChannel, closeType string) {
	t := cr.t
	t.Helper()
	for mined := 0; !cr.lndClosed(c); mined++ {
		require.Less(t, mined, maxOnchainBlocks, "lnd never resolved %s: %+v", c.chanPoint(), cr.lnd.PendingChannels(t))
		cr.mineOne(true)
	}
	closed := cr.waitLndClosed(c, closeType)
	require.Equal(t, view.LocalBalance, closed.SettledBalance, "lnd's own output on the commitment")
	t.Logf("lnd lists %s closed (%s), settled %d sat", c.chanPoint(), closeType, closed.SettledBalance)
}

// logInboundAfterChain logs how the sample node lists a payment it
// received on chain with its preimage. The channel manager emits
// PaymentClaimed only when a fulfilled HTLC's removal becomes irrevocable
// off chain: an HTLC claimed on chain instead leaves no PaymentClaimed (so
// far; see the report of issue 18), and the node lists it "claimable".
func (cr *chainRig) logInboundAfterChain(hash string) {
	cr.t.Helper()
	claimed := cr.node.eventsBy("payment_hash", []string{hash}, "payment_claimed")
	cr.t.Logf("lnkit lists the payment it took on chain as %q (payment_claimed events: %d)",
		cr.node.payments()["inbound/"+hash].Status, len(claimed))
}

// claimHeight returns the spend of the commitment's output index and the
// height of the block confirming it.
func (cr *chainRig) claimHeight(commitment *btcwire.MsgTx, commitHeight int32, index uint32) (*btcwire.MsgTx, int32) {
	cr.t.Helper()
	tx, ok := spendsFrom(cr.t, cr.btcd, commitHeight)[btcwire.OutPoint{Hash: commitment.TxHash(), Index: index}]
	require.True(cr.t, ok, "output %d of the commitment is not spent", index)
	return tx, cr.txHeight(tx.TxHash().String())
}

// checkLndWallet mines until lnd's wallet holds exactly before plus what
// lnd took from the commitment less the fees of its claims: every output
// of the commitment but lnkit's (ours) is lnd's; lnd's claims are followed
// like lnkit's (claimGain); an unspent P2WPKH output of lnd (its
// static_remotekey to_remote, its wallet's key) counts as it is, an
// unspent anchor not at all.
func (cr *chainRig) checkLndWallet(commitment *btcwire.MsgTx, commitHeight int32, ours []uint32, before int64) {
	t := cr.t
	t.Helper()
	var want int64
	var last string
	for range 30 {
		spends := spendsFrom(t, cr.btcd, commitHeight)
		var claimed []uint32
		direct, pending := int64(0), false
		for i, o := range commitment.TxOut {
			op := btcwire.OutPoint{Hash: commitment.TxHash(), Index: uint32(i)}
			switch _, spent := spends[op]; {
			case slices.Contains(ours, uint32(i)):
			case spent:
				claimed = append(claimed, uint32(i))
			case o.Value == 330:
			case txscript.IsPayToWitnessPubKeyHash(o.PkScript):
				direct += o.Value
			default:
				pending = true
			}
		}
		if !pending {
			if taken, fees, claims, ok := claimGain(t, cr.btcd, commitment, commitHeight, claimed); ok {
				want = before + direct + taken - fees
				b := cr.lnd.WalletBalance(t)
				if b.Confirmed == want && b.Unconfirmed == 0 {
					t.Logf("lnd's wallet: +%d sat (outputs %d sat taken by claims costing %d sat, %d sat paid to its wallet); lnd's claims: %s",
						want-before, taken, fees, direct, strings.Join(claims, ", "))
					return
				}
				last = fmt.Sprintf("%+v, want confirmed %d", b, want)
			}
		}
		cr.mineOne(true)
	}
	t.Fatalf("lnd's wallet: %s", last)
}

// testLndOfflineOffered: lnkit's HTLC to lnd is held by lnd, which goes
// offline; lnkit goes on chain at cltv_expiry+2 and times it out.
func testLndOfflineOffered(cr *chainRig, c *openedChannel) {
	t := cr.t
	before := cr.settled()
	pay, hash, htlc := cr.lnkitPaysHeld(c)
	view := cr.lnkitView(c)
	require.EqualValues(t, toLndMsat/1000, htlc.AmountSat)
	expiry := int32(htlc.ExpirationHeight)
	_, height := cr.btcd.BestBlock(t)
	t.Logf("HTLC %s of %d sat expires at %d (now %d); lnkit's balance %d sat", pay.PaymentHash, htlc.AmountSat, expiry, height, view.RemoteBalance)
	cr.lnd.Stop(t)

	commitment, at := cr.mineUntilCommitment(c, expiry+htlcTimeoutGrace, false)
	require.Equal(t, expiry+htlcTimeoutGrace, at, "lnkit force-closes at cltv_expiry+HTLCTimeoutGrace")
	cr.node.waitEvent("channel_closed", c.lnkit.ChannelID)
	toLocal := outputWithValue(t, commitment, view.RemoteBalance, "lnkit's balance")
	htlcOut := outputWithValue(t, commitment, htlc.AmountSat, "the HTLC")
	commitHeight := cr.mineOne(false)

	failed := func() bool {
		return len(cr.node.eventsBy("payment_hash", []string{pay.PaymentHash}, "payment_failed", "payment_sent")) == 1
	}
	fees := cr.mineUntilSwept(commitment, commitHeight, []uint32{toLocal, htlcOut}, before.lnkit, false, failed)
	// The HTLC-timeout went out as soon as valid: with the commitment
	// (its lock time is past), or a block later (anchors: 1 CSV).
	timeout, h := cr.claimHeight(commitment, commitHeight, htlcOut)
	require.LessOrEqual(t, h, commitHeight+1, "HTLC-timeout %s confirmed at %d, the commitment at %d", timeout.TxHash(), h, commitHeight)
	require.EqualValues(t, expiry, timeout.LockTime, "the HTLC-timeout's lock time is the HTLC's cltv_expiry")
	ev := cr.node.eventsBy("payment_hash", []string{pay.PaymentHash}, "payment_failed", "payment_sent")[pay.PaymentHash]
	require.Equal(t, "payment_failed", ev.Kind, "%s", ev)
	require.Equal(t, "failed", cr.node.payments()["outbound/"+pay.PaymentHash].Status)
	t.Logf("lnkit timed out its HTLC: %s; its claims cost %d sat", ev, fees)

	cr.lnd.Restart(t)
	cr.checkLndClosed(c, view, "REMOTE_FORCE_CLOSE")
	cr.checkLndWallet(commitment, commitHeight, []uint32{toLocal, htlcOut}, before.lnd)
	st, err := cr.lnd.LookupInvoice(cr.ctx, hash)
	require.NoError(t, err)
	// lnd never had the preimage: its invoice still holds the HTLC it
	// accepted (amt_paid counts it) or lnd cancelled it.
	require.Contains(t, []string{regtest.InvoiceAccepted, regtest.InvoiceCanceled}, st.State)
	t.Logf("lnd's hold invoice: %s", st.State)
}

// testLndOfflineClaim: lnd's HTLC to lnkit is held by lnkit until lnd is
// offline; lnkit claims it, goes on chain at cltv_expiry-18 and takes it
// with the preimage; lnd, back, sees the preimage and its payment
// succeeds.
func testLndOfflineClaim(cr *chainRig, c *openedChannel) {
	t := cr.t
	before := cr.settled()
	inv, htlc, lndDone := cr.lndPaysHeld(c)
	view := cr.lnkitView(c)
	expiry := int32(htlc.ExpirationHeight)
	_, height := cr.btcd.BestBlock(t)
	t.Logf("HTLC %s of %d sat expires at %d (now %d)", inv.PaymentHash, htlc.AmountSat, expiry, height)
	cr.lnd.Stop(t)
	<-lndDone // lncli gives up with lnd
	cr.claim(inv.PaymentHash)

	commitment, at := cr.mineUntilCommitment(c, expiry-htlcClaimBuffer, false)
	require.Equal(t, expiry-htlcClaimBuffer, at, "lnkit force-closes at cltv_expiry-HTLCClaimBuffer")
	toLocal := outputWithValue(t, commitment, view.RemoteBalance, "lnkit's balance")
	htlcOut := outputWithValue(t, commitment, htlc.AmountSat, "the HTLC")
	commitHeight := cr.mineOne(false)
	fees := cr.mineUntilSwept(commitment, commitHeight, []uint32{toLocal, htlcOut}, before.lnkit, false, nil)
	// The HTLC-success went out as soon as valid (anchors: 1 CSV), long
	// before lnd could time the HTLC out.
	success, h := cr.claimHeight(commitment, commitHeight, htlcOut)
	require.LessOrEqual(t, h, commitHeight+1, "HTLC-success %s confirmed at %d, the commitment at %d", success.TxHash(), h, commitHeight)
	require.Less(t, h, expiry)
	t.Logf("lnkit claimed the HTLC with its preimage; its claims cost %d sat", fees)
	cr.logInboundAfterChain(inv.PaymentHash)

	cr.lnd.Restart(t)
	regtest.WaitFor(t, "lnd's payment of "+inv.PaymentHash+" to succeed", func() (bool, string) {
		ps, err := cr.lnd.ListPayments(cr.ctx)
		require.NoError(t, err)
		for _, p := range ps {
			if hex.EncodeToString(p.Hash[:]) == inv.PaymentHash {
				if p.Status == regtest.PaymentSucceeded {
					checkPreimage(t, inv.PaymentHash, hex.EncodeToString(p.Preimage[:]))
					return true, ""
				}
				return false, p.Status
			}
		}
		return false, "no payment"
	})
	cr.checkLndClosed(c, view, "REMOTE_FORCE_CLOSE")
	cr.checkLndWallet(commitment, commitHeight, []uint32{toLocal, htlcOut}, before.lnd)
}

// testLndForceCloses: an HTLC each way, then lnd force-closes; lnkit
// claims the one it received with the preimage and times out the one it
// offered, both from lnd's commitment.
//
// lnkit's claim comes once lnd's commitment is in the mempool: the
// channel is still open in lnkit's manager, so ClaimFunds hands the
// preimage to the channel's monitor (and sends a fulfill lnd no longer
// takes on this channel). Once the commitment confirms the manager has
// forgotten the channel and ClaimFunds no longer finds the HTLC (see the
// report of issue 18): claiming earlier, with lnd connected, would settle
// the HTLC off chain instead.
func testLndForceCloses(cr *chainRig, c *openedChannel) {
	t := cr.t
	before := cr.settled()
	inv, inHTLC, lndDone := cr.lndPaysHeld(c)
	pay, hash, outHTLC := cr.lnkitPaysHeld(c)
	view := cr.lnkitView(c)
	require.Len(t, cr.lndHTLCs(c), 2)
	t.Logf("HTLCs: to lnkit %d sat expiring at %d, to lnd %d sat expiring at %d", inHTLC.AmountSat, inHTLC.ExpirationHeight,
		outHTLC.AmountSat, outHTLC.ExpirationHeight)

	txid := cr.lnd.CloseChannel(t, c.chanPoint(), true)
	commitment := getTx(t, cr.btcd, txid)
	cr.claim(inv.PaymentHash)
	toRemote := outputWithValue(t, commitment, view.RemoteBalance, "lnkit's balance")
	inOut := outputWithValue(t, commitment, inHTLC.AmountSat, "the HTLC to lnkit")
	outOut := outputWithValue(t, commitment, outHTLC.AmountSat, "the HTLC to lnd")
	commitHeight := cr.mineOne(true)
	cr.node.waitEvent("channel_closed", c.lnkit.ChannelID)

	failed := func() bool {
		return len(cr.node.eventsBy("payment_hash", []string{pay.PaymentHash}, "payment_failed", "payment_sent")) == 1
	}
	fees := cr.mineUntilSwept(commitment, commitHeight, []uint32{toRemote, inOut, outOut}, before.lnkit, true, failed)
	ev := cr.node.eventsBy("payment_hash", []string{pay.PaymentHash}, "payment_failed", "payment_sent")[pay.PaymentHash]
	require.Equal(t, "payment_failed", ev.Kind, "%s", ev)
	t.Logf("lnkit resolved both HTLCs on lnd's commitment; its claims cost %d sat", fees)
	// The timeout of the HTLC lnkit offered is no earlier than its expiry.
	// The preimage claim went out at once (anchors: 1 CSV), before the
	// HTLC's expiry; the timeout once the HTLC expired, not before.
	success, h := cr.claimHeight(commitment, commitHeight, inOut)
	require.LessOrEqual(t, h, commitHeight+1, "preimage claim %s confirmed at %d, the commitment at %d", success.TxHash(), h, commitHeight)
	require.Less(t, h, int32(inHTLC.ExpirationHeight))
	timeout, h := cr.claimHeight(commitment, commitHeight, outOut)
	require.EqualValues(t, outHTLC.ExpirationHeight, timeout.LockTime, "the timeout claim's lock time is the HTLC's cltv_expiry")
	require.LessOrEqual(t, h, int32(outHTLC.ExpirationHeight)+3, "timeout claim %s confirmed at %d", timeout.TxHash(), h)

	select {
	case err := <-lndDone:
		require.NoError(t, err, "lnd's payment to lnkit")
	case <-time.After(2 * time.Minute):
		t.Fatalf("lnd's payinvoice did not return")
	}
	st, err := cr.lnd.LookupInvoice(cr.ctx, hash)
	require.NoError(t, err)
	require.Contains(t, []string{regtest.InvoiceAccepted, regtest.InvoiceCanceled}, st.State, "lnd's hold invoice was never settled")
	t.Logf("lnd's hold invoice: %s", st.State)
	cr.logInboundAfterChain(inv.PaymentHash)
	cr.checkLndClosed(c, view, "LOCAL_FORCE_CLOSE")
	cr.checkLndWallet(commitment, commitHeight, []uint32{toRemote, inOut, outOut}, before.lnd)
}
