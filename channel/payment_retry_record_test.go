package channel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/internal/outbound"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/onion"
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
		left:         2,
		deadline:     time.Unix(1_750_000_090, 5).UTC(),
		exclude:      []wire.ShortChannelID{wire.NewShortChannelID(1), wire.NewShortChannelID(600_000 << 40)},
		excludeNodes: []wire.NodeID{{3, 4}, {2, 5}},
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
			require.Equal(t, rt.excludeNodes, got.excludeNodes)
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
		"node cut":      append(append([]byte(nil), good[:len(good)-2*33-2]...), 1, 33+32),
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

// A routing written by 1.0 (no excluded nodes) still reads; 1.0 code
// reading 1.1 skips the optional record of excluded nodes.
func TestRoutingMinorVersions(t *testing.T) {
	full := testRoutings()["full"]
	old := *full
	old.excludeNodes = nil
	b, err := encodeRouting(&old)
	require.NoError(t, err)
	b[2] = 0 // minor 1.0
	got, err := decodeRouting(b, full.req.Payer)
	require.NoError(t, err)
	require.Nil(t, got.excludeNodes)
	require.Equal(t, old.exclude, got.exclude)

	b, err = encodeRouting(full)
	require.NoError(t, err)
	_, rest, err := persist.RecordFormat{Type: 0x52, Major: 1, Minor: 0}.Decode(b, func(typ uint64, v []byte) (bool, error) {
		return typ == routingRec, nil
	})
	require.NoError(t, err)
	require.Len(t, rest, 1, "the excluded nodes are an odd, optional record")
}

// failedNode names an intermediate node that sent a NODE failure, never
// the payee, a channel failure or a tampered one.
func TestFailedNode(t *testing.T) {
	rt := &router.Route{Hops: []router.Hop{{NodeID: wire.NodeID{2, 1}}, {NodeID: wire.NodeID{2, 2}}, {NodeID: wire.NodeID{2, 3}}}}
	for _, tc := range []struct {
		name string
		f    *outbound.Failure
		want wire.NodeID
	}{
		{"none", nil, wire.NodeID{}},
		{"first hop node failure", &outbound.Failure{HopIndex: 0, Code: onion.CodeTemporaryNodeFailure}, wire.NodeID{2, 1}},
		{"second hop permanent node failure", &outbound.Failure{HopIndex: 1, Code: onion.CodePermanentNodeFailure}, wire.NodeID{2, 2}},
		{"payee node failure", &outbound.Failure{HopIndex: 2, Code: onion.CodePermanentNodeFailure}, wire.NodeID{}},
		{"channel failure", &outbound.Failure{HopIndex: 0, Code: onion.CodeUnknownNextPeer}, wire.NodeID{}},
		{"tampered", &outbound.Failure{HopIndex: 1, Code: onion.CodeTemporaryNodeFailure, Tampered: true}, wire.NodeID{}},
		{"unattributed", &outbound.Failure{HopIndex: -1, Code: onion.CodeTemporaryNodeFailure}, wire.NodeID{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, failedNode(rt, tc.f))
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
