package wire

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// addGossipSeeds adds seeds for a message type: random valid encodings,
// the extended-queries vectors of that type, and a few truncations.
func addGossipSeeds(f *testing.F, typ MessageType) {
	f.Helper()
	g := newGossipRand(f, uint64(typ))
	for range 8 {
		p, err := g.message(typ).Encode(nil)
		require.NoError(f, err)
		f.Add(p)
		if len(p) > 1 {
			f.Add(p[:len(p)/2])
		}
	}
	var vectors []struct {
		Hex string `json:"hex"`
	}
	require.NoError(f, json.Unmarshal(gossipTestVector(f, "bolt07-extended-queries.json"), &vectors))
	for _, v := range vectors {
		raw, err := hex.DecodeString(v.Hex)
		require.NoError(f, err)
		if MessageType(uint16(raw[0])<<8|uint16(raw[1])) == typ {
			f.Add(raw[2:])
		}
	}
	f.Add([]byte{})
}

// checkGossipDecode is the shared fuzz check: a payload that decodes must
// re-encode, decode again to the same value and re-encode to the same
// bytes. Signed messages (and every other one but the boolean bytes of
// the two replies) re-encode to the exact input.
func checkGossipDecode(t *testing.T, typ MessageType, payload []byte) {
	t.Helper()
	m := NewMessage(typ)
	if err := m.Decode(payload); err != nil {
		return
	}
	b1, err := m.Encode(nil)
	require.NoError(t, err)
	m2 := NewMessage(typ)
	require.NoError(t, m2.Decode(b1))
	require.Equal(t, m, m2)
	b2, err := m2.Encode(nil)
	require.NoError(t, err)
	require.Equal(t, b1, b2)

	want := payload
	switch typ {
	case MsgReplyShortChanIDsEnd:
		want = normalizeBoolByte(payload, 32)
	case MsgReplyChannelRange:
		want = normalizeBoolByte(payload, 40)
	}
	require.Equal(t, want, b1)
}

// normalizeBoolByte returns payload with the byte at i turned into 0 or 1.
func normalizeBoolByte(payload []byte, i int) []byte {
	p := bytes.Clone(payload)
	if p[i] != 0 {
		p[i] = 1
	}
	return p
}

func fuzzGossip(f *testing.F, typ MessageType) {
	f.Helper()
	addGossipSeeds(f, typ)
	f.Fuzz(func(t *testing.T, payload []byte) { checkGossipDecode(t, typ, payload) })
}

func FuzzChannelAnnouncement(f *testing.F)    { fuzzGossip(f, MsgChannelAnnouncement) }
func FuzzNodeAnnouncement(f *testing.F)       { fuzzGossip(f, MsgNodeAnnouncement) }
func FuzzChannelUpdate(f *testing.F)          { fuzzGossip(f, MsgChannelUpdate) }
func FuzzAnnouncementSignatures(f *testing.F) { fuzzGossip(f, MsgAnnouncementSignatures) }
func FuzzQueryShortChanIDs(f *testing.F)      { fuzzGossip(f, MsgQueryShortChanIDs) }
func FuzzReplyShortChanIDsEnd(f *testing.F)   { fuzzGossip(f, MsgReplyShortChanIDsEnd) }
func FuzzQueryChannelRange(f *testing.F)      { fuzzGossip(f, MsgQueryChannelRange) }
func FuzzReplyChannelRange(f *testing.F)      { fuzzGossip(f, MsgReplyChannelRange) }
func FuzzGossipTimestampFilter(f *testing.F)  { fuzzGossip(f, MsgGossipTimestampFilter) }
