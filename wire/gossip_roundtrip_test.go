package wire

import (
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"
)

// gossipMessageTypes are the BOLT 7 message types, in type order.
func gossipMessageTypes() []MessageType {
	return []MessageType{
		MsgChannelAnnouncement, MsgNodeAnnouncement, MsgChannelUpdate, MsgAnnouncementSignatures,
		MsgQueryShortChanIDs, MsgReplyShortChanIDsEnd, MsgQueryChannelRange, MsgReplyChannelRange,
		MsgGossipTimestampFilter,
	}
}

// gossipRand makes random valid gossip messages from a seeded generator.
type gossipRand struct {
	r      *rand.Rand
	points []Point
}

func newGossipRand(t testing.TB, seed uint64) *gossipRand {
	t.Helper()
	g := &gossipRand{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for range 6 {
		var k [32]byte
		g.fill(k[:])
		k[0] &= 0x7f // below the curve order
		k[31] |= 1   // not zero
		priv, _ := btcec.PrivKeyFromBytes(k[:])
		p := NewPoint(priv.PubKey())
		require.True(t, p.IsValid())
		g.points = append(g.points, p)
	}
	return g
}

func (g *gossipRand) fill(b []byte) {
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
}

// bytes returns n random bytes, nil for n == 0 (as the decoders do).
func (g *gossipRand) bytes(n int) []byte {
	if n == 0 {
		return nil
	}
	b := make([]byte, n)
	g.fill(b)
	return b
}

func (g *gossipRand) upTo(n int) int { return g.r.IntN(n + 1) }

func (g *gossipRand) sig() (s Signature) { g.fill(s[:]); return s }

func (g *gossipRand) hash() (h chainhash.Hash) { g.fill(h[:]); return h }

func (g *gossipRand) point() Point { return g.points[g.r.IntN(len(g.points))] }

func (g *gossipRand) scid() ShortChannelID {
	return ShortChannelID{BlockHeight: g.r.Uint32N(1 << 24), TxIndex: g.r.Uint32N(1 << 24), OutputIndex: uint16(g.r.Uint32())}
}

func (g *gossipRand) scids(n int) []ShortChannelID {
	if n == 0 {
		return nil
	}
	out := make([]ShortChannelID, n)
	for i := range out {
		out[i] = g.scid()
	}
	return out
}

func (g *gossipRand) features() FeatureVector {
	switch g.r.IntN(3) {
	case 0:
		return FeatureVector{}
	case 1:
		return NewFeatureVector(FeatureBit(g.r.IntN(80)), FeatureBit(g.r.IntN(80)))
	default:
		return FeatureVectorFromBytes(g.bytes(g.upTo(12))) // leading zeros kept
	}
}

func (g *gossipRand) encoding() QueryEncoding {
	if g.r.IntN(3) == 0 {
		return QueryEncodingZlib
	}
	return QueryEncodingUncompressed
}

func (g *gossipRand) extraData() []byte {
	if g.r.IntN(2) == 0 {
		return nil
	}
	return g.bytes(g.upTo(40))
}

// extraTLVs returns unknown odd records above maxKnown, or nil.
func (g *gossipRand) extraTLVs(maxKnown uint64) TLVRecords {
	var out TLVRecords
	typ := maxKnown
	for range g.upTo(3) {
		typ += 2 + 2*uint64(g.r.IntN(300))
		if typ%2 == 0 {
			typ++
		}
		out = append(out, TLVRecord{Type: typ, Value: g.bytes(g.upTo(20))})
	}
	return out
}

func (g *gossipRand) netAddress() NetAddress {
	switch t := AddressType(1 + g.r.IntN(5)); t {
	case AddressDNS:
		host := make([]byte, 1+g.r.IntN(40))
		for i := range host {
			host[i] = "abcdefghijklmnopqrstuvwxyz0123456789-."[g.r.IntN(38)]
		}
		return NetAddress{Type: t, Addr: host, Port: uint16(g.r.Uint32())}
	default:
		return NetAddress{Type: t, Addr: g.bytes(t.addrLen()), Port: uint16(g.r.Uint32())}
	}
}

// message returns a random valid message of type t. Query messages may use
// zlib; their remembered zlib bytes are nil, as for a message built by hand.
func (g *gossipRand) message(t MessageType) Message {
	switch t {
	case MsgChannelAnnouncement:
		return &ChannelAnnouncement{
			NodeSignature1: g.sig(), NodeSignature2: g.sig(), BitcoinSignature1: g.sig(), BitcoinSignature2: g.sig(),
			Features: g.features(), ChainHash: g.hash(), ShortChannelID: g.scid(),
			NodeID1: NodeID(g.point()), NodeID2: NodeID(g.point()), BitcoinKey1: g.point(), BitcoinKey2: g.point(),
			ExtraData: g.extraData(),
		}
	case MsgNodeAnnouncement:
		m := &NodeAnnouncement{
			Signature: g.sig(), Features: g.features(), Timestamp: g.r.Uint32(), NodeID: NodeID(g.point()),
			ExtraData: g.extraData(),
		}
		g.fill(m.RGBColor[:])
		g.fill(m.Alias[:])
		for range g.upTo(5) {
			m.Addresses = append(m.Addresses, g.netAddress())
		}
		if g.r.IntN(4) == 0 {
			m.UnknownAddresses = append([]byte{byte(6 + g.r.IntN(250))}, g.bytes(g.upTo(30))...)
		}
		return m
	case MsgChannelUpdate:
		return &ChannelUpdate{
			Signature: g.sig(), ChainHash: g.hash(), ShortChannelID: g.scid(), Timestamp: g.r.Uint32(),
			MessageFlags: ChanUpdateMsgFlags(g.r.Uint32()), ChannelFlags: ChanUpdateChanFlags(g.r.Uint32()),
			CLTVExpiryDelta: uint16(g.r.Uint32()), HTLCMinimumMsat: MilliSatoshi(g.r.Uint64()),
			FeeBaseMsat: g.r.Uint32(), FeeProportionalMillionths: g.r.Uint32(), HTLCMaximumMsat: MilliSatoshi(g.r.Uint64()),
			ExtraData: g.extraData(),
		}
	case MsgAnnouncementSignatures:
		m := &AnnouncementSignatures{ShortChannelID: g.scid(), NodeSignature: g.sig(), BitcoinSignature: g.sig(), ExtraTLVs: g.extraTLVs(0)}
		g.fill(m.ChannelID[:])
		return m
	case MsgQueryShortChanIDs:
		n := g.upTo(50)
		m := &QueryShortChanIDs{ChainHash: g.hash(), Encoding: g.encoding(), ShortChannelIDs: g.scids(n), ExtraTLVs: g.extraTLVs(1)}
		if g.r.IntN(2) == 0 {
			q := QueryFlagsTLV{Encoding: g.encoding()}
			for range n {
				f := QueryFlag(g.r.IntN(32))
				if g.r.IntN(10) == 0 {
					f = QueryFlag(g.r.Uint64()) // any BigSize is valid
				}
				q.Flags = append(q.Flags, f)
			}
			m.QueryFlags = Some(q)
		}
		return m
	case MsgReplyShortChanIDsEnd:
		return &ReplyShortChanIDsEnd{ChainHash: g.hash(), FullInformation: g.r.IntN(2) == 0, ExtraTLVs: g.extraTLVs(0)}
	case MsgQueryChannelRange:
		m := &QueryChannelRange{ChainHash: g.hash(), FirstBlockHeight: g.r.Uint32(), NumBlocks: g.r.Uint32(), ExtraTLVs: g.extraTLVs(1)}
		if g.r.IntN(2) == 0 {
			o := QueryOption(g.r.IntN(4))
			if g.r.IntN(5) == 0 {
				o = QueryOption(g.r.Uint64())
			}
			m.QueryOption = Some(o)
		}
		return m
	case MsgReplyChannelRange:
		n := g.upTo(50)
		m := &ReplyChannelRange{
			ChainHash: g.hash(), FirstBlockHeight: g.r.Uint32(), NumBlocks: g.r.Uint32(), SyncComplete: g.r.IntN(2) == 0,
			Encoding: g.encoding(), ShortChannelIDs: g.scids(n), ExtraTLVs: g.extraTLVs(3),
		}
		if g.r.IntN(2) == 0 {
			ts := TimestampsTLV{Encoding: g.encoding()}
			for range n {
				ts.Timestamps = append(ts.Timestamps, ChannelUpdateTimestamps{g.r.Uint32(), g.r.Uint32()})
			}
			m.Timestamps = Some(ts)
		}
		if g.r.IntN(2) == 0 {
			var sums []ChannelUpdateChecksums
			for range n {
				sums = append(sums, ChannelUpdateChecksums{g.r.Uint32(), g.r.Uint32()})
			}
			m.Checksums = Some(sums)
		}
		return m
	case MsgGossipTimestampFilter:
		return &GossipTimestampFilter{ChainHash: g.hash(), FirstTimestamp: g.r.Uint32(), TimestampRange: g.r.Uint32(), ExtraTLVs: g.extraTLVs(0)}
	}
	panic("not a gossip message type")
}

// TestGossipRoundTrip encodes random valid messages of every type, decodes
// them through the registry and checks the values and bytes survive.
func TestGossipRoundTrip(t *testing.T) {
	g := newGossipRand(t, 1)
	for _, typ := range gossipMessageTypes() {
		t.Run(typ.String(), func(t *testing.T) {
			for i := range 200 {
				m := g.message(typ)
				require.Equal(t, typ, m.Type())
				b, err := Encode(nil, m)
				require.NoError(t, err, "iteration %d", i)
				got, err := Decode(b)
				require.NoError(t, err, "iteration %d", i)
				require.Equal(t, m, cloneWithoutOrigins(t, got), "iteration %d", i)
				again, err := Encode(nil, got)
				require.NoError(t, err)
				require.Equal(t, b, again, "iteration %d", i)
			}
		})
	}
}

// TestGossipRegistry checks NewMessage returns the right empty type.
func TestGossipRegistry(t *testing.T) {
	for _, typ := range gossipMessageTypes() {
		m := NewMessage(typ)
		require.NotNil(t, m, typ.String())
		require.Equal(t, typ, m.Type())
	}
	require.Nil(t, NewMessage(260))
	var inTable []MessageType
	for _, typ := range KnownMessageTypes() {
		if typ >= 256 && typ < 512 {
			inTable = append(inTable, typ)
		}
	}
	require.Equal(t, inTable, gossipMessageTypes(), "every BOLT 7 message of the table has gossip tests")
}

// TestGossipDecodeReplacesContents checks Decode resets every field,
// including the remembered zlib bytes.
func TestGossipDecodeReplacesContents(t *testing.T) {
	g := newGossipRand(t, 2)
	for _, typ := range gossipMessageTypes() {
		a, b := g.message(typ), g.message(typ)
		pb, err := b.Encode(nil)
		require.NoError(t, err)
		pa, err := a.Encode(nil)
		require.NoError(t, err)
		require.NoError(t, a.Decode(pa))
		require.NoError(t, a.Decode(pb)) // a now has b's contents
		out, err := a.Encode(nil)
		require.NoError(t, err)
		require.Equal(t, pb, out, typ.String())
	}
}

// TestGossipZlibReencodeAfterChange checks that changing a decoded zlib
// array re-compresses it instead of re-emitting the stale bytes.
func TestGossipZlibReencodeAfterChange(t *testing.T) {
	m := &ReplyChannelRange{
		Encoding:        QueryEncodingZlib,
		ShortChannelIDs: []ShortChannelID{{1, 2, 3}, {4, 5, 6}},
		Timestamps:      Some(TimestampsTLV{Encoding: QueryEncodingZlib, Timestamps: []ChannelUpdateTimestamps{{1, 2}, {3, 4}}}),
	}
	b, err := m.Encode(nil)
	require.NoError(t, err)
	var got ReplyChannelRange
	require.NoError(t, got.Decode(b))
	require.NotNil(t, got.origin)
	got.ShortChannelIDs[1].OutputIndex = 7
	got.Timestamps.Value.Timestamps[0].Node2 = 9
	b2, err := got.Encode(nil)
	require.NoError(t, err)
	var again ReplyChannelRange
	require.NoError(t, again.Decode(b2))
	require.Equal(t, uint16(7), again.ShortChannelIDs[1].OutputIndex)
	require.Equal(t, uint32(9), again.Timestamps.Value.Timestamps[0].Node2)
}
