package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// FuzzReadyMessages hands arbitrary channel_ready and
// announcement_signatures (their channel id set to a real channel) to a
// Manager whose channel is awaiting its funding, ready, or announced: it
// never panics, and the channel either goes on or is closed with a
// ChannelClosed event.
func FuzzReadyMessages(f *testing.F) {
	ready, err := (&wire.ChannelReady{SecondPerCommitmentPoint: testPoint(f, 3), Alias: wire.Some(wire.ShortChannelID{BlockHeight: 16_000_001})}).Encode(nil)
	require.NoError(f, err)
	sigs, err := (&wire.AnnouncementSignatures{ShortChannelID: wire.ShortChannelID{BlockHeight: 103, TxIndex: 1}}).Encode(nil)
	require.NoError(f, err)
	for _, blocks := range []uint8{0, 1, 6} {
		f.Add(ready, false, blocks, true)
		f.Add(sigs, true, blocks, true)
		f.Add(sigs, true, blocks, false)
	}
	f.Fuzz(func(t *testing.T, payload []byte, announcement bool, blocks uint8, public bool) {
		var msg wire.Message
		if announcement {
			var m wire.AnnouncementSignatures
			if m.Decode(payload) != nil {
				return
			}
			msg = &m
		} else {
			var m wire.ChannelReady
			if m.Decode(payload) != nil {
				return
			}
			msg = &m
		}
		tp := newTestPair(t, testUser(1, public), testUser(1, false))
		ch := tp.open(500_000, 0, 0)
		tp.mine(int(blocks % 8))
		switch m := msg.(type) {
		case *wire.AnnouncementSignatures:
			m.ChannelID = ch.id
		case *wire.ChannelReady:
			m.ChannelID = ch.id
		}
		require.NoError(t, tp.a.m.HandleChannelMessage(tp.b.id, msg))
		tp.deliver()
		if !tp.a.hasChannel(ch.id) {
			require.Len(t, eventsOf[*events.ChannelClosed](t, tp.a), 1)
		}
		tp.mine(6)
		tp.a.m.ChannelAnnouncements()
		tp.a.m.ListChannels()
	})
}
