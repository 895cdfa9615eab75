package simchain_test

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/lnkit/lnkit/lnkittest/simchain"
)

// listenFunc is a chain.Listen calling a function on each connected block.
type listenFunc func(height int32)

func (f listenFunc) BlockConnected(_ *btcwire.MsgBlock, height int32) { f(height) }
func (listenFunc) BlockDisconnected(*btcwire.BlockHeader, int32)      {}

// TestConnect checks that connected listeners see every block and
// reorganisation synchronously and in order (the recorder checks the
// Listen contract), that a poller over the chain sees the same, that blocks
// mined from a callback come after the one being delivered, and that a
// disconnected listener sees nothing more.
func TestConnect(t *testing.T) {
	ctx := context.Background()
	c := newChain(t)
	direct := chaintest.NewRecorder(t, c.Tip())
	polled := chaintest.NewRecorder(t, c.Tip())
	poller, err := chain.NewPoller(chain.PollerConfig{Source: c})
	require.NoError(t, err)
	poller.AddListener(polled, c.Tip())
	var nested []int32
	miner := listenFunc(func(height int32) {
		nested = append(nested, height)
		if height == 2 {
			c.Mine(1) // from inside a delivery
		}
	})
	disconnect := c.Connect(miner, direct)

	mined := c.Mine(2)
	require.Len(t, mined, 2)
	require.Equal(t, []int32{1, 2, 3}, nested, "the nested block comes after the one delivered")
	mined = append(mined, c.Tip().Hash) // the block the listener mined
	require.Equal(t, c.Tip(), direct.Best(), "delivered before Mine returned")
	fund(t, c, trueScript, 10_000)
	require.Equal(t, c.Tip(), direct.Best())
	funded := c.Tip().Hash

	fresh, err := c.Reorg(2, 3)
	require.NoError(t, err)
	want := events(t, c, true, mined...)
	want = append(want, events(t, c, true, funded)...)
	want = append(want, events(t, c, false, funded, mined[2])...)
	want = append(want, events(t, c, true, fresh...)...)
	require.Equal(t, want, direct.Take())

	require.NoError(t, poller.PollOnce(ctx))
	require.Equal(t, events(t, c, true, append(mined[:2:2], fresh...)...), polled.Take())

	seen := len(nested)
	disconnect()
	c.Mine(1)
	require.Nil(t, direct.Take())
	require.Len(t, nested, seen)
}

// events returns the Listen events of the blocks, as a recorder sees them.
func events(t *testing.T, c *simchain.Chain, connected bool, hashes ...chainhash.Hash) []chaintest.Event {
	t.Helper()
	out := make([]chaintest.Event, len(hashes))
	for i, h := range hashes {
		hd, err := c.Header(context.Background(), h)
		require.NoError(t, err)
		out[i] = chaintest.Event{Connected: connected, Hash: h, Height: hd.Height}
	}
	return out
}
