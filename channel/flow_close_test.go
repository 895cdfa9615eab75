package channel_test

import (
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// closedEvents returns the ChannelClosed events node handled.
func closedEvents(n *lnkittest.Node) []*events.ChannelClosed {
	var out []*events.ChannelClosed
	for _, e := range n.EventLog {
		if c, ok := e.(*events.ChannelClosed); ok {
			out = append(out, c)
		}
	}
	return out
}

// paidTo returns what tx pays to scripts owned by node's wallet.
func paidTo(t *testing.T, n *lnkittest.Node, tx *btcwire.MsgTx) btcutil.Amount {
	t.Helper()
	var sum btcutil.Amount
	for _, c := range n.Wallet.Coins() {
		if c.OutPoint.Hash == tx.TxHash() {
			sum += c.Value
		}
	}
	return sum
}

// TestCooperativeClose opens a channel and closes it cooperatively from
// either side, for both channel types: both sides report the close, the
// closing transaction confirms, and each wallet receives its balance to
// the satoshi (the opener pays the closing fee).
func TestCooperativeClose(t *testing.T) {
	for _, tc := range []struct {
		name     string
		typ      lnkittest.ChannelType
		byOpener bool
	}{
		{"anchors/opener closes", lnkittest.Anchors, true},
		{"anchors/acceptor closes", lnkittest.Anchors, false},
		{"static_remotekey/opener closes", lnkittest.StaticRemoteKey, true},
		{"static_remotekey/acceptor closes", lnkittest.StaticRemoteKey, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 7})
			a, b := net.Node(0), net.Node(1)
			const push = 150_000_000 // msat
			id := net.OpenChannel(a, b, 1_000_000, tc.typ, lnkittest.OpenOptions{Push: push})
			da, db := net.Channel(a, id), net.Channel(b, id)
			require.Equal(t, wire.MilliSatoshi(850_000_000), da.OurBalance)
			require.Equal(t, wire.MilliSatoshi(push), da.TheirBalance)
			require.Equal(t, wire.MilliSatoshi(push), db.OurBalance)
			require.Equal(t, da.ShortChannelID, db.ShortChannelID)
			require.True(t, da.Usable && db.Usable)

			closer, other := a, b
			if !tc.byOpener {
				closer, other = b, a
			}
			require.NoError(t, closer.Channels.CloseChannel(id, other.ID(), channel.CloseOptions{}))
			net.DeliverAll()
			_, err := net.ProcessEvents(a)
			require.NoError(t, err)
			_, err = net.ProcessEvents(b)
			require.NoError(t, err)

			ca, cb := closedEvents(a), closedEvents(b)
			require.Len(t, ca, 1)
			require.Len(t, cb, 1)
			byUs, byPeer := events.ClosedCooperativelyByUs, events.ClosedCooperativelyByPeer
			if !tc.byOpener {
				byUs, byPeer = byPeer, byUs
			}
			require.Equal(t, byUs, ca[0].Reason.Kind)
			require.Equal(t, byPeer, cb[0].Reason.Kind)

			mempool := net.Chain.Mempool()
			require.Len(t, mempool, 1, "the closing transaction")
			closeTx := mempool[0]
			net.Mine(1)
			net.DeliverAll()
			require.Empty(t, a.Channels.ListChannels())
			require.Empty(t, b.Channels.ListChannels())

			// b owns the push and pays no fee; a owns the rest minus the
			// closing fee.
			require.Equal(t, btcutil.Amount(push/1000), paidTo(t, b, closeTx))
			var out btcutil.Amount
			for _, o := range closeTx.TxOut {
				out += btcutil.Amount(o.Value)
			}
			fee := btcutil.Amount(1_000_000) - out
			require.Positive(t, fee)
			require.Equal(t, btcutil.Amount(850_000)-fee, paidTo(t, a, closeTx))
		})
	}
}
