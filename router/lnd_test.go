package router_test

import (
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// lnd's JSON (describegraph, queryroutes, getinfo), the fields used here.
type (
	lndEdgePolicy struct {
		TimeLockDelta uint16 `json:"time_lock_delta"`
		MinHTLC       string `json:"min_htlc"`
		FeeBase       string `json:"fee_base_msat"`
		FeeRate       string `json:"fee_rate_milli_msat"`
		Disabled      bool   `json:"disabled"`
		MaxHTLC       string `json:"max_htlc_msat"`
		LastUpdate    uint32 `json:"last_update"`
	}
	lndEdge struct {
		ChannelID string         `json:"channel_id"`
		Node1     string         `json:"node1_pub"`
		Node2     string         `json:"node2_pub"`
		Capacity  string         `json:"capacity"`
		Policy1   *lndEdgePolicy `json:"node1_policy"`
		Policy2   *lndEdgePolicy `json:"node2_policy"`
	}
	lndHop struct {
		ChanID    string `json:"chan_id"`
		PubKey    string `json:"pub_key"`
		AmtToFwd  string `json:"amt_to_forward_msat"`
		FeeMsat   string `json:"fee_msat"`
		Expiry    uint32 `json:"expiry"`
		MPPRecord *struct {
			PaymentAddr  string `json:"payment_addr"`
			TotalAmtMsat string `json:"total_amt_msat"`
		} `json:"mpp_record,omitempty"`
	}
	lndRoute struct {
		TotalTimeLock uint32   `json:"total_time_lock"`
		TotalFeesMsat string   `json:"total_fees_msat"`
		TotalAmtMsat  string   `json:"total_amt_msat"`
		Hops          []lndHop `json:"hops"`
	}
)

func num(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err, "%q", s)
	return v
}

// graphFromLnd builds an lnkit graph from `lncli describegraph` (the graph
// helper's TestSyncFromLnd shows gossip sync gives the same graph).
func graphFromLnd(t *testing.T, edges []lndEdge) *graph.Graph {
	t.Helper()
	g, err := graph.New(graph.Config{ChainHash: *chaincfg.RegressionNetParams.GenesisHash})
	require.NoError(t, err)
	var recs []graph.ChannelRecord
	for _, e := range edges {
		n1, err := wire.ParseNodeID(e.Node1)
		require.NoError(t, err)
		n2, err := wire.ParseNodeID(e.Node2)
		require.NoError(t, err)
		id := wire.NewShortChannelID(num(t, e.ChannelID))
		ann := &wire.ChannelAnnouncement{ChainHash: *chaincfg.RegressionNetParams.GenesisHash, ShortChannelID: id, NodeID1: n1, NodeID2: n2}
		rec := graph.ChannelRecord{Announcement: ann, Capacity: wire.Satoshi(num(t, e.Capacity))}
		for d, p := range []*lndEdgePolicy{e.Policy1, e.Policy2} {
			if p == nil {
				continue
			}
			u := &wire.ChannelUpdate{
				ChainHash: ann.ChainHash, ShortChannelID: id, Timestamp: p.LastUpdate,
				MessageFlags: wire.ChanUpdateMustBeOne, ChannelFlags: wire.ChanUpdateChanFlags(d),
				CLTVExpiryDelta: p.TimeLockDelta, HTLCMinimumMsat: wire.MilliSatoshi(num(t, p.MinHTLC)),
				FeeBaseMsat: uint32(num(t, p.FeeBase)), FeeProportionalMillionths: uint32(num(t, p.FeeRate)),
				HTLCMaximumMsat: wire.MilliSatoshi(num(t, p.MaxHTLC)),
			}
			if p.Disabled {
				u.ChannelFlags |= wire.ChanUpdateDisabled
			}
			rec.Updates[d] = u
		}
		recs = append(recs, rec)
	}
	g.ImportTrusted(recs, nil)
	return g
}

// TestRouteAgreesWithLnd: four lnds in a chain a–b–c–d on btcd regtest,
// with custom policies on b and c. lnkit computes a route from a to d
// for an invoice of d's (decoded by lnkit) over the graph lnd a
// describes; `lncli queryroutes` on a gives the same hops, amounts, fees
// and expiries to the msat and block; and lnd a pays d's invoice over
// lnkit's route with `lncli sendtoroute`.
func TestRouteAgreesWithLnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)
	var lnds []*regtest.Lnd
	for _, alias := range []string{"a", "b", "c", "d"} {
		lnds = append(lnds, regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: alias, ExtraArgs: []string{"--trickledelay=200"}}))
	}
	a, b, c, d := lnds[0], lnds[1], lnds[2], lnds[3]
	a.Fund(t, 5_000_000)
	b.Fund(t, 5_000_000)
	c.Fund(t, 5_000_000)
	a.OpenChannel(t, b, 1_000_000)
	cpBC := b.OpenChannel(t, c, 800_000)
	cpCD := c.OpenChannel(t, d, 600_000)
	var graphJSON struct {
		Edges []lndEdge `json:"edges"`
	}
	// Change the policies only once a knows every channel: an
	// updatechanpolicy that races lnd's own announcement of a channel (at
	// 6 confirmations) can be lost, and a never hears of it.
	require.Eventually(t, func() bool {
		a.CLIJSON(t, &graphJSON, "describegraph")
		return len(graphJSON.Edges) == 3
	}, 3*time.Minute, time.Second, "lnd a never saw the three channels")
	b.CLI(t, "updatechanpolicy", "--base_fee_msat=1234", "--fee_rate_ppm=2500", "--time_lock_delta=77", "--chan_point="+cpBC)
	c.CLI(t, "updatechanpolicy", "--base_fee_msat=500", "--fee_rate_ppm=123", "--time_lock_delta=50", "--chan_point="+cpCD)

	require.Eventually(t, func() bool {
		a.CLIJSON(t, &graphJSON, "describegraph")
		seen := 0
		for _, e := range graphJSON.Edges {
			for _, p := range []*lndEdgePolicy{e.Policy1, e.Policy2} {
				if p != nil && (p.FeeBase == "1234" || p.FeeBase == "500") {
					seen++
				}
			}
		}
		return len(graphJSON.Edges) == 3 && seen == 2
	}, 3*time.Minute, time.Second, "lnd a never saw both new policies")
	g := graphFromLnd(t, graphJSON.Edges)

	var inv struct {
		PaymentRequest string `json:"payment_request"`
		RHash          string `json:"r_hash"`
	}
	d.CLIJSON(t, &inv, "addinvoice", "--amt_msat=123456789")
	decoded, err := invoice.Decode(inv.PaymentRequest)
	require.NoError(t, err)
	var info struct {
		BlockHeight uint32 `json:"block_height"`
	}
	a.CLIJSON(t, &info, "getinfo")

	aID, err := wire.ParseNodeID(a.NodeID)
	require.NoError(t, err)
	r, err := router.New(router.Config{Graph: g})
	require.NoError(t, err)
	rq := router.RequestFromInvoice(decoded, aID, 0, info.BlockHeight)
	rt, err := r.FindRoute(rq)
	require.NoError(t, err)
	require.Len(t, rt.Hops, 3)

	var qr struct {
		Routes []lndRoute `json:"routes"`
	}
	a.CLIJSON(t, &qr, "queryroutes", "--dest="+d.NodeID, "--amt=123456",
		"--final_cltv_delta="+strconv.Itoa(int(rq.FinalCLTVDelta)))
	require.NotEmpty(t, qr.Routes)
	lr := qr.Routes[0]
	// The msat amount: queryroutes takes satoshis, so compare with
	// lnkit's route for 123,456 sat as well.
	rq2 := rq
	rq2.Amount = 123_456_000
	// lnd may pad the final expiry (BlockPadding): take its final
	// expiry as given and check everything else against it.
	pad := lr.Hops[len(lr.Hops)-1].Expiry - (info.BlockHeight + uint32(rq.FinalCLTVDelta))
	require.LessOrEqual(t, pad, uint32(3), "lnd's final expiry padding")
	rq2.FinalCLTVDelta += uint16(pad)
	rt2, err := r.FindRoute(rq2)
	require.NoError(t, err)
	require.Len(t, lr.Hops, len(rt2.Hops))
	for i, h := range rt2.Hops {
		lh := lr.Hops[i]
		require.Equal(t, h.NodeID.String(), lh.PubKey, "hop %d", i)
		require.Equal(t, h.ShortChannelID.ToUint64(), num(t, lh.ChanID), "hop %d", i)
		require.Equal(t, uint64(h.AmountToForward), num(t, lh.AmtToFwd), "hop %d", i)
		require.Equal(t, uint64(h.Fee), num(t, lh.FeeMsat), "hop %d", i)
		require.Equal(t, h.OutgoingCLTV, lh.Expiry, "hop %d", i)
	}
	require.Equal(t, uint64(rt2.TotalFee), num(t, lr.TotalFeesMsat))
	require.Equal(t, uint64(rt2.TotalAmount), num(t, lr.TotalAmtMsat))
	require.Equal(t, rt2.TotalCLTV, lr.TotalTimeLock)
	t.Logf("lnkit and lnd agree: %d hops, fee %d msat, total expiry %d (lnd final padding %d)", len(rt2.Hops), rt2.TotalFee, rt2.TotalCLTV, pad)

	// lnd pays d's invoice over lnkit's route for the invoice amount.
	secret := decoded.PaymentSecret()
	out := lndRoute{
		TotalTimeLock: rt.TotalCLTV, TotalFeesMsat: strconv.FormatUint(uint64(rt.TotalFee), 10),
		TotalAmtMsat: strconv.FormatUint(uint64(rt.TotalAmount), 10),
	}
	for i, h := range rt.Hops {
		lh := lndHop{
			ChanID: strconv.FormatUint(h.ShortChannelID.ToUint64(), 10), PubKey: h.NodeID.String(),
			AmtToFwd: strconv.FormatUint(uint64(h.AmountToForward), 10), FeeMsat: strconv.FormatUint(uint64(h.Fee), 10),
			Expiry: h.OutgoingCLTV,
		}
		if i == len(rt.Hops)-1 {
			lh.MPPRecord = &struct {
				PaymentAddr  string `json:"payment_addr"`
				TotalAmtMsat string `json:"total_amt_msat"`
			}{hex.EncodeToString(secret[:]), strconv.FormatUint(uint64(rt.Amount()), 10)}
		}
		out.Hops = append(out.Hops, lh)
	}
	routesJSON, err := json.Marshal(struct {
		Routes []lndRoute `json:"routes"`
	}{[]lndRoute{out}})
	require.NoError(t, err)
	var paid struct {
		Status  string `json:"status"`
		Failure *struct {
			Code string `json:"code"`
		} `json:"failure"`
		Preimage string `json:"preimage"`
	}
	a.CLIJSON(t, &paid, "sendtoroute", "--payment_hash="+inv.RHash, "--routes="+string(routesJSON))
	require.Equal(t, "SUCCEEDED", paid.Status, "failure: %+v", paid.Failure)
}
