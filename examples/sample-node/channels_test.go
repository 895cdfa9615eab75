package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
)

// waitTimeout bounds each wait of the channel tests.
const waitTimeout = 60 * time.Second

// waitEvent waits until the node printed count EVENT lines containing
// each of parts.
func (n *testNode) waitEvent(count int, parts ...string) {
	n.t.Helper()
	require.Eventually(n.t, func() bool { return n.countEvents(parts...) >= count },
		waitTimeout, 50*time.Millisecond, "%s: waiting for %d EVENT lines with %q; stderr:\n%s", n.name, count, parts, n.stderr.String())
}

// countEvents counts the EVENT lines containing each of parts.
func (n *testNode) countEvents(parts ...string) int {
	c := 0
	for _, l := range strings.Split(n.stderr.String(), "\n") {
		if !strings.HasPrefix(l, "EVENT: ") {
			continue
		}
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			c++
		}
	}
	return c
}

// balance returns the node's getbalance.
func (n *testNode) balance() balanceResult {
	n.t.Helper()
	var b balanceResult
	n.mustCmd("getbalance", &b)
	return b
}

// waitBalance waits until the node's balance is want.
func (n *testNode) waitBalance(want balanceResult) {
	n.t.Helper()
	var got balanceResult
	require.Eventually(n.t, func() bool {
		got = n.balance()
		return got == want
	}, waitTimeout, 50*time.Millisecond, "%s: balance", n.name)
}

// channels returns the node's listchannels.
func (n *testNode) channels() []channelResult {
	n.t.Helper()
	var r listChannelsResult
	n.mustCmd("listchannels", &r)
	return r.Channels
}

// waitChannel waits until the node's channel id (or temporary id) is in
// state and returns it.
func (n *testNode) waitChannel(id, state string, usable bool) channelResult {
	n.t.Helper()
	var found channelResult
	require.Eventually(n.t, func() bool {
		for _, c := range n.channels() {
			if (c.ChannelID == id || c.TemporaryChannelID == id) && c.State == state && c.Usable == usable {
				found = c
				return true
			}
		}
		return false
	}, waitTimeout, 50*time.Millisecond, "%s: channel %s %s usable=%v; stderr:\n%s", n.name, id, state, usable, n.stderr.String())
	return found
}

// transactions returns the node's listtransactions by txid.
func (n *testNode) transactions() map[string]transactionResult {
	n.t.Helper()
	var r listTransactionsResult
	n.mustCmd("listtransactions", &r)
	out := map[string]transactionResult{}
	for _, tx := range r.Transactions {
		out[tx.Txid] = tx
	}
	return out
}

// rawTx fetches a transaction from btcd.
func rawTx(t *testing.T, b *regtest.Btcd, txid string) *btcwire.MsgTx {
	t.Helper()
	var s string
	require.NoError(t, json.Unmarshal(b.RPC(t, "getrawtransaction", txid, 0), &s))
	raw, err := hex.DecodeString(s)
	require.NoError(t, err)
	tx := &btcwire.MsgTx{}
	require.NoError(t, tx.Deserialize(bytes.NewReader(raw)))
	return tx
}

// waitMempoolTxid waits until txid is in btcd's mempool.
func waitMempoolTxid(t *testing.T, b *regtest.Btcd, txid string) {
	t.Helper()
	h, err := chainhash.NewHashFromStr(txid)
	require.NoError(t, err)
	b.WaitMempoolTx(t, *h)
}

// fund sends sats to a new address of n and returns the txid.
func fund(t *testing.T, b *regtest.Btcd, n *testNode, sats btcutil.Amount) {
	t.Helper()
	var a newAddressResult
	n.mustCmd("newaddress", &a)
	require.True(t, strings.HasPrefix(a.Address, "bcrt1q"), a.Address)
	b.SendToAddress(t, a.Address, sats)
}

// TestSampleNodeChannels runs two sample nodes on btcd regtest: wallet
// commands, channels of both types opened alice → bob, listchannels on
// both sides, payments both ways (an invoice, a keysend) with their
// balances checked to the millisatoshi, a restart of bob with his
// channels open and his payments listed, a cooperative close and a force
// close whose outputs are swept into both wallets after the delay, every
// balance checked to the satoshi.
func TestSampleNodeChannels(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)

	// Our to_self_delay: long enough past the monitor's 6 confirmations
	// that the to_local sweep waits for it.
	const delay = "10"
	aliceDir, bobDir := t.TempDir(), t.TempDir()
	alice := startTestNode(t, "alice", btcd, aliceDir, "--to-self-delay", delay)
	_, bobPort, err := net.SplitHostPort(deadAddr(t))
	require.NoError(t, err)
	bob := startTestNodeOn(t, "bob", btcd, bobDir, bobPort, "--to-self-delay", delay)
	var ai, bi nodeInfoResult
	alice.mustCmd("nodeinfo", &ai)
	bob.mustCmd("nodeinfo", &bi)

	// Wallets: funded from btcd, then alice pays bob.
	for range 4 { // one coin per funding: a funding spends confirmed coins
		fund(t, btcd, alice, 500_000)
	}
	fund(t, btcd, bob, 300_000)
	btcd.Generate(t, 1)
	alice.waitBalance(balanceResult{ConfirmedSat: 2_000_000, TotalSat: 2_000_000})
	bob.waitBalance(balanceResult{ConfirmedSat: 300_000, TotalSat: 300_000})

	var e errorResult
	var bobAddr newAddressResult
	bob.mustCmd("newaddress", &bobAddr)
	alice.cmd("sendtoaddress "+bobAddr.Address+" 5000000", &e)
	require.Contains(t, e.Error, "sat needed with the fee: send less, or fund the wallet")
	alice.cmd("sendtoaddress tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx 1000", &e)
	require.Contains(t, e.Error, "is not a regtest address")
	var sent sendResult
	alice.mustCmd("sendtoaddress "+bobAddr.Address+" 10000", &sent)
	waitMempoolTxid(t, btcd, sent.Txid)
	sendFee := alice.transactions()[sent.Txid].FeeSat
	require.Positive(t, sendFee)
	btcd.Generate(t, 1)
	aliceTotal := int64(2_000_000) - 10_000 - sendFee
	alice.waitBalance(balanceResult{ConfirmedSat: aliceTotal, TotalSat: aliceTotal})
	bob.waitBalance(balanceResult{ConfirmedSat: 310_000, TotalSat: 310_000})
	require.Equal(t, -(10_000 + sendFee), alice.transactions()[sent.Txid].AmountSat)
	require.EqualValues(t, 1, alice.transactions()[sent.Txid].Confirmations)

	// Bad channel commands say what to do.
	peerAddr := bi.NodeID + "@" + bi.ListeningOn
	alice.cmd("openchannel "+peerAddr+" 9000000", &e)
	require.Contains(t, e.Error, "send coins to an address from newaddress")
	alice.cmd("closechannel "+strings.Repeat("00", 32)+" "+bi.NodeID, &e)
	require.Contains(t, e.Error, "listchannels shows the channel ids")

	// Four channels alice → bob, each with a push to bob: both types,
	// public and private; each closes another way.
	specs := []chanSpec{
		{"static_remotekey, closed cooperatively by alice", "", 300_000, 50_000_000, "static_remotekey", false},
		{"anchors, force-closed by bob", "--with-anchors --public", 250_000, 20_000_000, "anchors", true},
		{"anchors, closed cooperatively by bob", "--with-anchors", 200_000, 30_000_000, "anchors", false},
		{"static_remotekey, force-closed by alice", "--public", 220_000, 40_000_000, "static_remotekey", true},
	}
	opens := make([]openChannelResult, len(specs))
	for i, sp := range specs {
		alice.mustCmd(fmt.Sprintf("openchannel %s %d %s --push-msat %d", peerAddr, sp.cap, sp.flags, sp.pushMsat), &opens[i])
		require.Equal(t, bi.NodeID, opens[i].Counterparty)
		require.Equal(t, sp.cap, opens[i].CapacitySat)
		alice.waitEvent(i+1, "channel_pending")
	}
	bob.waitEvent(len(specs), "open_channel_request accepted")
	btcd.WaitMempool(t, len(specs))

	// Alice restarts between the funding broadcast and channel_ready: at
	// start-up she dials bob again (the address openchannel saved).
	alice.quit()
	alice = startTestNode(t, "alice", btcd, aliceDir, "--to-self-delay", delay)
	alice.waitEvent(1, "reconnected peer="+bi.NodeID)
	pendingTxs := alice.transactions()
	fundedTotal := aliceTotal
	for _, o := range opens {
		c := alice.waitChannel(o.TemporaryChannelID, "awaiting_funding", false)
		tx, ok := pendingTxs[c.FundingTxid]
		require.True(t, ok, "the funding is in alice's wallet")
		require.EqualValues(t, 0, tx.Confirmations)
		fundedTotal -= c.CapacitySat + tx.FeeSat
	}
	// The fundings' coins are spent (not locked) and their change is
	// unconfirmed.
	b := alice.balance()
	require.Zero(t, b.LockedSat)
	require.Equal(t, fundedTotal, b.TotalSat)
	require.Equal(t, b.TotalSat, b.ConfirmedSat+b.UnconfirmedSat)

	btcd.Generate(t, 1)
	// The wait for confirmations shows on the console.
	alice.waitEvent(len(specs), "funding_confirmations", "depth=1/6")
	bob.waitEvent(len(specs), "funding_confirmations", "depth=1/6")
	btcd.Generate(t, 5)
	chans := make([]channelResult, len(specs))
	for i, o := range opens {
		chans[i] = alice.waitChannel(o.TemporaryChannelID, "ready", true)
		cb := bob.waitChannel(chans[i].ChannelID, "ready", true)
		checkChannelPair(t, specs[i], o, chans[i], cb, ai.NodeID, bi.NodeID)
	}
	alice.waitEvent(len(specs), "channel_ready")
	bob.waitEvent(len(specs), "channel_ready")

	// The two public channels are announced (BOLT 7, at 6 confirmations):
	// each node's graph holds both channels and both nodes.
	for _, n := range []*testNode{alice, bob} {
		n.waitEvent(2, "channel_announced")
		var info nodeInfoResult
		require.Eventually(t, func() bool {
			n.mustCmd("nodeinfo", &info)
			return info.GraphChannels == 2 && info.GraphNodes == 2
		}, waitTimeout, 100*time.Millisecond, "%s: graph %d nodes %d channels", n.name, info.GraphNodes, info.GraphChannels)
		require.Equal(t, len(specs), info.NumChannels)
		require.Equal(t, len(specs), info.NumUsableChannels)
	}
	var aInfo nodeInfoResult
	alice.mustCmd("nodeinfo", &aInfo)
	var local uint64
	for _, sp := range specs {
		local += uint64(sp.cap*1000 - sp.pushMsat)
	}
	require.Equal(t, local, aInfo.LocalBalanceMsat)

	// Alice's wallet paid the fundings and their fees, to the satoshi.
	txs := alice.transactions()
	for _, c := range chans {
		tx, ok := txs[c.FundingTxid]
		require.True(t, ok, "funding %s in alice's wallet", c.FundingTxid)
		require.Positive(t, tx.FeeSat)
		require.Equal(t, -(c.CapacitySat + tx.FeeSat), tx.AmountSat)
		aliceTotal -= c.CapacitySat + tx.FeeSat
	}
	require.Equal(t, fundedTotal, aliceTotal)
	alice.waitBalance(balanceResult{ConfirmedSat: aliceTotal, TotalSat: aliceTotal})

	// Payments (issue 17): alice pays bob's invoice, bob keysends alice.
	// The channels' balances change: bob's share of each is what the
	// closes below give him.
	bobBalance, bobPayments := runPayments(t, alice, bob, ai.NodeID, bi.NodeID)
	for i := range specs {
		specs[i].pushMsat = int64(bobBalance[chans[i].ChannelID])
	}

	// Bob restarts with the channels open: alice reconnects to him and
	// the channels are usable again; his payments are still listed.
	bob.quit()
	bob = startTestNodeOn(t, "bob", btcd, bobDir, bobPort, "--to-self-delay", delay)
	for _, c := range chans {
		bob.waitChannel(c.ChannelID, "ready", true)
		alice.waitChannel(c.ChannelID, "ready", true)
	}
	alice.waitEvent(1, "reconnected peer="+bi.NodeID)
	require.Equal(t, bobPayments, paymentsOf(bob))
	bobTotal := int64(310_000)
	bob.waitBalance(balanceResult{ConfirmedSat: bobTotal, TotalSat: bobTotal})

	cl := closer{t: t, btcd: btcd, alice: alice, bob: bob, aliceTotal: &aliceTotal, bobTotal: &bobTotal}
	cl.cooperative(alice, bob, bi.NodeID, chans[0], specs[0])
	// Bob restarts while his claim waits for its delay: his monitor,
	// reloaded and caught up from its checkpoint, still claims it.
	cl.force(bob, alice, ai.NodeID, chans[1], specs[1], func() {
		bob.quit()
		bob = startTestNodeOn(t, "bob", btcd, bobDir, bobPort, "--to-self-delay", delay)
		cl.bob = bob
	})
	cl.cooperative(bob, alice, ai.NodeID, chans[2], specs[2])
	cl.force(alice, bob, bi.NodeID, chans[3], specs[3], nil)
	require.Empty(t, alice.channels())
	require.Empty(t, bob.channels())
	require.Positive(t, alice.countEvents("sweep_confirmations", "depth=1/6"))

	// A channel of the whole confirmed balance: the fee does not fit, so
	// the wallet cannot fund it; the channel is abandoned on both sides
	// and nothing stays locked.
	var o4 openChannelResult
	alice.mustCmd(fmt.Sprintf("openchannel %s %d", peerAddr, aliceTotal), &o4)
	alice.waitEvent(1, "funding_failed", o4.TemporaryChannelID, "insufficient funds")
	alice.waitEvent(1, "channel_closed", o4.TemporaryChannelID)
	require.Empty(t, alice.channels())
	require.Eventually(t, func() bool { return len(bob.channels()) == 0 }, waitTimeout, 50*time.Millisecond)
	alice.waitBalance(balanceResult{ConfirmedSat: aliceTotal, TotalSat: aliceTotal})

	// A node started with --no-accept-inbound refuses alice's channel;
	// nothing is left behind on either side.
	carol := startTestNode(t, "carol", btcd, t.TempDir(), "--no-accept-inbound")
	var ci nodeInfoResult
	carol.mustCmd("nodeinfo", &ci)
	var o3 openChannelResult
	alice.mustCmd("openchannel "+ci.NodeID+"@"+ci.ListeningOn+" 100000", &o3)
	carol.waitEvent(1, "open_channel_request rejected", o3.TemporaryChannelID)
	alice.waitEvent(1, "channel_closed", o3.TemporaryChannelID, "counterparty-error")
	require.Empty(t, alice.channels())
	require.Empty(t, carol.channels())
	alice.waitBalance(balanceResult{ConfirmedSat: aliceTotal, TotalSat: aliceTotal})

	alice.quit()
	bob.quit()
	carol.quit()
}

// chanSpec is one channel of TestSampleNodeChannels.
type chanSpec struct {
	name          string
	flags         string
	cap, pushMsat int64
	typ           string
	public        bool
}

// checkChannelPair checks the opener's (a) and the acceptor's (b) view of
// a new channel against its spec.
func checkChannelPair(t *testing.T, sp chanSpec, o openChannelResult, a, b channelResult, aliceID, bobID string) {
	t.Helper()
	require.Equal(t, o.TemporaryChannelID, a.TemporaryChannelID, sp.name)
	require.Equal(t, a.ChannelID, b.ChannelID, sp.name)
	require.Equal(t, sp.typ, a.ChannelType, sp.name)
	require.Equal(t, sp.typ, b.ChannelType, sp.name)
	require.Equal(t, sp.public, a.Public, sp.name)
	require.Equal(t, sp.public, b.Public, sp.name)
	require.True(t, a.IsOutbound, sp.name)
	require.False(t, b.IsOutbound, sp.name)
	require.Equal(t, bobID, a.Counterparty, sp.name)
	require.Equal(t, aliceID, b.Counterparty, sp.name)
	require.Equal(t, sp.cap, a.CapacitySat, sp.name)
	require.Equal(t, sp.cap, b.CapacitySat, sp.name)
	require.EqualValues(t, sp.cap*1000-sp.pushMsat, a.LocalBalanceMsat, sp.name)
	require.EqualValues(t, sp.pushMsat, a.RemoteBalanceMsat, sp.name)
	require.EqualValues(t, sp.pushMsat, b.LocalBalanceMsat, sp.name)
	require.EqualValues(t, sp.cap*1000-sp.pushMsat, b.RemoteBalanceMsat, sp.name)
	require.Equal(t, a.LocalReserveSat, b.RemoteReserveSat, sp.name)
	require.Equal(t, a.RemoteReserveSat, b.LocalReserveSat, sp.name)
	require.EqualValues(t, sp.cap/100, a.LocalReserveSat, sp.name+": 1% of the capacity")
	require.NotEmpty(t, a.ShortChannelID, sp.name)
	require.Equal(t, a.ShortChannelID, b.ShortChannelID, sp.name)
	require.Equal(t, a.FundingTxid, b.FundingTxid, sp.name)
	require.Equal(t, a.FundingOutputIndex, b.FundingOutputIndex, sp.name)
	require.GreaterOrEqual(t, a.Confirmations, uint32(6), sp.name)
}

// closer closes the channels of TestSampleNodeChannels (alice the opener,
// bob the acceptor) and keeps both wallets' expected totals.
type closer struct {
	t                    *testing.T
	btcd                 *regtest.Btcd
	alice, bob           *testNode
	aliceTotal, bobTotal *int64
}

// closingTxid waits until n's listclosed shows the transaction that
// spent channel id's funding, and returns it.
func (c *closer) closingTxid(n *testNode, id string) string {
	c.t.Helper()
	var txid string
	require.Eventually(c.t, func() bool {
		var r listClosedResult
		n.mustCmd("listclosed", &r)
		for _, cl := range r.Closed {
			if cl.ChannelID == id && cl.ClosingTxid != "" {
				txid = cl.ClosingTxid
				return true
			}
		}
		return false
	}, waitTimeout, 50*time.Millisecond, "%s: closing txid of %s", n.name, id)
	return txid
}

// outputsValue sums a transaction's outputs.
func outputsValue(tx *btcwire.MsgTx) int64 {
	var sum int64
	for _, out := range tx.TxOut {
		sum += out.Value
	}
	return sum
}

// waitTotals waits until both wallets hold their expected totals, all
// confirmed.
func (c *closer) waitTotals() {
	c.t.Helper()
	c.alice.waitBalance(balanceResult{ConfirmedSat: *c.aliceTotal, TotalSat: *c.aliceTotal})
	c.bob.waitBalance(balanceResult{ConfirmedSat: *c.bobTotal, TotalSat: *c.bobTotal})
}

// cooperative closes ch from by's side: bob gets his push exactly, alice
// (the opener, who pays the closing fee) the rest minus the fee.
func (c *closer) cooperative(by, other *testNode, otherID string, ch channelResult, sp chanSpec) {
	t := c.t
	t.Helper()
	var r closeChannelResult
	by.mustCmd("closechannel "+ch.ChannelID+" "+otherID, &r)
	require.Equal(t, closeChannelResult{ChannelID: ch.ChannelID, Status: "closing"}, r, sp.name)
	by.waitEvent(1, "channel_closed", ch.ChannelID, "reason=cooperative-by-us")
	other.waitEvent(1, "channel_closed", ch.ChannelID, "reason=cooperative-by-peer")
	c.btcd.WaitMempool(t, 1)
	c.btcd.Generate(t, 1)
	txid := c.closingTxid(by, ch.ChannelID)
	require.Equal(t, txid, c.closingTxid(other, ch.ChannelID))
	fee := sp.cap - outputsValue(rawTx(t, c.btcd, txid))
	require.Positive(t, fee, sp.name)
	*c.aliceTotal += sp.cap - sp.pushMsat/1000 - fee
	*c.bobTotal += sp.pushMsat / 1000
	c.waitTotals()
}

// force force-closes ch from by's side (restart, when set, runs once the
// commitment confirmed), mines until both sides swept their output of the
// commitment, and checks each claim and both wallets to the satoshi.
func (c *closer) force(by, other *testNode, otherID string, ch channelResult, sp chanSpec, restart func()) {
	t := c.t
	t.Helper()
	var r closeChannelResult
	by.mustCmd("forceclosechannel "+ch.ChannelID+" "+otherID, &r)
	require.Equal(t, closeChannelResult{ChannelID: ch.ChannelID, Status: "force_closed"}, r, sp.name)
	by.waitEvent(1, "channel_closed", ch.ChannelID, "holder-force-closed")
	// The other side fails the channel too (the error); whichever
	// commitment btcd took first confirms: the claims are the same.
	other.waitEvent(1, "channel_closed", ch.ChannelID)
	c.btcd.WaitMempool(t, 1)
	c.btcd.Generate(t, 1)
	commitTxid := c.closingTxid(by, ch.ChannelID)
	if restart != nil {
		restart()
	}
	anchors := int64(0)
	if sp.typ == "anchors" {
		anchors = 2 * 330
	}
	aliceClaim := outputsValue(rawTx(t, c.btcd, commitTxid)) - sp.pushMsat/1000 - anchors
	// Before the sweeps: each side's output of the commitment is a
	// balance awaiting confirmations.
	c.requireAwaiting(c.alice, ch.ChannelID, aliceClaim)
	c.requireAwaiting(c.bob, ch.ChannelID, sp.pushMsat/1000)
	// Mine until both sweeps are out: each node prints its sweep.
	require.Eventually(t, func() bool {
		if c.alice.countEvents("sweep txid=", ch.ChannelID) > 0 && c.bob.countEvents("sweep txid=", ch.ChannelID) > 0 {
			return true
		}
		c.btcd.Generate(t, 1)
		return false
	}, waitTimeout, 500*time.Millisecond, "%s: sweeps", sp.name)
	c.btcd.Generate(t, 1)
	as, bs := c.sweepOf(c.alice, commitTxid), c.sweepOf(c.bob, commitTxid)
	require.Equal(t, aliceClaim, as.AmountSat+as.FeeSat, "%s: alice's claim, to the satoshi", sp.name)
	require.Equal(t, sp.pushMsat/1000, bs.AmountSat+bs.FeeSat, "%s: bob's claim, to the satoshi", sp.name)
	*c.aliceTotal += as.AmountSat + c.bumps(c.alice, commitTxid)
	*c.bobTotal += bs.AmountSat + c.bumps(c.bob, commitTxid)
	c.waitTotals()
	// Six deep, the sweeps are forgotten.
	c.btcd.Generate(t, 5)
	c.alice.waitEvent(1, "sweep_confirmed", ch.ChannelID)
	c.bob.waitEvent(1, "sweep_confirmed", ch.ChannelID)
}

// requireAwaiting waits until n's claimablebalances shows exactly sat of
// channel id awaiting confirmations (none when sat is 0).
func (c *closer) requireAwaiting(n *testNode, id string, sat int64) {
	c.t.Helper()
	var got int64
	require.Eventually(c.t, func() bool {
		var r balancesResult
		n.mustCmd("claimablebalances", &r)
		got = 0
		for _, b := range r.Balances {
			if b.ChannelID == id && b.Kind == "awaiting-confirmations" {
				got += b.AmountSat
			}
		}
		return got == sat
	}, waitTimeout, 50*time.Millisecond, "%s: balance awaiting confirmations %d, want %d", n.name, got, sat)
}

// sweepOf waits for n's confirmed sweep of an output of commitTxid.
func (c *closer) sweepOf(n *testNode, commitTxid string) transactionResult {
	t := c.t
	t.Helper()
	var found transactionResult
	require.Eventually(t, func() bool {
		for _, tx := range n.transactions() {
			if tx.Confirmations >= 1 && tx.AmountSat > 0 && rawTx(t, c.btcd, tx.Txid).TxIn[0].PreviousOutPoint.Hash.String() == commitTxid {
				found = tx
				return true
			}
		}
		return false
	}, waitTimeout, 100*time.Millisecond, "%s: confirmed sweep", n.name)
	return found
}

// bumps is what n's anchor CPFP children of commitTxid cost (negative):
// one is made when fees rose since the commitment was signed.
func (c *closer) bumps(n *testNode, commitTxid string) int64 {
	var sum int64
	for _, tx := range n.transactions() {
		if tx.AmountSat >= 0 {
			continue
		}
		for _, in := range rawTx(c.t, c.btcd, tx.Txid).TxIn {
			if in.PreviousOutPoint.Hash.String() == commitTxid {
				sum += tx.AmountSat
			}
		}
	}
	return sum
}
