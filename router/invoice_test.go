package router_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// bolt11Hints is BOLT 11's example "with extra routing info to go via
// nodes 029e03a9… then 039e03a9…": 20 mBTC to 03e7156a…, one route hint
// of two channels.
const bolt11Hints = "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqsfpp3qjmp7lwpagxun9pygexvgpjdc4jdj85fr9yq20q82gphp2nflc7jtzrcazrra7wwgzxqc8u7754cdlpfrmccae92qgzqvzq2ps8pqqqqqqpqqqqq9qqqvpeuqafqxu92d8lr6fvg0r5gv0heeeqgcrqlnm6jhphu9y00rrhy4grqszsvpcgpy9qqqqqqgqqqqq7qqzq9qrsgqdfjcdk6w3ak5pca9hwfwfh63zrrz06wwfya0ydlzpgzxkn5xagsqz7x9j4jwe7yj7vaf2k9lqsdk45kts2fd0fkr28am0u4w95tt2nsq76cqw0"

// TestRouteFromInvoiceHints: a request made from the BOLT 11 example
// routes through the graph to the hint's first node and along the hint,
// every fee and expiry to the msat and block.
func TestRouteFromInvoiceHints(t *testing.T) {
	inv, err := invoice.Decode(bolt11Hints)
	require.NoError(t, err)
	hintStart, err := wire.ParseNodeID("029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255")
	require.NoError(t, err)
	n := newNet(3)
	n.ids[2] = hintStart
	n.ch(1, 0, 1, 5_000_000, pol{}, pol{})
	n.ch(2, 1, 2, 5_000_000, pol{base: 1000, ppm: 100, cltv: 40}, pol{})
	r := n.router(t, nil)

	rq := router.RequestFromInvoice(inv, n.ids[0], 0, height)
	require.Equal(t, wire.MilliSatoshi(2_000_000_000), rq.Amount)
	require.Equal(t, uint16(router.DefaultFinalCLTVDelta), rq.FinalCLTVDelta)
	rt, err := r.FindRoute(rq)
	require.NoError(t, err)
	// 039e03a9… charges 2 + 2,000,000,000*30/1e6 = 60,002;
	// 029e03a9… 1 + 2,000,060,002*20/1e6 = 1 + 40,001; node 1
	// 1000 + 2,000,100,004*100/1e6 = 1000 + 200,010.
	require.Equal(t, []wire.ShortChannelID{scid(1), scid(2), wire.NewShortChannelID(0x0102030405060708), wire.NewShortChannelID(0x030405060708090a)}, channels(rt))
	require.Equal(t, []wire.MilliSatoshi{2_000_100_004, 2_000_060_002, 2_000_000_000, 2_000_000_000}, amounts(rt))
	require.Equal(t, wire.MilliSatoshi(2_000_301_014), rt.TotalAmount)
	require.Equal(t, wire.MilliSatoshi(301_014), rt.TotalFee)
	require.Equal(t, uint32(height+18+4+3+40), rt.TotalCLTV)
	require.Equal(t, inv.Payee(), rt.Payee())

	// The payee does not take basic_mpp: FindRoutes does not split.
	rq.FirstHops = []router.FirstHop{{ShortChannelID: scid(1), Peer: n.ids[1], OutboundMsat: 1_500_000_000}}
	_, err = r.FindRoutes(rq)
	require.ErrorIs(t, err, router.ErrNoRoute)
}
