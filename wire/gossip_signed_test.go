package wire

import (
	"hash/crc32"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"
)

// TestGossipSignedData checks that SignedData is the payload after the
// signatures (future fields and leading-zero feature bytes included) and
// that a signature over its hash verifies after a round trip.
func TestGossipSignedData(t *testing.T) {
	g := newGossipRand(t, 5)
	type signed interface {
		Message
		SignedData() ([]byte, error)
		SignedDataHash() (chainhash.Hash, error)
	}
	cases := []struct {
		msg    signed
		sigLen int
	}{
		{g.message(MsgChannelAnnouncement).(signed), channelAnnouncementSigLen},
		{g.message(MsgNodeAnnouncement).(signed), nodeAnnouncementSigLen},
		{g.message(MsgChannelUpdate).(signed), channelUpdateSigLen},
	}
	for _, c := range cases {
		t.Run(c.msg.Type().String(), func(t *testing.T) {
			switch m := c.msg.(type) {
			case *ChannelAnnouncement:
				m.Features = FeatureVectorFromBytes([]byte{0, 0, 0x02})
				m.ExtraData = []byte{1, 2, 3}
			case *NodeAnnouncement:
				m.Features = FeatureVectorFromBytes([]byte{0, 0x80})
				m.ExtraData = []byte{4}
			case *ChannelUpdate:
				m.ExtraData = []byte{5, 6}
			}
			payload, err := c.msg.Encode(nil)
			require.NoError(t, err)
			data, err := c.msg.SignedData()
			require.NoError(t, err)
			require.Equal(t, payload[c.sigLen:], data)
			h, err := c.msg.SignedDataHash()
			require.NoError(t, err)
			require.Equal(t, chainhash.DoubleHashH(data), h)

			got := NewMessage(c.msg.Type()).(signed)
			require.NoError(t, got.Decode(payload))
			data2, err := got.SignedData()
			require.NoError(t, err)
			require.Equal(t, data, data2)
		})
	}
}

// TestGossipSignAndVerifyChannelUpdate signs an update the way a node does
// and verifies the decoded copy.
func TestGossipSignAndVerifyChannelUpdate(t *testing.T) {
	priv, _ := btcec.PrivKeyFromBytes([]byte("lnkit gossip test key 0123456789"))
	m := &ChannelUpdate{
		ShortChannelID: ShortChannelID{BlockHeight: 539268, TxIndex: 845, OutputIndex: 1},
		Timestamp:      1700000000, MessageFlags: ChanUpdateMustBeOne, ChannelFlags: ChanUpdateDirection | ChanUpdateDisabled,
		CLTVExpiryDelta: 144, HTLCMinimumMsat: 1000, FeeBaseMsat: 1000, FeeProportionalMillionths: 1, HTLCMaximumMsat: 990000000,
	}
	h, err := m.SignedDataHash()
	require.NoError(t, err)
	m.Signature = NewSignatureFromECDSA(ecdsa.Sign(priv, h[:]))
	raw, err := Encode(nil, m)
	require.NoError(t, err)

	dec, err := Decode(raw)
	require.NoError(t, err)
	u := dec.(*ChannelUpdate)
	require.Equal(t, 1, u.ChannelFlags.Direction())
	require.True(t, u.ChannelFlags.IsDisabled())
	require.False(t, u.MessageFlags.DontForward())
	h2, err := u.SignedDataHash()
	require.NoError(t, err)
	require.True(t, u.Signature.Verify(h2[:], priv.PubKey()))
	u.FeeBaseMsat++
	h3, err := u.SignedDataHash()
	require.NoError(t, err)
	require.False(t, u.Signature.Verify(h3[:], priv.PubKey()))
}

// TestGossipChannelUpdateChecksum checks the checksum against a direct
// CRC32C of the payload without signature and timestamp.
func TestGossipChannelUpdateChecksum(t *testing.T) {
	g := newGossipRand(t, 6)
	for range 20 {
		m := g.message(MsgChannelUpdate).(*ChannelUpdate)
		p, err := m.Encode(nil)
		require.NoError(t, err)
		var data []byte
		data = append(data, p[64:64+32+8]...)
		data = append(data, p[64+32+8+4:]...)
		require.Equal(t, crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)), m.Checksum())

		// Signature and timestamp do not change it; the policy does.
		c := *m
		c.Signature = g.sig()
		c.Timestamp++
		require.Equal(t, m.Checksum(), c.Checksum())
		c.FeeProportionalMillionths++
		require.NotEqual(t, m.Checksum(), c.Checksum())
	}
}

func TestGossipRangeHelpers(t *testing.T) {
	q := &QueryChannelRange{FirstBlockHeight: 0xFFFFFFFF, NumBlocks: 0xFFFFFFFF}
	require.Equal(t, uint64(0x1FFFFFFFE), q.EndHeight())
	r := &ReplyChannelRange{FirstBlockHeight: 100, NumBlocks: 10}
	require.Equal(t, uint64(110), r.EndHeight())
	f := &GossipTimestampFilter{FirstTimestamp: 100, TimestampRange: 10}
	require.True(t, f.Matches(100))
	require.True(t, f.Matches(109))
	require.False(t, f.Matches(110))
	require.False(t, f.Matches(99))
	none := &GossipTimestampFilter{FirstTimestamp: 0xFFFFFFFF}
	require.False(t, none.Matches(0xFFFFFFFF))
	all := &GossipTimestampFilter{FirstTimestamp: 0, TimestampRange: 0xFFFFFFFF}
	require.True(t, all.Matches(0xFFFFFFFE))
	require.Equal(t, "zlib", QueryEncodingZlib.String())
	require.Equal(t, "uncompressed", QueryEncodingUncompressed.String())
	require.Equal(t, "encoding(7)", QueryEncoding(7).String())
}
