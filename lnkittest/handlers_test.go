package lnkittest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// bestRecorder is a chaintest.Recorder that tells the harness its best
// block (a lnkittest.BestBlocker).
type bestRecorder struct{ *chaintest.Recorder }

func (b bestRecorder) BestBlock() chain.BestBlock { return b.Best() }

// heights returns the callbacks of r since the last call as signed
// heights: +h connected, -h disconnected.
func heights(r *chaintest.Recorder) []int32 {
	var out []int32
	for _, e := range r.Take() {
		if e.Connected {
			out = append(out, e.Height)
		} else {
			out = append(out, -e.Height)
		}
	}
	return out
}

// TestListenCaughtUpAfterRestart: a Handlers.Listen follows the chain and,
// rebuilt at Restart, is caught up from the block its state had seen,
// reorganisations missed while down included: from the harness's durable
// checkpoint when it does not know its best block, from its own BestBlock
// when it does.
func TestListenCaughtUpAfterRestart(t *testing.T) {
	tests := []struct {
		name string
		// listener builds node 0's listener at a start; at is the
		// block its state has seen (the chain tip at the first start,
		// the tip at the crash after).
		listener func(t *testing.T, at chain.BestBlock, older chain.BestBlock) chain.Listen
		// want are the callbacks at Restart.
		want []int32
	}{
		{"checkpoint", func(t *testing.T, at, _ chain.BestBlock) chain.Listen {
			return chaintest.NewRecorder(t, at)
		}, []int32{-5, -4, 4, 5, 6, 7}},
		{"own best block, behind its last block", func(t *testing.T, at, older chain.BestBlock) chain.Listen {
			if older != (chain.BestBlock{}) {
				at = older // its state was persisted a block back
			}
			return bestRecorder{chaintest.NewRecorder(t, at)}
		}, []int32{-4, 4, 5, 6, 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec *chaintest.Recorder
			var at, older chain.BestBlock
			net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 12, Handlers: func(n *lnkittest.Node) lnkittest.Handlers {
				if n.Index != 0 {
					return lnkittest.Handlers{}
				}
				if at == (chain.BestBlock{}) { // the first start: the chain's tip
					at = n.Network().Chain.Tip()
				}
				l := tc.listener(t, at, older)
				switch l := l.(type) {
				case *chaintest.Recorder:
					rec = l
				case bestRecorder:
					rec = l.Recorder
				}
				return lnkittest.Handlers{Listen: l}
			}})
			a := net.Node(0)
			net.Mine(5)
			require.Equal(t, []int32{1, 2, 3, 4, 5}, heights(rec), "after the ChainMonitor and wallet")
			require.Equal(t, net.Chain.Tip(), rec.Best())

			at = net.Chain.Tip()
			b4, _ := net.Chain.BlockAt(4)
			older = chain.BestBlock{Hash: b4.Header.BlockHash(), Height: 4}
			net.Crash(a)
			net.Reorg(2, 4) // heights 4 and 5 replaced; tip at 7
			net.Restart(a)
			require.Equal(t, tc.want, heights(rec))
			require.Equal(t, net.Chain.Tip(), rec.Best())
			require.Equal(t, net.Chain.Tip(), a.Wallet.BestBlock())

			net.Mine(1)
			require.Equal(t, []int32{8}, heights(rec), "follows the chain again")
		})
	}
}

func TestListenZeroBestBlock(t *testing.T) {
	msg := failure(func() {
		lnkittest.NewNetwork(recordingTB{t}, lnkittest.Options{Handlers: func(*lnkittest.Node) lnkittest.Handlers {
			return lnkittest.Handlers{Listen: bestRecorder{chaintest.NewRecorder(t, chain.BestBlock{})}}
		}})
	})
	require.Contains(t, msg, "zero BestBlock")
}

// ticker records the times it is given.
type ticker struct{ at []time.Time }

func (k *ticker) TimerTick(now time.Time) { k.at = append(k.at, now) }

func TestTicker(t *testing.T) {
	tk := map[int]*ticker{}
	net := lnkittest.NewNetwork(t, lnkittest.Options{Nodes: 3, TickInterval: time.Minute, Handlers: func(n *lnkittest.Node) lnkittest.Handlers {
		tk[n.Index] = &ticker{}
		return lnkittest.Handlers{Ticker: tk[n.Index]}
	}})
	require.Same(t, net, net.Node(1).Network())
	require.NotNil(t, net.Node(1).Entropy())
	start := net.Clock.Now()
	net.Tick()
	net.Crash(net.Node(2))
	net.Tick()
	require.Equal(t, []time.Time{start.Add(time.Minute), start.Add(2 * time.Minute)}, tk[0].at)
	require.Equal(t, tk[0].at, tk[1].at)
	require.Equal(t, []time.Time{start.Add(time.Minute)}, tk[2].at, "a crashed node does not tick")
}

// TestPollBeforeMessagesArePulled: Handlers.Poll runs before the
// peer.Manager pulls the handlers' messages, so a message it releases (as
// a channel manager releases those an asynchronous monitor update gated) is
// on the wire from that pumping call on.
func TestPollBeforeMessagesArePulled(t *testing.T) {
	var gated []func()
	polls := 0
	hs := map[int]*custom{}
	net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 13, Handlers: func(n *lnkittest.Node) lnkittest.Handlers {
		c := &custom{}
		hs[n.Index] = c
		h := lnkittest.Handlers{Custom: c}
		if n.Index == 0 {
			h.Poll = func() {
				polls++
				for _, f := range gated {
					f()
				}
				gated = nil
			}
		}
		return h
	}})
	a, b := net.Node(0), net.Node(1)
	net.Connect(a, b)
	require.Positive(t, polls)
	gated = append(gated, func() { hs[0].Send(b.ID(), msg("released by poll")) })
	require.Equal(t, []string{"released by poll"}, payloadsOf(net.Pending(a, b)))
	net.DeliverAll()
	require.Equal(t, []string{"released by poll"}, hs[1].payloads())
}

// payloadsOf returns the payloads of custom messages, as strings.
func payloadsOf(ms []wire.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, string(m.(*wire.Custom).Payload))
	}
	return out
}
