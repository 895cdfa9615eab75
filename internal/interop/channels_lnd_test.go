package interop

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
)

// Amounts of the channel tests, in satoshis.
const (
	chanCapacity = 1_000_000
	// pushSat is what the opener pushes to the other side, so that both
	// have an output on every commitment and closing transaction.
	pushSat = 100_000
	// risenFeeRate is the sample node's fee floor (sat/kw) once "fees
	// rose": well above the commitments' rate on this chain.
	risenFeeRate = 5000
	// risenFeeFlag sets it.
	risenFeeFlag = "--min-fee-rate=5000"
	utxoAmount   = 2_000_000 // one wallet UTXO per channel a node funds
	// announceDepth is the funding depth at which both sides exchange
	// announcement_signatures (BOLT 7) and lnd adds the channel to its
	// graph; it is also at least both minimum depths.
	announceDepth = 6
)

// rig is one private chain with one lnd and one sample node, funded and
// connected: the scenarios of TestChannelsLnd each get their own, so they
// run in parallel without mining under each other's feet.
type rig struct {
	t    *testing.T
	btcd *regtest.Btcd
	lnd  *regtest.Lnd
	node *sampleProc
}

// newRig starts btcd (segwit active), an lnd with lndArgs, and a sample
// node with nodeFlags; it gives each wallet utxos outputs of utxoAmount
// (confirmed), and connects lnd to the sample node.
func newRig(t *testing.T, bin string, utxos int, lndArgs []string, nodeFlags ...string) *rig {
	t.Helper()
	return newRigLnd(t, bin, utxos, regtest.LndOptions{ExtraArgs: lndArgs}, nodeFlags...)
}

// newRigLnd is newRig with lnd's options (lnd-fastfee, a fee URL): the
// rig names lnd "lnd", and lndOpts.ExtraArgs follow the rig's own flags.
func newRigLnd(t *testing.T, bin string, utxos int, lndOpts regtest.LndOptions, nodeFlags ...string) *rig {
	t.Helper()
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)
	// maxpendingchannels: lnkit opens several channels before any
	// confirms. PEER=debug logs the messages lnd receives (the errors
	// lnkit sends).
	lndOpts.Alias = "lnd"
	lndOpts.ExtraArgs = append([]string{"--maxpendingchannels=10", "--debuglevel=info,PEER=debug,FNDG=debug,CHCL=debug"}, lndOpts.ExtraArgs...)
	lnd := regtest.StartLnd(t, btcd, lndOpts)
	node := startSample(t, bin, "lnkit", btcd, nodeFlags...)
	r := &rig{t: t, btcd: btcd, lnd: lnd, node: node}

	var addr struct {
		Address string `json:"address"`
	}
	lndBefore := lnd.ConfirmedBalance(t)
	nodeBefore := node.balance().Confirmed
	for range utxos {
		node.run(&addr, "newaddress")
		btcd.SendToAddress(t, addr.Address, utxoAmount)
		lnd.CLIJSON(t, &addr, "newaddress", "p2wkh")
		btcd.SendToAddress(t, addr.Address, utxoAmount)
	}
	btcd.Generate(t, 1)
	lnd.WaitSynced(t)
	node.waitConfirmed(nodeBefore + int64(utxos)*utxoAmount)
	regtest.WaitFor(t, "lnd's funds", func() (bool, string) {
		b := lnd.ConfirmedBalance(t)
		return b == lndBefore+btcAmount(int64(utxos)*utxoAmount), b.String()
	})
	lnd.ConnectPeerAddr(t, node.nodeID, node.addr)
	return r
}

// mine mines n blocks and waits until lnd is synced.
func (r *rig) mine(n int) {
	r.t.Helper()
	r.btcd.Generate(r.t, n)
	r.lnd.WaitSynced(r.t)
}

// openSpec describes one channel a scenario opens.
type openSpec struct {
	byLnkit bool // lnkit opens (openchannel), else lnd (lncli openchannel)
	public  bool
	anchors bool
}

func (s openSpec) String() string {
	by, vis, typ := "lnd", "private", "static_remotekey"
	if s.byLnkit {
		by = "lnkit"
	}
	if s.public {
		vis = "public"
	}
	if s.anchors {
		typ = "anchors"
	}
	return by + "-opens-" + vis + "-" + typ
}

// openedChannel is a channel both sides list as active.
type openedChannel struct {
	spec  openSpec
	txid  string // funding txid
	lnkit sampleChannel
	lnd   regtest.LndChannel
}

// chanPoint returns "txid:index".
func (c *openedChannel) chanPoint() string { return c.lnd.ChannelPoint }

// open starts the opening of a channel as spec says and returns the
// funding txid once the funding transaction is in btcd's mempool.
func (r *rig) open(spec openSpec) string {
	r.t.Helper()
	if !spec.byLnkit {
		typ := "tweakless"
		if spec.anchors {
			typ = "anchors"
		}
		r.lnd.ConnectPeerAddr(r.t, r.node.nodeID, r.node.addr)
		return r.lnd.OpenChannelTo(r.t, r.node.nodeID, chanCapacity,
			regtest.LndOpen{Private: !spec.public, ChannelType: typ, PushSat: pushSat})
	}
	cmd := "openchannel " + r.lnd.URI() + " " + strconv.Itoa(chanCapacity) + " --push-msat " + strconv.Itoa(pushSat*1000)
	if spec.public {
		cmd += " --public"
	}
	if spec.anchors {
		cmd += " --with-anchors"
	}
	var opened sampleOpened
	r.node.run(&opened, cmd)
	require.Equal(r.t, r.lnd.NodeID, opened.Counterparty)
	require.EqualValues(r.t, chanCapacity, opened.CapacitySat)
	var txid string
	regtest.WaitFor(r.t, "funding transaction of "+opened.TemporaryChannelID, func() (bool, string) {
		for _, c := range r.node.channels() {
			if c.TemporaryChannelID == opened.TemporaryChannelID && c.FundingTxid != "" {
				txid = c.FundingTxid
				return true, ""
			}
		}
		return false, ""
	})
	h := fundingOutPoint(r.t, txid, 0).Hash
	r.btcd.WaitMempoolTx(r.t, h)
	return txid
}

// waitOpen waits until both sides list the channel funded by txid as
// active (the funding must be deep enough) and checks that they agree:
// capacity, balances, reserves, short channel id, visibility, type and
// who opened it. For a public channel it also waits until lnd's graph
// has it.
func (r *rig) waitOpen(spec openSpec, txid string) *openedChannel {
	r.t.Helper()
	t := r.t
	c := &openedChannel{spec: spec, txid: txid}
	c.lnkit = r.node.waitUsable(txid)
	chanPoint := r.lnd.WaitChannelActive(t, txid)
	var ok bool
	c.lnd, ok = r.lnd.FindChannel(t, txid)
	require.True(t, ok)
	require.Equal(t, chanPoint, c.lnd.ChannelPoint)

	require.Equal(t, r.lnd.NodeID, c.lnkit.Counterparty)
	require.Equal(t, r.node.nodeID, c.lnd.RemotePubkey)
	require.Equal(t, c.lnd.ChannelPoint, c.lnkit.FundingTxid+":"+strconv.Itoa(int(c.lnkit.FundingOutputIndex)))
	require.EqualValues(t, chanCapacity, c.lnkit.CapacitySat)
	require.EqualValues(t, chanCapacity, c.lnd.Capacity)
	require.Equal(t, c.lnd.SCID(), c.lnkit.ShortChannelID, "short channel id")
	require.Equal(t, spec.public, c.lnkit.Public)
	require.Equal(t, !spec.public, c.lnd.Private)
	require.Equal(t, spec.byLnkit, c.lnkit.IsOutbound)
	require.Equal(t, !spec.byLnkit, c.lnd.Initiator)
	if spec.anchors {
		require.Equal(t, "anchors", c.lnkit.ChannelType)
		require.Equal(t, "ANCHORS", c.lnd.CommitmentType)
	} else {
		require.Equal(t, "static_remotekey", c.lnkit.ChannelType)
		require.Equal(t, "STATIC_REMOTE_KEY", c.lnd.CommitmentType)
	}
	// Balances. lnd's local and remote balances are the commitment's
	// outputs: the opener's is net of the commitment fee and both anchors.
	// lnkit's are the channel balances (the opener's before that cost).
	anchors := int64(0)
	if spec.anchors {
		anchors = 2 * 330
	}
	require.Equal(t, int64(chanCapacity), c.lnd.LocalBalance+c.lnd.RemoteBalance+c.lnd.CommitFee+anchors,
		"balances + commitment fee + anchors = capacity")
	lnkitLocal, lnkitRemote := c.lnkit.LocalBalanceMsat/1000, c.lnkit.RemoteBalanceMsat/1000
	if spec.byLnkit {
		require.EqualValues(t, pushSat, c.lnd.LocalBalance, "lnkit pushed to lnd")
		lnkitLocal -= c.lnd.CommitFee + anchors
	} else {
		require.EqualValues(t, pushSat, c.lnd.RemoteBalance, "lnd pushed to lnkit")
		lnkitRemote -= c.lnd.CommitFee + anchors
	}
	require.Equal(t, c.lnd.RemoteBalance, lnkitLocal, "lnkit's balance as lnd sees it")
	require.Equal(t, c.lnd.LocalBalance, lnkitRemote, "lnd's balance as lnkit sees it")
	require.Equal(t, c.lnd.LocalChanReserveSat, c.lnkit.RemoteReserveSat, "lnd's reserve")
	require.Equal(t, c.lnd.RemoteChanReserveSat, c.lnkit.LocalReserveSat, "lnkit's reserve")

	if spec.public {
		regtest.WaitFor(t, "lnd's graph to have "+c.lnd.SCID(), func() (bool, string) {
			return r.lnd.GraphHasChannel(t, c.lnd.ShortChanID), ""
		})
	} else {
		require.False(t, r.lnd.GraphHasChannel(t, c.lnd.ShortChanID), "a private channel is not in lnd's graph")
	}
	return c
}

// openAll opens every channel of specs at once, mines announceDepth
// blocks and returns them once both sides agree on each.
func (r *rig) openAll(specs []openSpec) []*openedChannel {
	r.t.Helper()
	txids := make([]string, len(specs))
	for i, s := range specs {
		txids[i] = r.open(s)
	}
	r.mine(announceDepth)
	chans := make([]*openedChannel, len(specs))
	for i, s := range specs {
		chans[i] = r.waitOpen(s, txids[i])
	}
	return chans
}

// wallets is both on-chain balances (confirmed, satoshis) at one moment.
type wallets struct{ lnkit, lnd int64 }

// settled returns both confirmed wallet balances once nothing is
// unconfirmed on the lnkit side.
func (r *rig) settled() wallets {
	r.t.Helper()
	b := r.node.balance()
	require.Zero(r.t, b.Unconfirmed, "lnkit has unconfirmed funds: %+v", b)
	return wallets{lnkit: b.Confirmed, lnd: r.lnd.WalletBalance(r.t).Confirmed}
}

// coopClose closes c cooperatively from lnkit's side or lnd's, mines the
// closing transaction and checks, to the satoshi: the closing outputs are
// each side's balance, the opener alone paying the fee; each wallet grows
// by its output; both sides forget the channel; lnd records the close.
func (r *rig) coopClose(c *openedChannel, byLnkit bool) {
	r.t.Helper()
	t := r.t
	before := r.settled()
	funding := outPoint(t, c.chanPoint())
	var closing *btcwire.MsgTx
	if byLnkit {
		var res struct {
			ChannelID string `json:"channel_id"`
			Status    string `json:"status"`
		}
		r.node.run(&res, "closechannel "+c.lnkit.ChannelID+" "+r.lnd.NodeID)
		require.Equal(t, c.lnkit.ChannelID, res.ChannelID)
		require.Equal(t, "closing", res.Status)
		closing = waitSpender(t, r.btcd, funding, "cooperative closing transaction")
	} else {
		txid := r.lnd.CloseChannel(t, c.chanPoint(), false)
		closing = getTx(t, r.btcd, txid)
	}
	require.Len(t, closing.TxIn, 1)
	r.mine(1)
	r.node.waitEvent("channel_closed", c.lnkit.ChannelID)
	r.node.waitNoChannel(c.txid)
	closed := r.waitLndClosed(c, "COOPERATIVE_CLOSE")
	require.Equal(t, closing.TxHash().String(), closed.ClosingTxHash)

	fee := int64(chanCapacity) - outputsTotal(closing)
	require.Positive(t, fee)
	lnkitOut, lndOut := c.lnkit.LocalBalanceMsat/1000, c.lnd.LocalBalance
	// lnd's local_balance already excludes the commitment fee and anchors
	// when lnd opened; the closing fee replaces them.
	if c.spec.byLnkit {
		lnkitOut = int64(chanCapacity) - lndOut - fee
	} else {
		lndOut = int64(chanCapacity) - lnkitOut - fee
	}
	require.Equal(t, lndOut, closed.SettledBalance, "lnd's closing output: %s", describeTx(closing))
	require.ElementsMatch(t, []int64{lnkitOut, lndOut}, outputValues(closing), "closing outputs: %s", describeTx(closing))
	t.Logf("%s closed cooperatively by %s: fee %d sat, lnkit %d sat, lnd %d sat", c.spec, closer(byLnkit), fee, lnkitOut, lndOut)

	r.node.waitConfirmed(before.lnkit + lnkitOut)
	regtest.WaitFor(t, "lnd's wallet", func() (bool, string) {
		b := r.lnd.WalletBalance(t)
		return b.Confirmed == before.lnd+lndOut && b.Unconfirmed == 0, fmt.Sprintf("%+v, want confirmed %d", b, before.lnd+lndOut)
	})
}

// waitLndClosed waits until lnd lists c in closedchannels with closeType.
func (r *rig) waitLndClosed(c *openedChannel, closeType string) regtest.LndClosed {
	r.t.Helper()
	var found regtest.LndClosed
	regtest.WaitFor(r.t, "lnd's closedchannels to have "+c.chanPoint(), func() (bool, string) {
		for _, cl := range r.lnd.ClosedChannels(r.t) {
			if cl.ChannelPoint == c.chanPoint() {
				found = cl
				return true, ""
			}
		}
		return false, fmt.Sprintf("pending %+v", r.lnd.PendingChannels(r.t))
	})
	require.Equal(r.t, closeType, found.CloseType)
	return found
}

// outputValues lists tx's output values.
func outputValues(tx *btcwire.MsgTx) []int64 {
	v := make([]int64, len(tx.TxOut))
	for i, o := range tx.TxOut {
		v[i] = o.Value
	}
	return v
}

// closer names who closes.
func closer(byLnkit bool) string {
	if byLnkit {
		return "lnkit"
	}
	return "lnd"
}

// forceClose closes c unilaterally from lnkit's side or lnd's. It checks
// the commitment (and, when lnkit force-closes an anchor channel whose
// commitment pays less than lnkit's estimate, the anchor's CPFP child),
// then mines until lnkit has swept its own output into its wallet: after
// its to_self_delay when lnkit closed (to_local), at once when lnd did
// (to_remote). lnkit's wallet grows by exactly its output less the sweep
// fee (and less the CPFP child's cost); lnd records the close with its
// output as the settled balance, and lnd's wallet grows by exactly what
// its own claims on the commitment brought in.
func (r *rig) forceClose(c *openedChannel, byLnkit bool) {
	r.t.Helper()
	t := r.t
	before := r.settled()
	funding := outPoint(t, c.chanPoint())
	var commitment *btcwire.MsgTx
	if byLnkit {
		var res struct {
			ChannelID string `json:"channel_id"`
			Status    string `json:"status"`
		}
		r.node.run(&res, "forceclosechannel "+c.lnkit.ChannelID+" "+r.lnd.NodeID)
		require.Equal(t, "force_closed", res.Status)
		commitment = waitSpender(t, r.btcd, funding, "lnkit's commitment")
	} else {
		txid := r.lnd.CloseChannel(t, c.chanPoint(), true)
		commitment = getTx(t, r.btcd, txid)
	}
	commitTxid := commitment.TxHash()
	// lnkit's own output on the commitment: its balance, less the
	// commitment fee and anchors when it opened (lnd's view of lnkit's
	// balance already is that).
	ours := c.lnd.RemoteBalance
	idx := -1
	for i, o := range commitment.TxOut {
		if o.Value == ours {
			idx = i
		}
	}
	require.NotEqual(t, -1, idx, "no output of %d sat (lnkit's balance) in the commitment %s", ours, describeTx(commitment))

	// The anchor of lnkit is one of the two 330-sat outputs; lnkit spends
	// it in a CPFP child once its estimate beats the commitment's rate.
	childCost := int64(0) // what the child takes from lnkit's wallet
	if byLnkit && c.spec.anchors && slices.Contains(r.node.flags, risenFeeFlag) {
		require.Less(t, c.lnd.FeePerKw, int64(risenFeeRate))
		r.node.waitEvent("bump channel_id=" + c.lnkit.ChannelID)
		child := waitSpenderOfAnchor(t, r.btcd, commitment)
		childFee := txFee(t, r.btcd, child)
		childCost = childFee - 330
		pkgWeight := txWeight(commitment) + txWeight(child)
		pkgRate := (childFee + txFee(t, r.btcd, commitment)) * 1000 / pkgWeight
		t.Logf("anchor CPFP child %s: fee %d sat, package rate %d sat/kw (commitment alone %d sat/kw)",
			child.TxHash(), childFee, pkgRate, c.lnd.FeePerKw)
		require.Greater(t, pkgRate, c.lnd.FeePerKw, "the child raises the package's rate")
	}
	r.mine(1)
	r.node.waitEvent("channel_closed", c.lnkit.ChannelID)
	r.node.waitNoChannel(c.txid)

	// Mine until lnkit's sweep of its output appears (in the mempool, or
	// already in one of the last blocks), then confirm it.
	out := btcwire.OutPoint{Hash: commitTxid, Index: uint32(idx)}
	var sweep *btcwire.MsgTx
	for mined := 1; sweep == nil; mined++ {
		require.Less(t, mined, 2100, "lnkit never swept %v", out)
		var ok bool
		if sweep, ok = recentSpender(t, r.btcd, out, 2); !ok {
			r.mine(1)
		}
	}
	sweepFee := txFee(t, r.btcd, sweep)
	r.mine(1)
	r.node.waitConfirmed(before.lnkit + ours - sweepFee - childCost)
	// lnd lists the channel as closed once its own outputs are resolved:
	// after the to_self_delay lnkit asked of it when lnd closed.
	closeType := "REMOTE_FORCE_CLOSE"
	if !byLnkit {
		closeType = "LOCAL_FORCE_CLOSE"
	}
	for mined := 0; !r.lndClosed(c); mined += 10 {
		require.Less(t, mined, 2100, "lnd never resolved %s: %+v", c.chanPoint(), r.lnd.PendingChannels(t))
		r.mine(10)
	}
	closed := r.waitLndClosed(c, closeType)
	require.Equal(t, c.lnd.LocalBalance, closed.SettledBalance, "lnd's output on the commitment")

	// lnd's wallet: what lnd's own claims on the commitment (every spend
	// of a commitment output but lnkit's output and lnkit's anchor child)
	// brought in, less what they took from its wallet.
	commitHeight := r.txHeight(commitTxid.String())
	var lndGain int64
	for _, tx := range blockTxs(t, r.btcd, commitHeight) {
		if blockchain.IsCoinBaseTx(tx) {
			continue
		}
		spendsCommitment, fromElsewhere := false, int64(0)
		for _, in := range tx.TxIn {
			if in.PreviousOutPoint.Hash == commitTxid {
				spendsCommitment = spendsCommitment || in.PreviousOutPoint.Index != uint32(idx) && commitment.TxOut[in.PreviousOutPoint.Index].Value != 330
				continue
			}
			prev := getTx(t, r.btcd, in.PreviousOutPoint.Hash.String())
			fromElsewhere += prev.TxOut[in.PreviousOutPoint.Index].Value
		}
		if spendsCommitment {
			lndGain += outputsTotal(tx) - fromElsewhere
			t.Logf("lnd's claim %s: fee %d sat", tx.TxHash(), txFee(t, r.btcd, tx))
		}
	}
	regtest.WaitFor(t, "lnd's wallet", func() (bool, string) {
		b := r.lnd.WalletBalance(t)
		return b.Confirmed == before.lnd+lndGain && b.Unconfirmed == 0, fmt.Sprintf("%+v, want confirmed %d", b, before.lnd+lndGain)
	})
	t.Logf("%s force-closed by %s: lnkit's output %d sat swept with fee %d sat", c.spec, closer(byLnkit), ours, sweepFee)
}

// lndClosed reports whether lnd lists c in closedchannels.
func (r *rig) lndClosed(c *openedChannel) bool {
	r.t.Helper()
	for _, cl := range r.lnd.ClosedChannels(r.t) {
		if cl.ChannelPoint == c.chanPoint() {
			return true
		}
	}
	return false
}

// TestChannelsLnd runs lnkit's channel manager, as the sample node
// composes it, against lnd v0.20 on btcd regtest (issue 16). The
// scenarios run in parallel, each on its own chain with its own lnd and
// sample node:
//
//   - open_and_close: eight channels, each direction × public/private ×
//     anchors/static_remotekey, checked identical on both sides (capacity,
//     balances, reserves, short channel id; public ones in lnd's graph,
//     and lnd's verifymessage then validates the sample node's
//     signature); then each closes one way: cooperatively by lnkit or by
//     lnd, or by force from either side, both channel types each, with
//     balances checked to the satoshi.
//   - restarts: the sample node restarted between funding broadcast and
//     channel_ready and between ready and close, lnd restarted while the
//     channel is open; the channel resumes each time and closes.
//   - hostile: lnd opens with parameters lnkit's limits refuse; lnkit
//     refuses with an error lnd logs, and nothing is left on either side.
func TestChannelsLnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	// Runs beside the package's other integration tests: each has its
	// own btcd and lnd.
	t.Parallel()
	bin := buildSampleNode(t)
	t.Run("open_and_close", func(t *testing.T) {
		t.Parallel()
		testOpenAndClose(t, bin)
	})
	t.Run("restarts", func(t *testing.T) {
		t.Parallel()
		testRestarts(t, bin)
	})
	t.Run("hostile", func(t *testing.T) {
		t.Parallel()
		testHostileOpen(t, bin)
	})
}

// testOpenAndClose opens the eight kinds of channel, then closes each in
// one of the eight ways (who closes × how × type).
func testOpenAndClose(t *testing.T, bin string) {
	r := newRig(t, bin, 4, nil)
	specs := []openSpec{
		{byLnkit: true, public: true, anchors: false},
		{byLnkit: true, public: false, anchors: true},
		{byLnkit: true, public: true, anchors: true},
		{byLnkit: true, public: false, anchors: false},
		{byLnkit: false, public: true, anchors: true},
		{byLnkit: false, public: false, anchors: false},
		{byLnkit: false, public: true, anchors: false},
		{byLnkit: false, public: false, anchors: true},
	}
	chans := r.openAll(specs)

	t.Run("lnd verifies the sample node's signature", func(t *testing.T) {
		r.node.t = t
		testSampleNodeSignature(t, r.node, r.lnd)
		r.node.t = r.t
	})

	// Each channel closes one way; the anchor channel lnkit force-closes
	// goes last, after fees rose (the node restarted with a higher fee
	// floor), so that its commitment is bumped through lnkit's anchor.
	// Only lnkit-opened channels are open by then: lnd, which would react
	// to the new rates with update_fee on channels it opened, has none.
	closes := []struct {
		channel int
		name    string
		byLnkit bool
		force   bool
	}{
		{0, "lnkit closes cooperatively", true, false},
		{1, "lnd closes cooperatively", false, false},
		{3, "lnd force-closes", false, true},
		{4, "lnkit closes cooperatively", true, false},
		{5, "lnd closes cooperatively", false, false},
		{6, "lnkit force-closes", true, true},
		{7, "lnd force-closes", false, true},
		{2, "fees rise, lnkit force-closes", true, true},
	}
	for _, cl := range closes {
		c := chans[cl.channel]
		ok := t.Run(cl.name+" "+c.spec.String(), func(t *testing.T) {
			r.t, r.node.t = t, t
			if c.spec.anchors && cl.byLnkit && cl.force {
				r.node.flags = append(r.node.flags, risenFeeFlag)
				r.node.restart()
				r.node.waitUsable(c.txid)
				// As opener, lnkit catches up with its estimate at the
				// reestablishment (update_fee): take lnd's view once the
				// channel is quiet again.
				c.lnd = settledLndChannel(t, r.lnd, c.txid)
			}
			if cl.force {
				r.forceClose(c, cl.byLnkit)
			} else {
				r.coopClose(c, cl.byLnkit)
			}
		})
		r.t, r.node.t = t, t
		if !ok {
			t.FailNow() // the wallets' balances of later steps build on this one
		}
	}
	require.Zero(t, r.lnd.PendingChannels(t).Total(), "lnd has pending channels left")
	require.Empty(t, r.lnd.ListChannels(t))
	require.Empty(t, r.node.channels())
}

// testRestarts restarts the sample node around channel_ready (a crash
// after the funding broadcast, a clean restart once ready) and lnd while
// the channel is open; the channel resumes each time (both sides list it
// active and agree on it again) and finally closes cooperatively, funds
// checked to the satoshi.
func testRestarts(t *testing.T, bin string) {
	r := newRig(t, bin, 1, nil)
	spec := openSpec{byLnkit: true, public: true, anchors: true}
	txid := r.open(spec)

	// Between funding broadcast and channel_ready: the node crashes
	// (SIGKILL) and the funding confirms while it is down.
	r.node.kill()
	r.mine(announceDepth)
	r.node.start()
	r.waitOpen(spec, txid)

	// Between ready and close: a clean restart (quit).
	r.node.restart()
	r.waitOpen(spec, txid)

	// lnd goes away and comes back.
	r.lnd.Restart(t)
	c := r.waitOpen(spec, txid)

	r.coopClose(c, true)
}

// testHostileOpen has lnd open channels lnkit's limits refuse. lnd opens
// no channel under 20,000 sat and asks no to_self_delay over 2016 blocks
// (lncli refuses them itself), which are lnkit's default limits too: the
// sample node's limits are tightened with its flags so that lnd's
// parameters cross them.
func testHostileOpen(t *testing.T, bin string) {
	const (
		minChannel     = 50_000
		maxToSelfDelay = 500
	)
	r := newRig(t, bin, 1, nil,
		"--min-channel-sat="+strconv.Itoa(minChannel), "--max-to-self-delay="+strconv.Itoa(maxToSelfDelay))
	before := r.settled()
	cases := []struct {
		name   string
		amount int64
		opts   regtest.LndOpen
		want   string // in lnkit's error, as lnd logs it
	}{
		{"to_self_delay above the node's limit", chanCapacity, regtest.LndOpen{RemoteCSVDelay: maxToSelfDelay + 1, ChannelType: "anchors"}, "to_self_delay"},
		{"channel below the node's minimum", minChannel - 1, regtest.LndOpen{ChannelType: "tweakless"}, "funding_satoshis"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r.t, r.node.t = t, t
			logStart := len(lndLog(t, r.lnd))
			r.lnd.ConnectPeerAddr(t, r.node.nodeID, r.node.addr)
			_, err := r.lnd.TryOpenChannelTo(r.node.nodeID, btcAmount(tc.amount), tc.opts)
			require.Error(t, err, "lnd's openchannel must fail")
			require.Contains(t, err.Error(), tc.want, "lncli reports lnkit's reason")
			regtest.WaitFor(t, "lnd to log lnkit's error", func() (bool, string) {
				log := lndLog(t, r.lnd)[logStart:]
				return strings.Contains(log, tc.want), ""
			})
			// Nothing left behind on either side.
			require.Zero(t, r.lnd.PendingChannels(t).Total())
			require.Empty(t, r.lnd.ListChannels(t))
			require.Empty(t, r.node.channels())
			var mempool []string
			require.NoError(t, json.Unmarshal(r.btcd.RPC(t, "getrawmempool"), &mempool))
			require.Empty(t, mempool, "nothing broadcast")
			require.Equal(t, before, r.settled(), "wallets untouched")
			require.Zero(t, r.lnd.WalletBalance(t).Locked, "lnd released its funding inputs")
		})
		r.t, r.node.t = t, t
	}
}

// waitSpenderOfAnchor waits until a transaction spending one of the
// commitment's 330-sat anchor outputs is in btcd's mempool.
func waitSpenderOfAnchor(t *testing.T, btcd *regtest.Btcd, commitment *btcwire.MsgTx) *btcwire.MsgTx {
	t.Helper()
	var child *btcwire.MsgTx
	regtest.WaitFor(t, "an anchor spend of "+commitment.TxHash().String(), func() (bool, string) {
		for i, o := range commitment.TxOut {
			if o.Value != 330 {
				continue
			}
			if tx, ok := mempoolSpender(t, btcd, btcwire.OutPoint{Hash: commitment.TxHash(), Index: uint32(i)}); ok {
				child = tx
				return true, ""
			}
		}
		return false, ""
	})
	return child
}

// txWeight is a transaction's BIP 141 weight.
func txWeight(tx *btcwire.MsgTx) int64 {
	return int64(3*tx.SerializeSizeStripped() + tx.SerializeSize())
}

// txHeight returns the height of the block confirming txid.
func (r *rig) txHeight(txid string) int32 {
	r.t.Helper()
	var res struct {
		BlockHash string `json:"blockhash"`
	}
	require.NoError(r.t, json.Unmarshal(r.btcd.RPC(r.t, "getrawtransaction", txid, 1), &res))
	require.NotEmpty(r.t, res.BlockHash, "%s is not confirmed", txid)
	var hdr struct {
		Height int32 `json:"height"`
	}
	require.NoError(r.t, json.Unmarshal(r.btcd.RPC(r.t, "getblockheader", res.BlockHash, true), &hdr))
	return hdr.Height
}

// settledLndChannel returns lnd's view of the channel funded by txid once
// it has stayed the same (fee rate, balances, no pending HTLC) for two
// seconds.
func settledLndChannel(t *testing.T, l *regtest.Lnd, txid string) regtest.LndChannel {
	t.Helper()
	var last regtest.LndChannel
	stable := 0
	for range 60 {
		c, ok := l.FindChannel(t, txid)
		require.True(t, ok, "lnd lost the channel %s", txid)
		if c.FeePerKw == last.FeePerKw && c.LocalBalance == last.LocalBalance && c.RemoteBalance == last.RemoteBalance {
			stable++
		} else {
			stable = 0
		}
		if stable >= 4 {
			return c
		}
		last = c
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("lnd's view of channel %s never settled", txid)
	return last
}
