package chaintest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/stretchr/testify/require"
)

// TestChain checks the chain's shape after mining and reorganisations, and
// that it answers as a BlockSource (also for stale blocks) until told to
// forget.
func TestChain(t *testing.T) {
	ctx := context.Background()
	c := chaintest.NewChain()
	genesis := c.Tip()
	require.Zero(t, genesis.Height)
	mined := c.Mine(3)
	require.Equal(t, chain.BestBlock{Hash: mined[2], Height: 3}, c.Tip())
	require.Equal(t, mined[0], c.At(1))

	stale := c.Tip()
	branch := c.Reorg(2, 1) // shorter: tip at height 2
	require.Equal(t, chain.BestBlock{Hash: branch[0], Height: 2}, c.Tip())
	require.Equal(t, mined[0], c.At(1))

	hd, err := c.Header(ctx, stale.Hash)
	require.NoError(t, err, "stale blocks stay known")
	require.Equal(t, stale.Height, hd.Height)
	block, err := c.Block(ctx, stale.Hash)
	require.NoError(t, err)
	require.Equal(t, stale.Hash, block.BlockHash())
	require.Equal(t, mined[1], block.Header.PrevBlock)

	hash, height, err := c.BestBlock(ctx)
	require.NoError(t, err)
	require.Equal(t, c.Tip(), chain.BestBlock{Hash: hash, Height: height})
	byHeight, err := c.BlockHash(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, branch[0], byHeight)
	_, err = c.BlockHash(ctx, 3)
	require.Error(t, err)

	c.Forget(stale.Hash)
	_, err = c.Header(ctx, stale.Hash)
	require.Error(t, err)
	_, err = c.Block(ctx, stale.Hash)
	require.Error(t, err)

	require.Equal(t, chaintest.Calls{BestBlock: 1, Header: 2, Block: 2, BlockHash: 2}, c.Calls())

	// Chains with distant seeds share no block.
	other := chaintest.NewChainSeed(1 << 20)
	require.NotEqual(t, genesis.Hash, other.Tip().Hash)
}

// TestChainHooks checks fault injection and that hooks may call the chain.
func TestChainHooks(t *testing.T) {
	ctx := context.Background()
	c := chaintest.NewChain()
	hs := c.Mine(2)
	boom := errors.New("boom")
	var after []chainhash.Hash
	c.SetHooks(chaintest.Hooks{
		BestBlock:  func() error { return boom },
		Header:     func(h chainhash.Hash) error { return fmt.Errorf("header %s: %w", h, boom) },
		AfterBlock: func(h chainhash.Hash) { after = append(after, h); c.Mine(1) },
	})
	_, _, err := c.BestBlock(ctx)
	require.ErrorIs(t, err, boom)
	_, err = c.Header(ctx, hs[0])
	require.ErrorIs(t, err, boom)
	_, err = c.Block(ctx, hs[1])
	require.NoError(t, err)
	require.Equal(t, []chainhash.Hash{hs[1]}, after)
	require.EqualValues(t, 3, c.Tip().Height, "the hook mined a block")

	c.SetHooks(chaintest.Hooks{Block: func(chainhash.Hash) error { return boom }})
	_, err = c.Block(ctx, hs[1])
	require.ErrorIs(t, err, boom)
}

// errorfTB captures Errorf calls.
type errorfTB struct {
	testing.TB
	errs []string
}

func (e *errorfTB) Errorf(format string, args ...any) {
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

// TestRecorder checks that the recorder follows a poller through a
// reorganisation and reports callbacks that break the Listen contract.
func TestRecorder(t *testing.T) {
	ctx := context.Background()
	c := chaintest.NewChain()
	p, err := chain.NewPoller(chain.PollerConfig{Source: c})
	require.NoError(t, err)
	rec := chaintest.NewRecorder(t, c.Tip())
	calls := 0
	rec.OnCall(func() { calls++ })
	p.AddListener(rec, c.Tip())
	old := c.Mine(3)
	require.NoError(t, p.PollOnce(ctx))
	require.Equal(t, c.Connected(old...), rec.Take())
	fresh := c.Reorg(2, 2)
	require.NoError(t, p.PollOnce(ctx))
	require.Equal(t, append(c.Disconnected(old[2], old[1]), c.Connected(fresh...)...), rec.Take())
	require.Equal(t, c.Tip(), rec.Best())
	require.Equal(t, 7, calls)
	require.Nil(t, rec.Take())
	require.Equal(t, "+1:"+old[0].String(), c.Connected(old[0])[0].String())

	// Out of order: a block that does not extend the best one, and a
	// disconnection of a block that is not the best one.
	tb := &errorfTB{TB: t}
	bad := chaintest.NewRecorder(tb, c.BestBlockOf(old[0]))
	bad.BlockConnected(c.MsgBlock(fresh[1]), 3)
	bad.BlockDisconnected(&c.MsgBlock(old[2]).Header, 3)
	require.Len(t, tb.errs, 2)
	require.Contains(t, tb.errs[0], "connected 3:")
	require.Contains(t, tb.errs[1], "disconnected 3:")
}

// TestClock checks that timers wait for the test.
func TestClock(t *testing.T) {
	clk := chaintest.NewClock()
	ch := clk.After(7)
	tm, err := clk.Next(context.Background())
	require.NoError(t, err)
	require.EqualValues(t, 7, tm.Wait)
	select {
	case <-ch:
		require.FailNow(t, "fired before Fire")
	default:
	}
	tm.Fire()
	tm.Fire()
	<-ch
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = clk.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

// TestChainAt checks that a chain's timestamps start where it is told, ten
// minutes apart on every branch.
func TestChainAt(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c := chaintest.NewChainAt(0, start)
	require.Equal(t, start.Unix(), c.MsgBlock(c.Tip().Hash).Header.Timestamp.Unix())
	c.Mine(2)
	branch := c.Reorg(1, 1)
	require.Equal(t, start.Add(20*time.Minute).Unix(), c.MsgBlock(branch[0]).Header.Timestamp.Unix())
	require.Equal(t, time.Unix(chaintest.DefaultStart, 0), chaintest.NewChain().MsgBlock(chaintest.NewChain().Tip().Hash).Header.Timestamp)
}
