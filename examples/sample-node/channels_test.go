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
// both sides, a restart of bob with his channels open, a cooperative
// close and a force close whose outputs are swept into both wallets after
// the delay, every balance checked to the satoshi.
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
	fund(t, btcd, alice, 1_000_000)
	fund(t, btcd, alice, 1_000_000)
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

	// Two channels alice → bob: static_remotekey (private) and anchors
	// (public), each with a push to bob.
	const (
		staticCap, staticPush   = 300_000, 50_000_000
		anchorsCap, anchorsPush = 250_000, 20_000_000
	)
	var o1, o2 openChannelResult
	alice.mustCmd("openchannel "+peerAddr+" 300000 --push-msat 50000000", &o1)
	require.Equal(t, bi.NodeID, o1.Counterparty)
	require.EqualValues(t, staticCap, o1.CapacitySat)
	alice.waitEvent(1, "channel_pending")
	alice.mustCmd("openchannel "+peerAddr+" 250000 --with-anchors --public --push-msat=20000000", &o2)
	alice.waitEvent(2, "channel_pending")
	bob.waitEvent(2, "open_channel_request accepted")
	btcd.WaitMempool(t, 2)

	// Alice restarts between the funding broadcast and channel_ready: at
	// start-up she dials bob again (the address openchannel saved).
	alice.quit()
	alice = startTestNode(t, "alice", btcd, aliceDir, "--to-self-delay", delay)
	alice.waitEvent(1, "reconnected peer="+bi.NodeID)
	pendingTxs := alice.transactions()
	fundedTotal := aliceTotal
	for _, tmp := range []string{o1.TemporaryChannelID, o2.TemporaryChannelID} {
		c := alice.waitChannel(tmp, "awaiting_funding", false)
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
	alice.waitEvent(2, "funding_confirmations", "depth=1/6")
	bob.waitEvent(2, "funding_confirmations", "depth=1/6")
	btcd.Generate(t, 5)
	staticA := alice.waitChannel(o1.TemporaryChannelID, "ready", true)
	anchorsA := alice.waitChannel(o2.TemporaryChannelID, "ready", true)
	staticB := bob.waitChannel(staticA.ChannelID, "ready", true)
	anchorsB := bob.waitChannel(anchorsA.ChannelID, "ready", true)
	alice.waitEvent(2, "channel_ready")
	bob.waitEvent(2, "channel_ready")

	for _, c := range []struct {
		a, b       channelResult
		cap, push  int64
		typ        string
		public     bool
		tmp        string
		fundingFee int64
	}{
		{staticA, staticB, staticCap, staticPush, "static_remotekey", false, o1.TemporaryChannelID, 0},
		{anchorsA, anchorsB, anchorsCap, anchorsPush, "anchors", true, o2.TemporaryChannelID, 0},
	} {
		require.Equal(t, c.tmp, c.a.TemporaryChannelID)
		require.Equal(t, c.a.ChannelID, c.b.ChannelID)
		require.Equal(t, c.typ, c.a.ChannelType)
		require.Equal(t, c.typ, c.b.ChannelType)
		require.Equal(t, c.public, c.a.Public)
		require.Equal(t, c.public, c.b.Public)
		require.True(t, c.a.IsOutbound)
		require.False(t, c.b.IsOutbound)
		require.Equal(t, bi.NodeID, c.a.Counterparty)
		require.Equal(t, ai.NodeID, c.b.Counterparty)
		require.Equal(t, c.cap, c.a.CapacitySat)
		require.Equal(t, c.cap, c.b.CapacitySat)
		require.EqualValues(t, c.cap*1000-c.push, c.a.LocalBalanceMsat)
		require.EqualValues(t, c.push, c.a.RemoteBalanceMsat)
		require.EqualValues(t, c.push, c.b.LocalBalanceMsat)
		require.EqualValues(t, c.cap*1000-c.push, c.b.RemoteBalanceMsat)
		require.Equal(t, c.a.LocalReserveSat, c.b.RemoteReserveSat)
		require.Equal(t, c.a.RemoteReserveSat, c.b.LocalReserveSat)
		require.Positive(t, c.a.LocalReserveSat)
		require.NotEmpty(t, c.a.ShortChannelID)
		require.Equal(t, c.a.ShortChannelID, c.b.ShortChannelID)
		require.Equal(t, c.a.FundingTxid, c.b.FundingTxid)
		require.Equal(t, c.a.FundingOutputIndex, c.b.FundingOutputIndex)
		require.GreaterOrEqual(t, c.a.Confirmations, uint32(6))
	}

	// Alice's wallet paid both fundings and their fees, to the satoshi.
	txs := alice.transactions()
	for _, c := range []channelResult{staticA, anchorsA} {
		tx, ok := txs[c.FundingTxid]
		require.True(t, ok, "funding %s in alice's wallet", c.FundingTxid)
		require.Positive(t, tx.FeeSat)
		require.Equal(t, -(c.CapacitySat + tx.FeeSat), tx.AmountSat)
		aliceTotal -= c.CapacitySat + tx.FeeSat
	}
	alice.waitBalance(balanceResult{ConfirmedSat: aliceTotal, TotalSat: aliceTotal})

	// Bob restarts with both channels open: alice reconnects to him and
	// the channels are usable again.
	bob.quit()
	bob = startTestNodeOn(t, "bob", btcd, bobDir, bobPort, "--to-self-delay", delay)
	bob.waitChannel(staticA.ChannelID, "ready", true)
	bob.waitChannel(anchorsA.ChannelID, "ready", true)
	alice.waitChannel(staticA.ChannelID, "ready", true)
	alice.waitEvent(1, "reconnected peer="+bi.NodeID)
	bob.waitBalance(balanceResult{ConfirmedSat: 310_000, TotalSat: 310_000})

	// Cooperative close of the static_remotekey channel by alice: bob
	// gets his push exactly, alice the rest minus the closing fee.
	var cl closeChannelResult
	alice.mustCmd("closechannel "+staticA.ChannelID+" "+bi.NodeID, &cl)
	require.Equal(t, closeChannelResult{ChannelID: staticA.ChannelID, Status: "closing"}, cl)
	alice.waitEvent(1, "channel_closed", staticA.ChannelID, "cooperative")
	bob.waitEvent(1, "channel_closed", staticA.ChannelID, "cooperative")
	btcd.WaitMempool(t, 1)
	btcd.Generate(t, 1)
	var closedA listClosedResult
	require.Eventually(t, func() bool {
		alice.mustCmd("listclosed", &closedA)
		return len(closedA.Closed) == 1 && closedA.Closed[0].ClosingTxid != ""
	}, waitTimeout, 50*time.Millisecond)
	require.Equal(t, staticA.ChannelID, closedA.Closed[0].ChannelID)
	require.Equal(t, bi.NodeID, closedA.Closed[0].Counterparty)
	require.Equal(t, "cooperative-by-us", closedA.Closed[0].Reason)
	closing := rawTx(t, btcd, closedA.Closed[0].ClosingTxid)
	var closingOut int64
	for _, out := range closing.TxOut {
		closingOut += out.Value
	}
	closingFee := staticCap - closingOut
	require.Positive(t, closingFee)
	aliceTotal += staticCap - staticPush/1000 - closingFee
	alice.waitBalance(balanceResult{ConfirmedSat: aliceTotal, TotalSat: aliceTotal})
	bobTotal := int64(310_000 + staticPush/1000)
	bob.waitBalance(balanceResult{ConfirmedSat: bobTotal, TotalSat: bobTotal})

	// Force close of the anchors channel by bob: his commitment confirms;
	// alice sweeps her to_remote after the monitor's 6 blocks, bob his
	// to_local after the delay alice asked (6 blocks); each sweep lands in
	// its wallet.
	bob.mustCmd("forceclosechannel "+anchorsA.ChannelID+" "+ai.NodeID, &cl)
	require.Equal(t, closeChannelResult{ChannelID: anchorsA.ChannelID, Status: "force_closed"}, cl)
	bob.waitEvent(1, "channel_closed", anchorsA.ChannelID, "holder-force-closed")
	// Alice fails the channel too (bob's error); whichever commitment
	// btcd took first confirms: the amounts below are the same for both.
	alice.waitEvent(1, "channel_closed", anchorsA.ChannelID)
	btcd.WaitMempool(t, 1)
	btcd.Generate(t, 1)
	var closedB listClosedResult
	require.Eventually(t, func() bool {
		bob.mustCmd("listclosed", &closedB)
		for _, c := range closedB.Closed {
			if c.ChannelID == anchorsA.ChannelID && c.ClosingTxid != "" {
				return true
			}
		}
		return false
	}, waitTimeout, 50*time.Millisecond)
	var commitTxid string
	for _, c := range closedB.Closed {
		if c.ChannelID == anchorsA.ChannelID {
			commitTxid = c.ClosingTxid
		}
	}
	// Bob restarts while his claim waits for its delay: his monitor,
	// reloaded and caught up from its checkpoint, still claims it.
	bob.quit()
	bob = startTestNodeOn(t, "bob", btcd, bobDir, bobPort, "--to-self-delay", delay)
	commitTx := rawTx(t, btcd, commitTxid)
	var commitOut int64
	for _, out := range commitTx.TxOut {
		commitOut += out.Value
	}
	const anchorValues = 2 * 330
	aliceClaim := commitOut - anchorsPush/1000 - anchorValues
	// Mine until both sweeps are in: each node prints its sweep.
	require.Eventually(t, func() bool {
		if alice.countEvents("sweep txid=", anchorsA.ChannelID) > 0 && bob.countEvents("sweep txid=", anchorsA.ChannelID) > 0 {
			return true
		}
		btcd.Generate(t, 1)
		return false
	}, waitTimeout, time.Second)
	btcd.Generate(t, 1)
	sweepOf := func(n *testNode) transactionResult {
		t.Helper()
		var found transactionResult
		require.Eventually(t, func() bool {
			for _, tx := range n.transactions() {
				if tx.Confirmations >= 1 && tx.AmountSat > 0 && rawTx(t, btcd, tx.Txid).TxIn[0].PreviousOutPoint.Hash.String() == commitTxid {
					found = tx
					return true
				}
			}
			return false
		}, waitTimeout, 100*time.Millisecond, "%s: confirmed sweep", n.name)
		return found
	}
	as, bs := sweepOf(alice), sweepOf(bob)
	require.Equal(t, aliceClaim, as.AmountSat+as.FeeSat, "alice's to_remote, to the satoshi")
	require.Equal(t, int64(anchorsPush/1000), bs.AmountSat+bs.FeeSat, "bob's to_local, to the satoshi")
	// An anchor CPFP child (fees rose since the commitment was signed)
	// cost its fee.
	bumps := func(n *testNode) int64 {
		var sum int64
		for _, tx := range n.transactions() {
			if tx.AmountSat >= 0 {
				continue
			}
			for _, in := range rawTx(t, btcd, tx.Txid).TxIn {
				if in.PreviousOutPoint.Hash.String() == commitTxid {
					sum += tx.AmountSat
				}
			}
		}
		return sum
	}
	aliceTotal += as.AmountSat + bumps(alice)
	bobTotal += bs.AmountSat + bumps(bob)
	alice.waitBalance(balanceResult{ConfirmedSat: aliceTotal, TotalSat: aliceTotal})
	bob.waitBalance(balanceResult{ConfirmedSat: bobTotal, TotalSat: bobTotal})
	require.Empty(t, alice.channels())
	require.Empty(t, bob.channels())
	// Six deep, the sweeps are forgotten: their progress was shown.
	btcd.Generate(t, 5)
	alice.waitEvent(1, "sweep_confirmed", anchorsA.ChannelID)
	bob.waitEvent(1, "sweep_confirmed", anchorsA.ChannelID)
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
