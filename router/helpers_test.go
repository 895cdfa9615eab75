package router_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// pol is one direction's policy in a hand-built graph.
type pol struct {
	base, ppm uint32
	cltv      uint16
	min, max  wire.MilliSatoshi // max zero: the capacity
	disabled  bool
	missing   bool // no channel_update for this direction
}

// net builds small graphs by hand: node i has a deterministic key.
type net struct {
	ids  []wire.NodeID
	recs []graph.ChannelRecord
}

func nodeKey(i int) *btcec.PrivateKey {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	h := sha256.Sum256(append([]byte("router-test-node"), b[:]...))
	k, _ := btcec.PrivKeyFromBytes(h[:])
	return k
}

func nodeID(i int) wire.NodeID { return wire.NewNodeID(nodeKey(i).PubKey()) }

func newNet(nodes int) *net {
	n := &net{}
	for i := range nodes {
		n.ids = append(n.ids, nodeID(i))
	}
	return n
}

func scid(i uint64) wire.ShortChannelID {
	return wire.ShortChannelID{BlockHeight: 100 + uint32(i), TxIndex: 1, OutputIndex: 0}
}

// ch adds channel number c between nodes a and b: ab is a's policy for
// forwarding to b, ba b's towards a.
func (n *net) ch(c uint64, a, b int, capSat wire.Satoshi, ab, ba pol) {
	id := scid(c)
	x, y := a, b
	px, py := ab, ba
	if bytes.Compare(n.ids[a][:], n.ids[b][:]) > 0 {
		x, y, px, py = b, a, ba, ab
	}
	ann := &wire.ChannelAnnouncement{
		ChainHash: *chaincfg.MainNetParams.GenesisHash, ShortChannelID: id,
		NodeID1: n.ids[x], NodeID2: n.ids[y],
	}
	rec := graph.ChannelRecord{Announcement: ann, Capacity: capSat}
	for d, p := range [2]pol{px, py} {
		if p.missing {
			continue
		}
		max := p.max
		if max == 0 {
			max = capSat.ToMilliSatoshi()
		}
		u := &wire.ChannelUpdate{
			ChainHash: ann.ChainHash, ShortChannelID: id, Timestamp: 1_700_000_000,
			MessageFlags: wire.ChanUpdateMustBeOne, ChannelFlags: wire.ChanUpdateChanFlags(d),
			CLTVExpiryDelta: p.cltv, HTLCMinimumMsat: p.min, FeeBaseMsat: p.base,
			FeeProportionalMillionths: p.ppm, HTLCMaximumMsat: max,
		}
		if p.disabled {
			u.ChannelFlags |= wire.ChanUpdateDisabled
		}
		rec.Updates[d] = u
	}
	n.recs = append(n.recs, rec)
}

func (n *net) graph(t testing.TB) *graph.Graph {
	t.Helper()
	g, err := graph.New(graph.Config{})
	require.NoError(t, err)
	g.ImportTrusted(n.recs, nil)
	return g
}

func (n *net) router(t testing.TB, s router.Scorer) *router.Router {
	t.Helper()
	r, err := router.New(router.Config{Graph: n.graph(t), Scorer: s})
	require.NoError(t, err)
	return r
}

// path returns the node indexes of a route (payer first).
func (n *net) path(r *router.Route) []int {
	idx := func(id wire.NodeID) int {
		for i, x := range n.ids {
			if x == id {
				return i
			}
		}
		return -1
	}
	out := []int{idx(r.Payer)}
	for _, h := range r.Hops {
		out = append(out, idx(h.NodeID))
	}
	return out
}

// scorerNS is where the scorer is saved.
func scorerNS() persist.Namespace {
	return persist.Namespace{Primary: router.ScorerNamespacePrimary, Secondary: router.ScorerNamespaceSecondary}
}
