package interop

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
)

// Parameters of TestForwardingLnd.
const (
	// fwdPushSat is what each opener pushes to the other side but on the
	// lnkit -> B channel, where lnkit pushes fwdLnkitPushSat: lnkit's
	// outbound on either of its channels is then under half a million
	// satoshis (the multi-part payment needs both).
	fwdPushSat      = 400_000
	fwdLnkitPushSat = 600_000
	// The sample node's forwarding policy (--fee-base-msat, --fee-ppm).
	fwdFeeBase = 1100
	fwdFeePPM  = 250
	// The lnds' forwarding policies (--bitcoin.basefee,
	// --bitcoin.feerate): B charges more than A and C, so that routes over
	// A (and C) are the cheaper ones. D is only ever a payee: its fee, far
	// above the others', keeps every route through it dearer than one that
	// avoids it (so that A and B make every forward of the scenarios).
	lndAFeeBase = 1000
	lndBFeeBase = 20_000
	lndDFeeBase = 200_000
	lndFeePPM   = 100
	// fwdCSV is the to_self_delay the sample node asks of lnd.
	fwdCSV = 15
	// fwdPayTimeout is lnd's payment timeout in the scenarios.
	fwdPayTimeout = 2 * time.Minute
	// tempChanFailure is BOLT 4's temporary_channel_failure (UPDATE|7).
	tempChanFailure = 0x1007
	// unknownNextPeer is BOLT 4's unknown_next_peer (PERM|10), what lnd
	// answers for a next hop that is offline (its switch has no link to
	// it).
	unknownNextPeer = 0x400a
)

// policyFee is BOLT 7's fee of a channel_update: base + amt*ppm/10^6
// msat, rounded down.
func policyFee(base, ppm, amtMsat int64) int64 { return base + amtMsat*ppm/1_000_000 }

// fwdChan is one channel of the forwarding topology.
type fwdChan struct {
	name string
	txid string
	scid uint64 // lnd's decimal short channel id
	// lnkitID is the sample node's channel_id (its channels only).
	lnkitID string
}

// fwdRig is one chain with four lnds and the sample node in between:
//
//	A -- lnkit -- B      (A opened A-lnkit, lnkit opened lnkit-B)
//	A --- C --- B        (A opened A-C, B opened B-C)
//	      C --- D --- B  (D opened D-C and D-B)
//
// every channel public, of one type.
type fwdRig struct {
	t          *testing.T
	ctx        context.Context
	anchors    bool
	btcd       *regtest.Btcd
	a, b, c, d *regtest.Lnd
	node       *sampleProc
	ak, kb     *fwdChan
	ac, bc     *fwdChan
	dc, db     *fwdChan
}

// lnds names the rig's lnds, for messages.
func (r *fwdRig) lnds() map[string]*regtest.Lnd {
	return map[string]*regtest.Lnd{"A": r.a, "B": r.b, "C": r.c, "D": r.d}
}

// TestForwardingLnd runs lnkit's forwarding and payments over the network
// (issue 19) against four lnd v0.20 on btcd regtest, as the sample node
// composes them, one topology per channel type (parallel subtests):
// A-lnkit-B, A-C-B and C-D-B, all channels public. In order:
//
//   - forward: A pays B through lnkit (A's first hop forced); lnkit's
//     PaymentForwarded earns exactly its policy's fee, which A paid;
//   - routed: lnkit pays C over its gossip graph (through A, the cheaper)
//     and C pays lnkit (through A);
//   - mpp: lnkit pays C more than either of its channels holds, split
//     over both paths; C pays lnkit more than lnkit lets either channel
//     carry in flight (lnd splits);
//   - retry: A's channel to C lacks the balance; lnkit's first attempt
//     fails at A (temporary_channel_failure on A-C, decoded by lnkit to
//     that hop) and the retry over B succeeds: one PaymentSent;
//   - offline: lnd C is stopped; lnkit pays D, its first attempt (the
//     cheaper route, through A and C) fails at A (unknown_next_peer on
//     A-C, decoded by lnkit to that hop) and the retry goes straight
//     through B to D: one PaymentSent; C is restarted after;
//   - onchain: A pays B twice through lnkit, B holds both HTLCs (hold
//     invoices) and force-closes lnkit-B; it settles the first on chain:
//     lnkit learns the preimage from B's HTLC-success and claims from A,
//     whose payment succeeds; the second expires: lnkit takes it back
//     from B's commitment and fails A's back. lnkit's and B's wallets
//     gain their outputs, less their claims' fees, to the satoshi.
//
// After every step each node's channel balances moved by exactly the
// amounts and fees, to the msat, and every lnd forward took its node's
// policy fee.
func TestForwardingLnd(t *testing.T) {
	perChannelType(t, testForwarding)
}

// testForwarding runs the scenarios on one topology.
func testForwarding(t *testing.T, bin string, anchors bool) {
	start := time.Now()
	r := newFwdRig(t, bin, anchors)
	t.Logf("topology ready after %s", time.Since(start).Round(time.Millisecond))
	runScenarios(t, t.Name(), r, func(t *testing.T) { r.t, r.node.t = t, t }, []scenario[*fwdRig]{
		{"forward", testFwdForward},
		{"routed", testFwdRouted},
		{"mpp", testFwdMPP},
		{"retry", testFwdRetry},
		{"offline", testFwdOffline},
		{"onchain", testFwdOnChain},
	})
}

// newFwdRig starts the chain, the nodes, and opens the six channels.
func newFwdRig(t *testing.T, bin string, anchors bool) *fwdRig {
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)
	lndArgs := func(base int) []string {
		return []string{"--maxpendingchannels=10", "--trickledelay=50", "--debuglevel=info,PEER=debug,HSWC=debug,CRTR=debug,DISC=debug",
			"--bitcoin.basefee=" + strconv.Itoa(base), "--bitcoin.feerate=" + strconv.Itoa(lndFeePPM)}
	}
	r := &fwdRig{t: t, ctx: ctx, anchors: anchors, btcd: btcd}
	r.a = regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "lnd-a", ExtraArgs: lndArgs(lndAFeeBase)})
	r.b = regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "lnd-b", ExtraArgs: lndArgs(lndBFeeBase)})
	r.c = regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "lnd-c", ExtraArgs: lndArgs(lndAFeeBase)})
	r.d = regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "lnd-d", ExtraArgs: lndArgs(lndDFeeBase)})
	r.node = startSample(t, bin, "lnkit", btcd, "--fee-base-msat="+strconv.Itoa(fwdFeeBase),
		"--fee-ppm="+strconv.Itoa(fwdFeePPM), "--to-self-delay="+strconv.Itoa(fwdCSV), "--gossip-interval=1s", "--tick-interval=1s")

	// Wallets: A and D open two channels, B and lnkit one each.
	var addr struct {
		Address string `json:"address"`
	}
	for _, l := range []*regtest.Lnd{r.a, r.a, r.b, r.d, r.d} {
		l.CLIJSON(t, &addr, "newaddress", "p2wkh")
		btcd.SendToAddress(t, addr.Address, utxoAmount)
	}
	r.node.run(&addr, "newaddress")
	btcd.SendToAddress(t, addr.Address, utxoAmount)
	btcd.Generate(t, 1)
	r.node.waitConfirmed(utxoAmount)
	for _, w := range []struct {
		l    *regtest.Lnd
		want int64
	}{{r.a, 2 * utxoAmount}, {r.b, utxoAmount}, {r.d, 2 * utxoAmount}} {
		regtest.WaitFor(t, w.l.Alias+"'s funds", func() (bool, string) {
			b := w.l.ConfirmedBalance(t)
			return b == btcAmount(w.want), b.String()
		})
	}

	typ := "tweakless"
	if anchors {
		typ = "anchors"
	}
	open := regtest.LndOpen{ChannelType: typ, PushSat: fwdPushSat}
	r.a.ConnectPeerAddr(t, r.node.nodeID, r.node.addr)
	r.b.ConnectPeerAddr(t, r.node.nodeID, r.node.addr)
	r.a.ConnectPeer(t, r.c)
	r.b.ConnectPeer(t, r.c)
	r.d.ConnectPeer(t, r.c)
	r.d.ConnectPeer(t, r.b)
	r.ak = &fwdChan{name: "A-lnkit", txid: r.a.OpenChannelTo(t, r.node.nodeID, chanCapacity, open)}
	r.ac = &fwdChan{name: "A-C", txid: r.a.OpenChannelTo(t, r.c.NodeID, chanCapacity, open)}
	r.bc = &fwdChan{name: "B-C", txid: r.b.OpenChannelTo(t, r.c.NodeID, chanCapacity, open)}
	r.dc = &fwdChan{name: "D-C", txid: r.d.OpenChannelTo(t, r.c.NodeID, chanCapacity, open)}
	r.db = &fwdChan{name: "D-B", txid: r.d.OpenChannelTo(t, r.b.NodeID, chanCapacity, open)}
	r.kb = &fwdChan{name: "lnkit-B", txid: r.lnkitOpens(r.b, anchors)}
	btcd.Generate(t, announceDepth)
	t.Logf("nodes started and channels funded after %s", time.Since(start).Round(time.Millisecond))

	for _, c := range []struct {
		ch   *fwdChan
		lnds []*regtest.Lnd
	}{{r.ak, []*regtest.Lnd{r.a}}, {r.kb, []*regtest.Lnd{r.b}}, {r.ac, []*regtest.Lnd{r.a, r.c}}, {r.bc, []*regtest.Lnd{r.b, r.c}},
		{r.dc, []*regtest.Lnd{r.d, r.c}}, {r.db, []*regtest.Lnd{r.d, r.b}}} {
		for _, l := range c.lnds {
			l.WaitChannelActive(t, c.ch.txid)
			lc, ok := l.FindChannel(t, c.ch.txid)
			require.True(t, ok)
			c.ch.scid = lc.ShortChanID
			if anchors {
				require.Equal(t, "ANCHORS", lc.CommitmentType, "%s", c.ch.name)
			} else {
				require.Equal(t, "STATIC_REMOTE_KEY", lc.CommitmentType, "%s", c.ch.name)
			}
		}
	}
	for _, c := range []*fwdChan{r.ak, r.kb} {
		sc := r.node.waitUsable(c.txid)
		c.lnkitID = sc.ChannelID
		require.Equal(t, regtest.SCIDString(c.scid), sc.ShortChannelID, "%s", c.name)
		require.True(t, sc.Public, "%s", c.name)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for name, l := range r.lnds() {
			_ = os.WriteFile("/tmp/fwddbg-"+name+".log", []byte(lndLog(t, l)), 0o600)
		}
		_ = os.WriteFile("/tmp/fwddbg-K.log", []byte(r.node.stderrText()), 0o600)
		nodeLog, _ := os.ReadFile(filepath.Join(r.node.dir, "logs", "node.log"))
		_ = os.WriteFile("/tmp/fwddbg-Klog.log", nodeLog, 0o600)
	})
	t.Logf("channels open after %s", time.Since(start).Round(time.Millisecond))
	r.waitGraphs()
	return r
}

// lnkitOpens has the sample node open a public channel to l, pushing
// fwdLnkitPushSat, and returns the funding txid once it is in the mempool.
func (r *fwdRig) lnkitOpens(l *regtest.Lnd, anchors bool) string {
	t := r.t
	t.Helper()
	cmd := "openchannel " + l.URI() + " " + strconv.Itoa(chanCapacity) + " --push-msat " + strconv.Itoa(fwdLnkitPushSat*1000) + " --public"
	if anchors {
		cmd += " --with-anchors"
	}
	var opened sampleOpened
	r.node.run(&opened, cmd)
	var txid string
	regtest.WaitFor(t, "funding transaction of "+opened.TemporaryChannelID, func() (bool, string) {
		for _, c := range r.node.channels() {
			if c.TemporaryChannelID == opened.TemporaryChannelID && c.FundingTxid != "" {
				txid = c.FundingTxid
				return true, ""
			}
		}
		return false, ""
	})
	r.btcd.WaitMempoolTx(t, fundingOutPoint(t, txid, 0).Hash)
	return txid
}

// fwdGraphChannels and fwdGraphNodes are the topology's size.
const (
	fwdGraphChannels = 6
	fwdGraphNodes    = 5
)

// waitGraphs waits until every node's graph has the whole topology and
// each lnd finds routes to lnkit and through it.
func (r *fwdRig) waitGraphs() {
	t := r.t
	t.Helper()
	regtest.WaitFor(t, "lnkit's graph", func() (bool, string) {
		var info struct {
			Nodes    int `json:"graph_nodes"`
			Channels int `json:"graph_channels"`
		}
		r.node.run(&info, "nodeinfo")
		return info.Nodes == fwdGraphNodes && info.Channels == fwdGraphChannels, fmt.Sprintf("%+v", info)
	})
	for name, l := range r.lnds() {
		regtest.WaitFor(t, name+"'s graph", func() (bool, string) {
			edges, err := l.GraphEdges(r.ctx)
			require.NoError(t, err)
			full := 0
			for _, e := range edges {
				if e.Policy1 && e.Policy2 {
					full++
				}
			}
			return full == fwdGraphChannels, fmt.Sprintf("%+v", edges)
		})
	}
	r.c.WaitRoute(t, r.node.nodeID, 1)
	r.a.WaitRoute(t, r.node.nodeID, 1)
	r.b.WaitRoute(t, r.node.nodeID, 1)
}

// fwdBalances is every node's channel balances, msat: each lnd's total
// (channelbalance) and the sample node's per channel (by funding txid).
type fwdBalances struct {
	lnd   map[string]int64
	lnkit map[string]int64
}

// lnkitTotal is the sample node's total.
func (b fwdBalances) lnkitTotal() int64 {
	var s int64
	for _, v := range b.lnkit {
		s += v
	}
	return s
}

// readBalances reads every balance once no lnd has an HTLC in flight.
func (r *fwdRig) readBalances() fwdBalances {
	r.t.Helper()
	b := fwdBalances{lnd: map[string]int64{}, lnkit: map[string]int64{}}
	for name, l := range r.lnds() {
		require.NoError(r.t, l.WaitHTLCsResolved(r.ctx, htlcsTimeout))
		local, _, err := l.ChannelBalanceMsat(r.ctx)
		require.NoError(r.t, err)
		b.lnd[name] = int64(local)
	}
	for _, c := range r.node.channels() {
		b.lnkit[c.FundingTxid] = c.LocalBalanceMsat
	}
	return b
}

// fwdMove is what a step moves, msat: each lnd's gain (absent: none),
// and lnkit's per channel (by funding txid) or in total.
type fwdMove struct {
	lnd        map[string]int64
	lnkit      map[string]int64
	lnkitTotal *int64
	// skip names lnds whose balances are not compared (a closed channel).
	skip []string
}

// expectMoved waits until the balances moved from before by exactly m.
func (r *fwdRig) expectMoved(before fwdBalances, m fwdMove, what string) fwdBalances {
	r.t.Helper()
	var got fwdBalances
	regtest.WaitFor(r.t, what+": balances moved", func() (bool, string) {
		got = r.readBalances()
		var diffs []string
		for name := range r.lnds() {
			if slices.Contains(m.skip, name) {
				continue
			}
			if d := got.lnd[name] - before.lnd[name]; d != m.lnd[name] {
				diffs = append(diffs, fmt.Sprintf("%s moved %d, want %d", name, d, m.lnd[name]))
			}
		}
		for txid, want := range m.lnkit {
			if d := got.lnkit[txid] - before.lnkit[txid]; d != want {
				diffs = append(diffs, fmt.Sprintf("lnkit's %s moved %d, want %d", txid, d, want))
			}
		}
		if m.lnkitTotal != nil {
			if d := got.lnkitTotal() - before.lnkitTotal(); d != *m.lnkitTotal {
				diffs = append(diffs, fmt.Sprintf("lnkit's total moved %d, want %d", d, *m.lnkitTotal))
			}
		}
		return len(diffs) == 0, strings.Join(diffs, "; ")
	})
	return got
}

// lndForward is one entry of `lncli fwdinghistory`.
type lndForward struct {
	ChanIDIn   uint64 `json:"chan_id_in,string"`
	ChanIDOut  uint64 `json:"chan_id_out,string"`
	AmtInMsat  int64  `json:"amt_in_msat,string"`
	AmtOutMsat int64  `json:"amt_out_msat,string"`
	FeeMsat    int64  `json:"fee_msat,string"`
}

// forwards returns l's forwards.
func (r *fwdRig) forwards(l *regtest.Lnd) []lndForward {
	r.t.Helper()
	var res struct {
		Events []lndForward `json:"forwarding_events"`
	}
	l.CLIJSON(r.t, &res, "fwdinghistory", "--start_time=-1d", "--max_events=1000")
	return res.Events
}

// checkLndForwards waits until the forwards A and B logged after the
// first seen[name] took wantFee in all (lnd logs its forwards in batches,
// every 15 s), checks that each took exactly its node's policy fee, and
// returns the fees each earned in them and how many forwards each made.
func (r *fwdRig) checkLndForwards(seen map[string]int, wantFee int64) (map[string]int64, map[string]int) {
	r.t.Helper()
	var fees map[string]int64
	var counts map[string]int
	regtest.WaitFor(r.t, fmt.Sprintf("A's and B's forwards taking %d msat", wantFee), func() (bool, string) {
		fees, counts = map[string]int64{}, map[string]int{}
		for name, base := range map[string]int64{"A": lndAFeeBase, "B": lndBFeeBase} {
			for _, f := range r.forwards(r.lnds()[name])[seen[name]:] {
				require.Equal(r.t, f.AmtInMsat-f.AmtOutMsat, f.FeeMsat, "%s forward %+v", name, f)
				require.Equal(r.t, policyFee(base, lndFeePPM, f.AmtOutMsat), f.FeeMsat, "%s forward %+v: its policy's fee", name, f)
				fees[name] += f.FeeMsat
				counts[name]++
			}
		}
		return fees["A"]+fees["B"] == wantFee, fmt.Sprintf("fees %v, forwards %v", fees, counts)
	})
	for name := range seen {
		seen[name] += counts[name]
	}
	return fees, counts
}

// forwardSeen returns how many forwards A and B made so far.
func (r *fwdRig) forwardSeen() map[string]int {
	return map[string]int{"A": len(r.forwards(r.a)), "B": len(r.forwards(r.b))}
}

// lnkitPay has the sample node pay bolt11 and returns its final event.
func (r *fwdRig) lnkitPay(bolt11 string) (samplePayment, nodeEvent) {
	r.t.Helper()
	pay := r.node.sendPayment(bolt11, 0)
	ev := r.node.waitEventsBy("payment_id", []string{pay.PaymentID}, "payment_sent", "payment_failed")[pay.PaymentID]
	require.Equal(r.t, "payment_sent", ev.Kind, "%s", ev)
	checkPreimage(r.t, pay.PaymentHash, ev.Fields["preimage"])
	return pay, ev
}

// eventInt returns an event's integer field.
func eventInt(t *testing.T, e nodeEvent, key string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(e.Fields[key], 10, 64)
	require.NoError(t, err, "%s: %s", key, e)
	return v
}

// ptr returns a pointer to v.
func ptr(v int64) *int64 { return &v }

// testFwdForward: A pays B through lnkit.
func testFwdForward(r *fwdRig) {
	t := r.t
	before := r.readBalances()
	const amt = 50_000_000
	bolt11, hash, err := r.b.AddInvoice(r.ctx, amt, "through lnkit", invoiceExpiry)
	require.NoError(t, err)
	res, err := r.a.PayInvoiceWith(r.ctx, bolt11, regtest.PayOptions{OutgoingChanID: r.ak.scid, Timeout: fwdPayTimeout})
	require.NoError(t, err)
	fee := policyFee(fwdFeeBase, fwdFeePPM, amt)
	require.EqualValues(t, amt, res.AmountMsat)
	require.EqualValues(t, fee, res.FeeMsat, "A paid lnkit's policy fee")
	hashHex := hex.EncodeToString(hash[:])
	ev := r.node.waitEventsBy("payment_hash", []string{hashHex}, "payment_forwarded")[hashHex]
	require.Equal(t, r.ak.lnkitID, ev.Fields["prev_channel_id"], "%s", ev)
	require.Equal(t, r.kb.lnkitID, ev.Fields["next_channel_id"], "%s", ev)
	require.EqualValues(t, amt+fee, eventInt(t, ev, "incoming_msat"), "%s", ev)
	require.EqualValues(t, amt, eventInt(t, ev, "outgoing_msat"), "%s", ev)
	require.EqualValues(t, fee, eventInt(t, ev, "fee_msat"), "%s", ev)
	require.Equal(t, "false", ev.Fields["claimed_on_chain"], "%s", ev)
	st, err := r.b.LookupInvoice(r.ctx, hash)
	require.NoError(t, err)
	require.Equal(t, regtest.InvoiceSettled, st.State)
	require.EqualValues(t, amt, st.AmtPaidMsat)
	r.expectMoved(before, fwdMove{
		lnd:   map[string]int64{"A": -(amt + fee), "B": amt},
		lnkit: map[string]int64{r.ak.txid: amt + fee, r.kb.txid: -amt},
	}, "A paid B through lnkit")
	t.Logf("lnkit forwarded %d msat for a fee of %d msat", amt, fee)
}

// testFwdRouted: lnkit pays C over its graph (through A), C pays lnkit.
func testFwdRouted(r *fwdRig) {
	t := r.t
	seen := r.forwardSeen()
	before := r.readBalances()
	const toC = 40_000_000
	bolt11, hash, err := r.c.AddInvoice(r.ctx, toC, "lnkit pays C", invoiceExpiry)
	require.NoError(t, err)
	pay, ev := r.lnkitPay(bolt11)
	require.Equal(t, hex.EncodeToString(hash[:]), pay.PaymentHash)
	feeA := policyFee(lndAFeeBase, lndFeePPM, toC)
	require.EqualValues(t, feeA, eventInt(t, ev, "fee_msat"), "lnkit paid A's fee: %s", ev)
	require.EqualValues(t, toC, eventInt(t, ev, "amount_msat"), "%s", ev)
	st, err := r.c.WaitInvoiceSettled(r.ctx, hash, htlcsTimeout)
	require.NoError(t, err)
	require.EqualValues(t, toC, st.AmtPaidMsat)
	before = r.expectMoved(before, fwdMove{
		lnd:   map[string]int64{"A": feeA, "C": toC},
		lnkit: map[string]int64{r.ak.txid: -(toC + feeA)},
	}, "lnkit paid C through A")
	_, n := r.checkLndForwards(seen, feeA)
	require.Equal(t, map[string]int{"A": 1}, n, "one forward, by A")

	const toLnkit = 45_000_000
	inv := r.node.getInvoice(toLnkit, invoiceExpiry, "C pays lnkit")
	res, err := r.c.PayInvoiceWith(r.ctx, inv.Invoice, regtest.PayOptions{Timeout: fwdPayTimeout})
	require.NoError(t, err)
	feeA = policyFee(lndAFeeBase, lndFeePPM, toLnkit)
	require.EqualValues(t, feeA, res.FeeMsat, "C paid A's fee")
	last := res.Shards[len(res.Shards)-1]
	require.Equal(t, []string{r.a.NodeID, r.node.nodeID}, last.Nodes, "C paid through A")
	claimed := r.node.waitEventsBy("payment_hash", []string{inv.PaymentHash}, "payment_claimed")[inv.PaymentHash]
	require.EqualValues(t, toLnkit, eventInt(t, claimed, "amount_msat"), "%s", claimed)
	r.expectMoved(before, fwdMove{
		lnd:   map[string]int64{"A": feeA, "C": -(toLnkit + feeA)},
		lnkit: map[string]int64{r.ak.txid: toLnkit},
	}, "C paid lnkit through A")
	_, n = r.checkLndForwards(seen, feeA)
	require.Equal(t, map[string]int{"A": 1}, n, "one forward, by A")
}

// testFwdMPP: payments that need both paths, each way.
func testFwdMPP(r *fwdRig) {
	t := r.t
	seen := r.forwardSeen()
	before := r.readBalances()
	// lnkit -> C: more than either of lnkit's channels holds.
	const toC = 500_000_000
	for txid, bal := range before.lnkit {
		require.Less(t, bal, int64(toC), "lnkit's channel %s alone could carry the payment", txid)
	}
	bolt11, hash, err := r.c.AddInvoice(r.ctx, toC, "lnkit pays C in parts", invoiceExpiry)
	require.NoError(t, err)
	_, ev := r.lnkitPay(bolt11)
	st, err := r.c.WaitInvoiceSettled(r.ctx, hash, htlcsTimeout)
	require.NoError(t, err)
	require.EqualValues(t, toC, st.AmtPaidMsat)
	require.GreaterOrEqual(t, st.HTLCs, 2, "C received parts")
	fee := eventInt(t, ev, "fee_msat")
	require.EqualValues(t, toC, eventInt(t, ev, "amount_msat"), "%s", ev)
	fees, n := r.checkLndForwards(seen, fee)
	require.Positive(t, n["A"], "a part through A")
	require.Positive(t, n["B"], "a part through B")
	before = r.expectMoved(before, fwdMove{
		lnd:        map[string]int64{"A": fees["A"], "B": fees["B"], "C": toC},
		lnkitTotal: ptr(-(toC + fee)),
	}, "lnkit paid C in parts")
	t.Logf("lnkit -> C: %d msat in %d parts, fee %d msat (A %d, B %d)", toC, st.HTLCs, fee, fees["A"], fees["B"])

	// C -> lnkit: more than lnkit's max_htlc_value_in_flight_msat (10%
	// of the capacity) lets one channel carry.
	const toLnkit = 150_000_000
	inv := r.node.getInvoice(toLnkit, invoiceExpiry, "C pays lnkit in parts")
	res, err := r.c.PayInvoiceWith(r.ctx, inv.Invoice, regtest.PayOptions{MaxParts: 8, Timeout: fwdPayTimeout})
	require.NoError(t, err)
	succeeded := 0
	for _, s := range res.Shards {
		if s.Status == regtest.PaymentSucceeded {
			succeeded++
		}
	}
	require.GreaterOrEqual(t, succeeded, 2, "lnd paid in parts: %+v", res.Shards)
	claimed := r.node.waitEventsBy("payment_hash", []string{inv.PaymentHash}, "payment_claimed")[inv.PaymentHash]
	require.EqualValues(t, toLnkit, eventInt(t, claimed, "amount_msat"), "%s", claimed)
	fees, _ = r.checkLndForwards(seen, int64(res.FeeMsat))
	r.expectMoved(before, fwdMove{
		lnd:        map[string]int64{"A": fees["A"], "B": fees["B"], "C": -(toLnkit + int64(res.FeeMsat))},
		lnkitTotal: ptr(toLnkit),
	}, "C paid lnkit in parts")
	t.Logf("C -> lnkit: %d msat in %d parts (%d attempts), fee %d msat", toLnkit, succeeded, len(res.Shards), res.FeeMsat)
}

// testFwdRetry: A's channel to C lacks the balance for lnkit's payment;
// the attempt over A fails there and the retry goes through B.
func testFwdRetry(r *fwdRig) {
	t := r.t
	// A empties its side of A-C into C (directly), leaving left sat: less
	// than the payment below.
	const left = 50_000
	ac, ok := r.a.FindChannel(t, r.ac.txid)
	require.True(t, ok)
	drain := (ac.LocalBalance - left) * 1000
	bolt11, _, err := r.c.AddInvoice(r.ctx, uint64(drain), "drain A-C", invoiceExpiry)
	require.NoError(t, err)
	_, err = r.a.PayInvoiceWith(r.ctx, bolt11, regtest.PayOptions{OutgoingChanID: r.ac.scid, Timeout: fwdPayTimeout})
	require.NoError(t, err)

	seen := r.forwardSeen()
	before := r.readBalances()
	const amt = 80_000_000
	require.Greater(t, before.lnkit[r.ak.txid], int64(2*amt), "lnkit's channel to A carries the payment")
	require.Greater(t, before.lnkit[r.kb.txid], int64(2*amt), "lnkit's channel to B carries the payment")
	bolt11, hash, err := r.c.AddInvoice(r.ctx, amt, "retried", invoiceExpiry)
	require.NoError(t, err)
	pay, ev := r.lnkitPay(bolt11)
	failed := r.checkRetriedAfterA(pay, ev, amt, tempChanFailure, 2)
	st, err := r.c.WaitInvoiceSettled(r.ctx, hash, htlcsTimeout)
	require.NoError(t, err)
	require.EqualValues(t, amt, st.AmtPaidMsat)
	r.checkPaidThroughB(before, seen, "C", amt, "lnkit paid C through B after A failed")
	t.Logf("lnkit: %s; then paid through B", failed)
}

// testFwdOffline: lnd C is offline when lnkit pays D. lnkit's cheapest
// route, lnkit -> A -> C -> D, fails at A, which has no link to C; the
// retry goes lnkit -> B -> D. C is restarted after, its channels active
// again for the next scenarios.
//
// It runs after retry: lnkit's scorer takes a failure for want of
// liquidity, so the failure here bounds A-C's liquidity below this
// payment's amount, which would keep retry's larger payment off A-C from
// the start; retry's failure bounds it below retry's amount, well above
// this one, and A-C stays on the cheapest route here.
func testFwdOffline(r *fwdRig) {
	t := r.t
	seen := r.forwardSeen()
	before := r.readBalances()
	const amt = 20_000_000
	feeC := policyFee(lndAFeeBase, lndFeePPM, amt)
	feeA := policyFee(lndAFeeBase, lndFeePPM, amt+feeC)
	require.Less(t, feeA+feeC, policyFee(lndBFeeBase, lndFeePPM, amt), "the route through A and C is the cheaper")
	// A's side of A-C could carry the HTLC: what fails is C's absence.
	ac, ok := r.a.FindChannel(t, r.ac.txid)
	require.True(t, ok)
	require.Greater(t, (ac.LocalBalance-ac.LocalChanReserveSat)*1000, amt+feeC, "A's balance on A-C: %+v", ac)
	require.Greater(t, before.lnkit[r.ak.txid], int64(2*amt), "lnkit's channel to A carries the payment")
	require.Greater(t, before.lnkit[r.kb.txid], int64(2*amt), "lnkit's channel to B carries the payment")
	bolt11, hash, err := r.d.AddInvoice(r.ctx, amt, "C offline", invoiceExpiry)
	require.NoError(t, err)

	r.c.Stop(t)
	for name, l := range map[string]*regtest.Lnd{"A": r.a, "B": r.b, "D": r.d} {
		regtest.WaitFor(t, name+" to see C offline", func() (bool, string) {
			for _, c := range l.ListChannels(t) {
				if c.RemotePubkey == r.c.NodeID && c.Active {
					return false, c.ChannelPoint + " active"
				}
			}
			return true, ""
		})
	}
	pay, ev := r.lnkitPay(bolt11)
	failed := r.checkRetriedAfterA(pay, ev, amt, unknownNextPeer, 3)
	st, err := r.d.WaitInvoiceSettled(r.ctx, hash, htlcsTimeout)
	require.NoError(t, err)
	require.EqualValues(t, amt, st.AmtPaidMsat)

	r.c.Restart(t)
	for _, c := range []struct {
		ch    *fwdChan
		other *regtest.Lnd
	}{{r.ac, r.a}, {r.bc, r.b}, {r.dc, r.d}} {
		r.c.WaitChannelActive(t, c.ch.txid)
		c.other.WaitChannelActive(t, c.ch.txid)
	}
	r.checkPaidThroughB(before, seen, "D", amt, "lnkit paid D through B while C was offline")
	t.Logf("lnkit: %s; then paid D through B", failed)
}

// checkRetriedAfterA checks the events of lnkit's payment pay of amt
// msat, which ended with ev: exactly one attempt failed, over a route of
// hops hops, A reporting code for its channel A-C (retryable, the payment
// not failed permanently); the retry went through B (for B's fee); one
// PaymentSent, no PaymentFailed. It returns the failed attempt's event.
func (r *fwdRig) checkRetriedAfterA(pay samplePayment, ev nodeEvent, amt int64, code, hops int) nodeEvent {
	t := r.t
	t.Helper()
	require.EqualValues(t, amt, eventInt(t, ev, "amount_msat"), "%s", ev)
	require.EqualValues(t, policyFee(lndBFeeBase, lndFeePPM, amt), eventInt(t, ev, "fee_msat"), "paid through B: %s", ev)
	var failed []nodeEvent
	ends := 0
	for _, e := range r.node.events() {
		if e.Fields["payment_id"] != pay.PaymentID {
			continue
		}
		switch e.Kind {
		case "payment_path_failed":
			failed = append(failed, e)
		case "payment_sent", "payment_failed":
			ends++
		}
	}
	require.Equal(t, 1, ends, "one PaymentSent, no PaymentFailed")
	require.Len(t, failed, 1, "one failed attempt, through A: %v", failed)
	f := failed[0]
	require.Equal(t, regtest.SCIDString(r.ac.scid), f.Fields["short_channel_id"], "the failing channel is A-C: %s", f)
	require.Equal(t, r.a.NodeID, f.Fields["erring_node"], "%s", f)
	require.EqualValues(t, code, eventInt(t, f, "failure_code"), "%s", f)
	require.Equal(t, strconv.Itoa(hops), f.Fields["hops"], "%s", f)
	require.Equal(t, "false", f.Fields["permanent"], "%s", f)
	require.Equal(t, "true", f.Fields["retryable"], "%s", f)
	return f
}

// checkPaidThroughB waits until the balances moved from before by lnkit's
// payment of amt msat to the lnd named payee through B (lnkit's channel
// to A unchanged), and checks that B made the one forward since seen.
func (r *fwdRig) checkPaidThroughB(before fwdBalances, seen map[string]int, payee string, amt int64, what string) {
	t := r.t
	t.Helper()
	feeB := policyFee(lndBFeeBase, lndFeePPM, amt)
	r.expectMoved(before, fwdMove{
		lnd:   map[string]int64{"B": feeB, payee: amt},
		lnkit: map[string]int64{r.kb.txid: -(amt + feeB), r.ak.txid: 0},
	}, what)
	_, n := r.checkLndForwards(seen, feeB)
	require.Equal(t, map[string]int{"B": 1}, n, "one forward, by B")
}

// heldForward is a payment of A to a hold invoice of B, forced through
// lnkit.
type heldForward struct {
	amt      int64
	preimage [32]byte
	hash     string // hex
	done     chan payOutcome
}

// payOutcome is what lnd's payment ended with.
type payOutcome struct {
	res regtest.PaymentResult
	err error
}

// holdThroughLnkit has B create a hold invoice of amt msat and A pay it
// through lnkit (in the background), and waits until B holds the HTLC.
func (r *fwdRig) holdThroughLnkit(amt int64) *heldForward {
	t := r.t
	t.Helper()
	h := &heldForward{amt: amt, done: make(chan payOutcome, 1)}
	_, err := rand.Read(h.preimage[:])
	require.NoError(t, err)
	hash := sha256.Sum256(h.preimage[:])
	h.hash = hex.EncodeToString(hash[:])
	bolt11, err := r.b.AddHoldInvoice(r.ctx, hash, uint64(amt), lndHoldCLTVDelta, "held by B")
	require.NoError(t, err)
	go func() {
		res, err := r.a.PayInvoiceWith(r.ctx, bolt11, regtest.PayOptions{OutgoingChanID: r.ak.scid, Timeout: 20 * time.Minute})
		h.done <- payOutcome{res, err}
	}()
	regtest.WaitFor(t, "B to accept the HTLC of its hold invoice "+h.hash, func() (bool, string) {
		st, err := r.b.LookupInvoice(r.ctx, hash)
		require.NoError(t, err)
		return st.State == regtest.InvoiceAccepted, st.State
	})
	return h
}

// outcome waits for A's payment to end. When lncli lost lnd's answer
// (its stream to lnd broke: it happens on a loaded machine over the
// minutes the HTLCs are held), lnd's own record of the payment says how
// it ended.
func (h *heldForward) outcome(r *fwdRig) payOutcome {
	t := r.t
	t.Helper()
	var o payOutcome
	select {
	case o = <-h.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("A's payment %s did not end", h.hash)
	}
	var pf *regtest.PaymentFailedError
	if o.err == nil || errors.As(o.err, &pf) {
		return o
	}
	t.Logf("lncli payinvoice %s: %v; reading lnd's record of the payment", h.hash, o.err)
	regtest.WaitFor(t, "A's payment "+h.hash+" to end", func() (bool, string) {
		ps, err := r.a.ListPayments(r.ctx)
		require.NoError(t, err)
		for _, p := range ps {
			if hex.EncodeToString(p.Hash[:]) != h.hash {
				continue
			}
			switch p.Status {
			case regtest.PaymentSucceeded:
				o = payOutcome{res: p}
				return true, ""
			case regtest.PaymentFailed:
				o = payOutcome{res: p, err: &regtest.PaymentFailedError{Node: r.a.Alias, Hash: p.Hash, Reason: p.FailureReason}}
				return true, ""
			}
			return false, p.Status
		}
		return false, "no payment"
	})
	return o
}

// testFwdOnChain: A pays B twice through lnkit; B holds both HTLCs and
// force-closes lnkit-B. B settles the first on chain (its HTLC-success):
// lnkit reads the preimage there and claims from A, whose payment
// succeeds. B never settles the second: lnkit times it out on chain after
// its expiry and fails A's back.
func testFwdOnChain(r *fwdRig) {
	t := r.t
	cr := &chainRig{rig: &rig{t: t, btcd: r.btcd, lnd: r.b, node: r.node}, ctx: r.ctx, anchors: r.anchors}
	before := r.readBalances()
	wallet := r.node.balance()
	require.Zero(t, wallet.Unconfirmed)
	lndWallet := r.b.WalletBalance(t)
	require.Zero(t, lndWallet.Unconfirmed)

	settled, timedOut := r.holdThroughLnkit(30_000_000), r.holdThroughLnkit(20_000_000)
	fee := policyFee(fwdFeeBase, fwdFeePPM, settled.amt)
	kb := &openedChannel{txid: r.kb.txid, lnkit: sampleChannel{ChannelID: r.kb.lnkitID}}
	kb.lnd, _ = r.b.FindChannel(t, r.kb.txid)
	htlc := cr.waitLndHTLC(kb, settled.hash)
	expiring := cr.waitLndHTLC(kb, timedOut.hash)
	view := cr.lnkitView(kb)
	t.Logf("B holds HTLCs of %d sat and %d sat expiring at %d; lnkit's balance %d sat", htlc.AmountSat, expiring.AmountSat,
		expiring.ExpirationHeight, view.RemoteBalance)

	txid := r.b.CloseChannel(t, view.ChannelPoint, true)
	commitment := getTx(t, r.btcd, txid)
	require.NoError(t, r.b.SettleInvoice(r.ctx, settled.preimage))
	toRemote := outputWithValue(t, commitment, view.RemoteBalance, "lnkit's balance")
	outputWithValue(t, commitment, htlc.AmountSat, "the HTLC B settles")
	expiringOut := outputWithValue(t, commitment, expiring.AmountSat, "the HTLC that expires")
	commitHeight := cr.mineOne(true)
	r.node.waitEvent("channel_closed", r.kb.lnkitID)

	// B claims the first HTLC with its HTLC-success; lnkit reads the
	// preimage there and claims from A.
	var fwd nodeEvent
	for mined := 0; ; mined++ {
		require.Less(t, mined, maxOnchainBlocks, "lnkit never claimed upstream")
		if e, ok := r.node.eventsBy("payment_hash", []string{settled.hash}, "payment_forwarded")[settled.hash]; ok {
			fwd = e
			break
		}
		cr.mineOne(true)
	}
	require.Equal(t, "true", fwd.Fields["claimed_on_chain"], "%s", fwd)
	require.EqualValues(t, fee, eventInt(t, fwd, "fee_msat"), "%s", fwd)
	require.EqualValues(t, settled.amt, eventInt(t, fwd, "outgoing_msat"), "%s", fwd)
	require.Equal(t, r.ak.lnkitID, fwd.Fields["prev_channel_id"], "%s", fwd)
	o := settled.outcome(r)
	require.NoError(t, o.err)
	require.EqualValues(t, fee, o.res.FeeMsat, "A paid lnkit's fee")
	checkPreimage(t, settled.hash, hex.EncodeToString(o.res.Preimage[:]))
	st, err := r.b.LookupInvoice(r.ctx, sha256.Sum256(settled.preimage[:]))
	require.NoError(t, err)
	require.Equal(t, regtest.InvoiceSettled, st.State)

	// The second: lnkit takes it back from B's commitment once expired,
	// and fails A's HTLC back; its wallet gets its balance and that HTLC
	// less its claims' fees.
	failedBack := func() bool {
		select {
		case o := <-timedOut.done:
			timedOut.done <- o
			return true
		default:
			return false
		}
	}
	fees := cr.mineUntilSwept(commitment, commitHeight, []uint32{toRemote, expiringOut}, wallet.Confirmed, true, failedBack)
	timeout, h := cr.claimHeight(commitment, commitHeight, expiringOut)
	require.EqualValues(t, expiring.ExpirationHeight, timeout.LockTime, "lnkit's timeout claim waits for the HTLC's expiry")
	t.Logf("lnkit timed out the second HTLC at %d (expiry %d); its claims cost %d sat", h, expiring.ExpirationHeight, fees)
	o = timedOut.outcome(r)
	var pf *regtest.PaymentFailedError
	require.ErrorAs(t, o.err, &pf, "A's second payment fails")
	require.Empty(t, r.node.eventsBy("payment_hash", []string{timedOut.hash}, "payment_forwarded"), "no forward of the expired HTLC")
	r.expectMoved(before, fwdMove{
		lnd:   map[string]int64{"A": -(settled.amt + fee)},
		lnkit: map[string]int64{r.ak.txid: settled.amt + fee},
		skip:  []string{"B"},
	}, "lnkit claimed the first from A and failed the second back")
	cr.checkLndClosed(kb, view, "LOCAL_FORCE_CLOSE")
	cr.checkLndWallet(commitment, commitHeight, []uint32{toRemote, expiringOut}, lndWallet.Confirmed)
}
