package peertest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/peertest"
)

func TestConnect(t *testing.T) {
	a, b := newManager(1, nil), newManager(2, nil)
	l, err := peertest.Connect(a, b)
	require.NoError(t, err)
	infoA, ok := b.PeerByNodeID(a.NodeID())
	require.True(t, ok)
	require.True(t, infoA.Inbound)
	require.Equal(t, peertest.DialerAddr, infoA.Addr.String())

	require.True(t, a.DisconnectByNodeID(b.NodeID()))
	l.Pump()
	require.True(t, l.GoneB, "B was told the socket closed")
	require.Empty(t, b.Peers())

	_, err = peertest.Connect(a, a)
	require.ErrorIs(t, err, peer.ErrSelfConnection)
}
