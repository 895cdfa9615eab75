package channel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// testRoutings are routings of every shape: bare, and with every field.
func testRoutings() map[string]*routing {
	payer := wire.NodeID{2, 1}
	full := &routing{
		req: router.Request{
			Payer: payer, Payee: wire.NodeID{3, 7}, FinalCLTVDelta: 40, MaxTotalCLTV: 2016, MaxFee: 5_000,
			MaxParts: 8, MinPartSize: 10_000, PayeeFeatures: wire.NewFeatureVector(wire.BasicMPPOptional, wire.PaymentSecretRequired),
			RouteHints: []invoice.RouteHint{
				{{NodeID: wire.NodeID{2, 9}, ShortChannelID: wire.NewShortChannelID(700_000<<40 | 5<<16 | 1), FeeBaseMsat: 1000, FeeProportionalMillionths: 100, CLTVExpiryDelta: 144}},
				{{NodeID: wire.NodeID{3, 1}}, {NodeID: wire.NodeID{3, 2}, CLTVExpiryDelta: 40}},
			},
		},
		left:     2,
		deadline: time.Unix(1_750_000_090, 5).UTC(),
		exclude:  []wire.ShortChannelID{wire.NewShortChannelID(1), wire.NewShortChannelID(600_000 << 40)},
	}
	return map[string]*routing{
		"bare": {req: router.Request{Payer: payer, Payee: wire.NodeID{2, 2}}},
		"full": full,
	}
}

func TestRoutingRoundTrip(t *testing.T) {
	for name, rt := range testRoutings() {
		t.Run(name, func(t *testing.T) {
			b, err := encodeRouting(rt)
			require.NoError(t, err)
			got, err := decodeRouting(b, rt.req.Payer)
			require.NoError(t, err)
			require.Equal(t, rt.req.Payee, got.req.Payee)
			require.Equal(t, rt.req.Payer, got.req.Payer)
			require.Equal(t, rt.req.FinalCLTVDelta, got.req.FinalCLTVDelta)
			require.Equal(t, rt.req.MaxTotalCLTV, got.req.MaxTotalCLTV)
			require.Equal(t, rt.req.MaxFee, got.req.MaxFee)
			require.Equal(t, rt.req.MaxParts, got.req.MaxParts)
			require.Equal(t, rt.req.MinPartSize, got.req.MinPartSize)
			require.Equal(t, rt.req.PayeeFeatures.Bytes(), got.req.PayeeFeatures.Bytes())
			require.Equal(t, rt.req.RouteHints, got.req.RouteHints)
			require.Equal(t, rt.left, got.left)
			require.True(t, rt.deadline.Equal(got.deadline), "%v %v", rt.deadline, got.deadline)
			require.Equal(t, rt.exclude, got.exclude)
			again, err := encodeRouting(got)
			require.NoError(t, err)
			require.Equal(t, b, again, "canonical")
		})
	}
}

func TestRoutingMalformed(t *testing.T) {
	good, err := encodeRouting(testRoutings()["full"])
	require.NoError(t, err)
	require.Equal(t, byte(routingRec), good[3], "the record follows the 3-byte format header")
	for name, b := range map[string][]byte{
		"empty":         nil,
		"header only":   good[:3],
		"truncated":     good[:len(good)-1],
		"trailing byte": append(append([]byte(nil), good...), 0),
		"other type":    {0x50, 1, 0, 0, 0},
		"no record":     good[:3],
		"newer major":   append([]byte{0x52, 2, 0}, good[3:]...),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodeRouting(b, wire.NodeID{2})
			require.Error(t, err)
			if name == "newer major" {
				require.ErrorIs(t, err, persist.ErrNewerVersion)
			} else {
				require.ErrorIs(t, err, ErrCorruptRecord)
			}
		})
	}
}

// FuzzDecodeRouting: decodeRouting never panics, and what it accepts
// encodes, decodes again and encodes to the same bytes.
func FuzzDecodeRouting(f *testing.F) {
	for _, rt := range testRoutings() {
		b, err := encodeRouting(rt)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte{0x52, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		rt, err := decodeRouting(data, wire.NodeID{2})
		if err != nil {
			return
		}
		b, err := encodeRouting(rt)
		require.NoError(t, err)
		again, err := decodeRouting(b, wire.NodeID{2})
		require.NoError(t, err)
		b2, err := encodeRouting(again)
		require.NoError(t, err)
		require.Equal(t, b, b2)
	})
}
