// Package graphtest generates deterministic synthetic Lightning networks
// for the tests and benchmarks of router/graph and router: mainnet-sized
// by default (16,000 nodes, 48,000 channels), with a preferential
// attachment degree distribution (a few hubs with thousands of channels, a
// long tail of nodes with one or two) and policies drawn like mainnet's
// (base fees mostly 0 or 1 sat, proportional fees log-spread from 1 to
// 2,000 ppm, the common CLTV deltas, capacities log-spread from 20k sat to
// 5 BTC, a few disabled directions). The same Config always gives the same
// network, keys and signatures.
package graphtest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// Mainnet sizes.
const (
	MainnetNodes    = 16_000
	MainnetChannels = 48_000
)

// BaseUnix is the "now" of generated networks (2026-01-01 UTC, unix
// seconds): every update timestamp is within the week before it.
const BaseUnix = 1767225600

// BaseTime returns BaseUnix as a time.Time.
func BaseTime() time.Time { return time.Unix(BaseUnix, 0).UTC() }

// Config sizes a generated network.
type Config struct {
	// Nodes and Channels (default MainnetNodes, MainnetChannels).
	Nodes, Channels int
	// Seed selects the network (default 1).
	Seed uint64
	// ChainHash of the messages (default mainnet).
	ChainHash chainhash.Hash
}

// Channel is one generated channel.
type Channel struct {
	SCID     wire.ShortChannelID
	Node     [2]int // indexes into Network.Nodes; Node[0] has the lesser key
	Capacity wire.Satoshi
	Policy   [2]graph.Policy
}

// Network is a generated network.
type Network struct {
	Config
	// Keys are the node keys; NodeIDs their public keys.
	Keys    []*btcec.PrivateKey
	NodeIDs []wire.NodeID
	// Funding are the per-node bitcoin (funding) keys.
	Funding    []*btcec.PrivateKey
	FundingPub []wire.Point
	Channels   []Channel
}

func key(seed uint64, tag string, i int) *btcec.PrivateKey {
	var b [8 + 8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	h := sha256.Sum256(append([]byte(tag), b[:]...))
	k, _ := btcec.PrivKeyFromBytes(h[:])
	return k
}

// Generate builds the network of cfg.
func Generate(cfg Config) *Network {
	if cfg.Nodes == 0 {
		cfg.Nodes = MainnetNodes
	}
	if cfg.Channels == 0 {
		cfg.Channels = MainnetChannels
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.ChainHash == (chainhash.Hash{}) {
		cfg.ChainHash = *chaincfg.MainNetParams.GenesisHash
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6c6e6b6974))
	n := &Network{Config: cfg}
	n.Keys = make([]*btcec.PrivateKey, cfg.Nodes)
	n.Funding = make([]*btcec.PrivateKey, cfg.Nodes)
	n.NodeIDs = make([]wire.NodeID, cfg.Nodes)
	n.FundingPub = make([]wire.Point, cfg.Nodes)
	parallel(cfg.Nodes, func(i int) {
		n.Keys[i] = key(cfg.Seed, "node", i)
		n.Funding[i] = key(cfg.Seed, "funding", i)
		n.NodeIDs[i] = wire.NewNodeID(n.Keys[i].PubKey())
		n.FundingPub[i] = wire.NewPoint(n.Funding[i].PubKey())
	})

	// Preferential attachment: each new node opens channels to existing
	// nodes picked with probability proportional to their degree (+1),
	// through a list holding every channel end.
	ends := make([]int, 0, 2*cfg.Channels+cfg.Nodes)
	perNode := float64(cfg.Channels) / float64(cfg.Nodes)
	var pairs [][2]int
	seen := make(map[[2]int]bool)
	for i := 1; i < cfg.Nodes && len(pairs) < cfg.Channels; i++ {
		ends = append(ends, i-1)
		// k channels, mean perNode, at least 1.
		k := 1 + int(rng.ExpFloat64()*(perNode-1))
		for j := 0; j < k && len(pairs) < cfg.Channels; j++ {
			peer := ends[rng.IntN(len(ends))]
			if peer == i {
				continue
			}
			p := [2]int{min(i, peer), max(i, peer)}
			if seen[p] && rng.IntN(4) != 0 { // some parallel channels
				continue
			}
			seen[p] = true
			pairs = append(pairs, p)
			ends = append(ends, peer, i)
		}
	}
	for len(pairs) < cfg.Channels { // fill up between existing nodes
		a, b := ends[rng.IntN(len(ends))], rng.IntN(cfg.Nodes)
		if a == b {
			continue
		}
		pairs = append(pairs, [2]int{min(a, b), max(a, b)})
		ends = append(ends, a, b)
	}
	rng.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })

	height := uint32(500_000)
	base := uint32(BaseUnix)
	n.Channels = make([]Channel, len(pairs))
	used := make(map[wire.ShortChannelID]bool, len(pairs))
	for i, p := range pairs {
		height += uint32(rng.IntN(8))
		scid := wire.ShortChannelID{BlockHeight: height, TxIndex: uint32(rng.IntN(3000)), OutputIndex: uint16(rng.IntN(2))}
		for used[scid] {
			scid.TxIndex++
		}
		used[scid] = true
		a, b := p[0], p[1]
		if string(n.NodeIDs[a][:]) > string(n.NodeIDs[b][:]) {
			a, b = b, a
		}
		capSat := wire.Satoshi(math.Exp(math.Log(20_000) + rng.Float64()*(math.Log(500_000_000)-math.Log(20_000))))
		ch := Channel{
			SCID:     scid,
			Node:     [2]int{a, b},
			Capacity: capSat,
		}
		for d := range ch.Policy {
			ch.Policy[d] = policy(rng, capSat, base)
		}
		n.Channels[i] = ch
	}
	return n
}

func policy(rng *rand.Rand, capSat wire.Satoshi, base uint32) graph.Policy {
	p := graph.Policy{
		HTLCMinimumMsat: 1000,
		HTLCMaximumMsat: capSat.ToMilliSatoshi() * 99 / 100,
		Timestamp:       base - uint32(rng.IntN(7*24*3600)),
		Flags:           graph.PolicyKnown,
	}
	switch r := rng.IntN(10); {
	case r < 4:
		p.FeeBaseMsat = 1000
	case r < 8:
		p.FeeBaseMsat = 0
	default:
		p.FeeBaseMsat = uint32(rng.IntN(5000))
	}
	p.FeeProportionalMillionths = uint32(math.Exp(rng.Float64() * math.Log(2000)))
	p.CLTVExpiryDelta = []uint16{40, 80, 144, 144, 34, 18, 72}[rng.IntN(7)]
	if rng.IntN(4) == 0 {
		p.HTLCMinimumMsat = 1
	}
	if rng.IntN(50) == 0 {
		p.Flags |= graph.PolicyDisabled
	}
	return p
}

// parallel runs f(0..n-1) on every CPU.
func parallel(n int, f func(i int)) {
	w := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for s := 0; s < w; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := s; i < n; i += w {
				f(i)
			}
		}()
	}
	wg.Wait()
}

func sign(k *btcec.PrivateKey, h chainhash.Hash) wire.Signature {
	return wire.NewSignatureFromECDSA(ecdsa.Sign(k, h[:]))
}

// Announcement returns channel i's channel_announcement, signed when sign
// is set (else its signatures are zero).
func (n *Network) Announcement(i int, signed bool) *wire.ChannelAnnouncement {
	ch := &n.Channels[i]
	a, b := ch.Node[0], ch.Node[1]
	m := &wire.ChannelAnnouncement{
		ChainHash:      n.ChainHash,
		ShortChannelID: ch.SCID,
		NodeID1:        n.NodeIDs[a],
		NodeID2:        n.NodeIDs[b],
		BitcoinKey1:    n.FundingPub[a],
		BitcoinKey2:    n.FundingPub[b],
	}
	if signed {
		h, _ := m.SignedDataHash()
		m.NodeSignature1 = sign(n.Keys[a], h)
		m.NodeSignature2 = sign(n.Keys[b], h)
		m.BitcoinSignature1 = sign(n.Funding[a], h)
		m.BitcoinSignature2 = sign(n.Funding[b], h)
	}
	return m
}

// Update returns the channel_update of direction d of channel i.
func (n *Network) Update(i, d int, signed bool) *wire.ChannelUpdate {
	ch := &n.Channels[i]
	p := ch.Policy[d]
	m := &wire.ChannelUpdate{
		ChainHash:                 n.ChainHash,
		ShortChannelID:            ch.SCID,
		Timestamp:                 p.Timestamp,
		MessageFlags:              wire.ChanUpdateMustBeOne,
		ChannelFlags:              wire.ChanUpdateChanFlags(d),
		CLTVExpiryDelta:           p.CLTVExpiryDelta,
		HTLCMinimumMsat:           p.HTLCMinimumMsat,
		FeeBaseMsat:               p.FeeBaseMsat,
		FeeProportionalMillionths: p.FeeProportionalMillionths,
		HTLCMaximumMsat:           p.HTLCMaximumMsat,
	}
	if p.Flags&graph.PolicyDisabled != 0 {
		m.ChannelFlags |= wire.ChanUpdateDisabled
	}
	if signed {
		h, _ := m.SignedDataHash()
		m.Signature = sign(n.Keys[ch.Node[d]], h)
	}
	return m
}

// NodeAnnouncement returns node i's node_announcement.
func (n *Network) NodeAnnouncement(i int, signed bool) *wire.NodeAnnouncement {
	alias, _ := wire.NewNodeAlias("node-" + itoa(i))
	ip := [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}
	m := &wire.NodeAnnouncement{
		Features:  wire.NewFeatureVector(wire.GossipQueriesOptional),
		Timestamp: uint32(BaseUnix) - uint32(i%86400),
		NodeID:    n.NodeIDs[i],
		RGBColor:  wire.RGBColor{byte(i), byte(i >> 8), 0x42},
		Alias:     alias,
		Addresses: []wire.NetAddress{{Type: wire.AddressIPv4, Addr: ip[:], Port: 9735}},
	}
	if signed {
		h, _ := m.SignedDataHash()
		m.Signature = sign(n.Keys[i], h)
	}
	return m
}

func itoa(i int) string {
	var b [20]byte
	p := len(b)
	for {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[p:])
		}
	}
}

// Messages returns every announcement, then every update, then every node
// announcement of a node with a channel: the whole graph's gossip in an
// order a graph accepts. Signing uses every CPU (about 300,000 signatures
// for mainnet size, several seconds).
func (n *Network) Messages(signed bool) []wire.Message {
	nc := len(n.Channels)
	out := make([]wire.Message, 3*nc, 3*nc+len(n.NodeIDs))
	parallel(nc, func(i int) {
		out[i] = n.Announcement(i, signed)
		out[nc+2*i] = n.Update(i, 0, signed)
		out[nc+2*i+1] = n.Update(i, 1, signed)
	})
	has := make([]bool, len(n.NodeIDs))
	for _, ch := range n.Channels {
		has[ch.Node[0]], has[ch.Node[1]] = true, true
	}
	var idx []int
	for i, ok := range has {
		if ok {
			idx = append(idx, i)
		}
	}
	nodes := make([]wire.Message, len(idx))
	parallel(len(idx), func(j int) { nodes[j] = n.NodeAnnouncement(idx[j], signed) })
	return append(out, nodes...)
}

// Records returns the network as graph.ChannelRecords and node
// announcements, unsigned, for graph.ImportTrusted: the fast way to a
// populated graph.
func (n *Network) Records() ([]graph.ChannelRecord, []*wire.NodeAnnouncement) {
	msgs := n.Messages(false)
	nc := len(n.Channels)
	recs := make([]graph.ChannelRecord, nc)
	for i := range recs {
		recs[i] = graph.ChannelRecord{
			Announcement: msgs[i].(*wire.ChannelAnnouncement),
			Capacity:     n.Channels[i].Capacity,
			Updates:      [2]*wire.ChannelUpdate{msgs[nc+2*i].(*wire.ChannelUpdate), msgs[nc+2*i+1].(*wire.ChannelUpdate)},
		}
	}
	var nodes []*wire.NodeAnnouncement
	for _, m := range msgs[3*nc:] {
		nodes = append(nodes, m.(*wire.NodeAnnouncement))
	}
	return recs, nodes
}

// Populate imports the network into g (see Records).
func (n *Network) Populate(g *graph.Graph) {
	g.ImportTrusted(n.Records())
}

// UTXOs is a graph.UTXOSource answering with the network's funding
// outputs.
type UTXOs struct {
	mu   sync.Mutex
	byID map[uint64]graph.FundingOutput
}

// Spend removes a funding output, as if the channel closed.
func (u *UTXOs) Spend(scid wire.ShortChannelID) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.byID, scid.ToUint64())
}

// UTXOs returns the network's funding outputs as a UTXOSource.
func (n *Network) UTXOs() *UTXOs {
	u := &UTXOs{byID: make(map[uint64]graph.FundingOutput, len(n.Channels))}
	for _, ch := range n.Channels {
		u.byID[ch.SCID.ToUint64()] = graph.FundingOutput{
			PkScript: graph.FundingPkScript(n.FundingPub[ch.Node[0]], n.FundingPub[ch.Node[1]]),
			Value:    ch.Capacity,
		}
	}
	return u
}

// FundingOutput implements graph.UTXOSource.
func (u *UTXOs) FundingOutput(_ context.Context, scid wire.ShortChannelID) (graph.FundingOutput, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	out, ok := u.byID[scid.ToUint64()]
	if !ok {
		return graph.FundingOutput{}, graph.ErrOutputNotFound
	}
	return out, nil
}

// Pairs returns k deterministic (source, destination) pairs of distinct
// nodes with channels, for route benchmarks ("1,000 random pairs").
func (n *Network) Pairs(k int, seed uint64) [][2]wire.NodeID {
	has := make([]bool, len(n.NodeIDs))
	for _, ch := range n.Channels {
		has[ch.Node[0]], has[ch.Node[1]] = true, true
	}
	var idx []int
	for i, ok := range has {
		if ok {
			idx = append(idx, i)
		}
	}
	if len(idx) < 2 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x7061697273))
	out := make([][2]wire.NodeID, 0, k)
	for len(out) < k {
		a, b := idx[rng.IntN(len(idx))], idx[rng.IntN(len(idx))]
		if a != b {
			out = append(out, [2]wire.NodeID{n.NodeIDs[a], n.NodeIDs[b]})
		}
	}
	return out
}
