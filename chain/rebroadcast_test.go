package chain_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/stretchr/testify/require"
)

// fakeBroadcaster records what it is asked to send.
type fakeBroadcaster struct {
	mu     sync.Mutex
	sent   []chainhash.Hash
	err    error
	block  bool                // wait for the context to end instead of answering
	calls  chan chainhash.Hash // when set, each txid is also sent here
	onSend func()              // when set, runs at each call
}

// BroadcastTransactions implements chain.Broadcaster.
func (f *fakeBroadcaster) BroadcastTransactions(ctx context.Context, txs ...*btcwire.MsgTx) error {
	f.mu.Lock()
	block, err, calls, onSend := f.block, f.err, f.calls, f.onSend
	for _, tx := range txs {
		f.sent = append(f.sent, tx.TxHash())
	}
	f.mu.Unlock()
	for _, tx := range txs {
		if calls != nil {
			calls <- tx.TxHash()
		}
	}
	if onSend != nil {
		onSend()
	}
	if block {
		<-ctx.Done()
		return ctx.Err()
	}
	return err
}

// set changes the broadcaster's answer.
func (f *fakeBroadcaster) set(block bool, err error) {
	f.mu.Lock()
	f.block, f.err = block, err
	f.mu.Unlock()
}

// take returns and clears the sent txids.
func (f *fakeBroadcaster) take() []chainhash.Hash {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sent
	f.sent = nil
	return s
}

// newRebroadcaster returns a Rebroadcaster sending through inner.
func newRebroadcaster(t *testing.T, inner chain.Broadcaster, mod func(*chain.RebroadcasterConfig)) *chain.Rebroadcaster {
	t.Helper()
	cfg := chain.RebroadcasterConfig{Broadcaster: inner}
	if mod != nil {
		mod(&cfg)
	}
	r, err := chain.NewRebroadcaster(cfg)
	require.NoError(t, err)
	return r
}

// parentAndChild returns a transaction and one spending it.
func parentAndChild() (parent, child *btcwire.MsgTx) {
	parent = spend(btcwire.OutPoint{Hash: chainhash.Hash{1}}, []byte{0x51}, 1000)
	child = spend(btcwire.OutPoint{Hash: parent.TxHash()}, []byte{0x51}, 900)
	return parent, child
}

// TestRebroadcaster follows two transactions (parent and child) through
// blocks, a confirmation, a reorganisation and Forget, with the caller's
// loop calling Rebroadcast after each poll.
func TestRebroadcaster(t *testing.T) {
	ctx := context.Background()
	inner := &fakeBroadcaster{err: errFake}
	r := newRebroadcaster(t, inner, func(cfg *chain.RebroadcasterConfig) { cfg.KeepConfirmed = 3 })
	parent, child := parentAndChild()
	pid, cid := parent.TxHash(), child.TxHash()

	// The first broadcast fails, but both are remembered.
	require.ErrorIs(t, r.BroadcastTransactions(ctx, parent, child), errFake)
	require.Equal(t, []chainhash.Hash{pid, cid}, inner.take())
	require.Equal(t, []chainhash.Hash{pid, cid}, r.Pending())
	inner.set(false, nil)

	c := chaintest.NewChain()
	p := newTestPoller(t, c, nil)
	p.AddListener(r, c.Tip())
	poll := func() []chainhash.Hash {
		t.Helper()
		require.NoError(t, p.PollOnce(ctx))
		require.Empty(t, inner.take(), "the poll itself sends nothing")
		require.NoError(t, r.Rebroadcast(ctx))
		return inner.take()
	}

	// No block yet: no round is due.
	require.NoError(t, r.Rebroadcast(ctx))
	require.Empty(t, inner.take())

	// Empty blocks: both again, parent first, once for the poll.
	c.Mine(3)
	require.Equal(t, []chainhash.Hash{pid, cid}, poll())
	require.Empty(t, poll(), "no new block, no round")

	// The parent confirms: only the child is re-sent.
	base := c.Tip().Hash
	c.MineTx(parent)
	require.Equal(t, []chainhash.Hash{cid}, poll())
	require.Equal(t, []chainhash.Hash{cid}, r.Pending())

	// A reorg drops the parent's block: both are pending again.
	c.SetTip(c.Branch(base, 2)[1])
	require.Equal(t, []chainhash.Hash{pid, cid}, poll())

	// The caller gives the child up.
	r.Forget(cid)
	c.Mine(1)
	require.Equal(t, []chainhash.Hash{pid}, poll())

	// The parent confirms, and is forgotten KeepConfirmed blocks later:
	// disconnecting its block then no longer revives it.
	c.MineTx(parent)
	c.Mine(3)
	require.Empty(t, poll())
	c.Reorg(4, 5)
	require.Empty(t, poll())
	require.Empty(t, r.Pending())

	// Giving the same transaction twice remembers it once.
	require.NoError(t, r.BroadcastTransactions(ctx, child, child))
	require.Equal(t, []chainhash.Hash{cid}, r.Pending())
}

// TestRebroadcasterNoIOOnPoll checks that a broadcaster that hangs never
// holds up the poller, also during a long catch-up; that a round cut short
// by its context stays due; and that a round that times out is done.
func TestRebroadcasterNoIOOnPoll(t *testing.T) {
	ctx := context.Background()
	inner := &fakeBroadcaster{}
	r := newRebroadcaster(t, inner, func(cfg *chain.RebroadcasterConfig) { cfg.Timeout = time.Nanosecond })
	parent, child := parentAndChild()
	require.NoError(t, r.BroadcastTransactions(ctx, parent, child))
	inner.take()
	inner.set(true, nil) // hangs until its context ends

	c := chaintest.NewChain()
	p := newTestPoller(t, c, nil)
	p.AddListener(r, c.Tip())
	c.Mine(50)
	require.NoError(t, p.PollOnce(ctx))
	require.Empty(t, inner.take())

	// The caller's context ends during the round (here, during the first
	// send): the rest is not sent and the round stays due.
	cancelled, cancel := context.WithCancel(ctx)
	inner.mu.Lock()
	inner.onSend = cancel
	inner.mu.Unlock()
	require.ErrorIs(t, r.Rebroadcast(cancelled), context.Canceled)
	require.Len(t, inner.take(), 1, "stopped after the first")
	inner.mu.Lock()
	inner.onSend = nil
	inner.mu.Unlock()

	// The round's own Timeout ends it: each failure is reported, and the
	// round is done.
	err := r.Rebroadcast(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, child.TxHash().String())
	require.Len(t, inner.take(), 2)
	require.NoError(t, r.Rebroadcast(ctx))
	require.Empty(t, inner.take())
}

// TestRebroadcasterRun checks that Run sends a round after each poll that
// connected blocks, and stops with its context.
func TestRebroadcasterRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inner := &fakeBroadcaster{}
	r := newRebroadcaster(t, inner, nil)
	parent, child := parentAndChild()
	require.NoError(t, r.BroadcastTransactions(ctx, parent, child))
	inner.take()
	calls := make(chan chainhash.Hash, 16)
	inner.mu.Lock()
	inner.calls = calls
	inner.mu.Unlock()

	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	c := chaintest.NewChain()
	p := newTestPoller(t, c, nil)
	p.AddListener(r, c.Tip())
	next := func() chainhash.Hash {
		t.Helper()
		select {
		case id := <-calls:
			return id
		case <-time.After(10 * time.Second):
			require.FailNow(t, "Run did not re-broadcast")
			return chainhash.Hash{}
		}
	}
	c.Mine(1)
	require.NoError(t, p.PollOnce(ctx))
	require.Equal(t, parent.TxHash(), next())
	require.Equal(t, child.TxHash(), next())

	c.MineTx(parent)
	require.NoError(t, p.PollOnce(ctx))
	require.Equal(t, child.TxHash(), next())

	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "Run did not stop")
	}
}
