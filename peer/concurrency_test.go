package peer_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/peertest"
	"github.com/lnkit/lnkit/wire"
)

// reentrantDesc calls back into the peer.Manager from Disconnect, which the
// locking rules allow.
type reentrantDesc struct {
	peertest.Descriptor
	m     *peer.Manager
	calls atomic.Int32
}

func (d *reentrantDesc) Disconnect() {
	d.calls.Add(1)
	d.Descriptor.Disconnect()
	d.m.SocketDisconnected(d)
	_ = d.m.Peers()
	d.m.DisconnectByNodeID(wire.NodeID{})
}

func TestDisconnectMayReenter(t *testing.T) {
	n := newTestNode(t, 1, nil)
	d := &reentrantDesc{m: n.m}
	require.NoError(t, n.m.NewInboundConnection(d, nil))
	_, err := n.m.ReadEvent(d, make([]byte, 50))
	require.ErrorIs(t, err, peer.ErrHandshake)
	require.Equal(t, int32(1), d.calls.Load())

	d2 := &reentrantDesc{m: n.m}
	require.NoError(t, n.m.NewInboundConnection(d2, nil))
	n.m.DisconnectAll()
	require.Equal(t, int32(1), d2.calls.Load())
	byDesc, _ := peer.ConnCount(n.m)
	require.Zero(t, byDesc)
}

// TestConcurrentUse drives three managers connected pairwise from many
// goroutines at once; the recorders panic on any ordering violation, and
// the race detector watches the rest.
func TestConcurrentUse(t *testing.T) {
	// Ticks come much faster than in real life here: keep pings out of it.
	lg := func(c *peer.Config) { c.PingIntervalTicks = 1 << 30 }
	nodes := []*testNode{newTestNode(t, 1, lg), newTestNode(t, 2, lg), newTestNode(t, 3, lg)}
	var links []*link
	for i := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			links = append(links, connect(t, nodes[i], nodes[j]))
		}
	}
	stop := make(chan struct{})
	var pumps, producers sync.WaitGroup
	for _, l := range links {
		pumps.Go(func() { // one reader per connection, as the rules require
			for {
				select {
				case <-stop:
					return
				default:
				}
				l.Step()
			}
		})
	}
	const rounds = 200
	for _, n := range nodes {
		producers.Go(func() {
			for i := range rounds {
				for _, p := range nodes {
					if p != n {
						n.ch.Send(p.id, feeMsg(i))
						n.rt.Send(p.id, &wire.GossipTimestampFilter{ChainHash: regtest})
						n.cu.Send(p.id, &wire.Custom{MsgType: 32769})
					}
				}
				n.m.ProcessEvents()
				_ = n.m.Peers()
				if i%20 == 0 {
					n.m.TimerTick()
				}
			}
		})
		producers.Go(func() {
			for range rounds {
				n.m.ProcessEvents()
				_, _ = n.m.PeerByNodeID(nodes[0].id)
			}
		})
	}
	producers.Wait()
	close(stop)
	pumps.Wait()
	for _, l := range links {
		l.Pump()
		require.NoError(t, l.ErrA)
		require.NoError(t, l.ErrB)
	}
	for _, n := range nodes {
		for _, p := range nodes {
			if p != n {
				requireFees(t, n.ch.MsgsFrom(p.id), rounds)
				require.Len(t, n.cu.MsgsFrom(p.id), rounds)
			}
		}
	}
	for _, n := range nodes {
		require.Len(t, n.m.Peers(), 2)
	}
	// Tear everything down from both ends at once.
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Go(n.m.DisconnectAll)
	}
	wg.Wait()
	for _, l := range links {
		l.Pump()
	}
	for _, n := range nodes {
		byDesc, byID := peer.ConnCount(n.m)
		require.Zero(t, byDesc+byID)
		for _, r := range []*recorder{n.ch, n.rt, n.cu} {
			r.mu.Lock()
			require.Empty(t, r.connected)
			r.mu.Unlock()
		}
	}
}
