package lnkittest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

// TestConnectionClosedByANode covers the closes the nodes make themselves,
// delivered by DeliverAll: a handler asking for a disconnect, and a
// receiver failing a message it must understand.
func TestConnectionClosedByANode(t *testing.T) {
	tests := []struct {
		name string
		send func(hs map[int]*custom, to wire.NodeID)
	}{
		{"handler disconnects", func(hs map[int]*custom, to wire.NodeID) {
			hs[0].Queue(peer.Outbound{To: to, Msg: msg("bye"), Disconnect: true})
		}},
		{"unknown even message", func(hs map[int]*custom, to wire.NodeID) {
			hs[0].Send(to, &wire.Custom{MsgType: 32768, Payload: []byte("must understand")})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := lnkittest.Options{Seed: 11}
			net, hs := withCustom(t, opts)
			a, b := net.Node(0), net.Node(1)
			net.Connect(a, b)
			tc.send(hs, b.ID())
			net.DeliverAll()
			require.Empty(t, peerIDs(a))
			require.Empty(t, peerIDs(b))
			require.Empty(t, net.Pending(a, b))

			net.Connect(a, b) // the closed link is gone
			hs[0].Send(b.ID(), msg("again"))
			net.DeliverAll()
			require.Contains(t, hs[1].payloads(), "again")
		})
	}
}
