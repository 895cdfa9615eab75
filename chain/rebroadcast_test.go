package chain

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

// fakeBroadcaster records what it is asked to send.
type fakeBroadcaster struct {
	sent []chainhash.Hash
	err  error
}

// BroadcastTransactions implements Broadcaster.
func (f *fakeBroadcaster) BroadcastTransactions(_ context.Context, txs ...*btcwire.MsgTx) error {
	for _, tx := range txs {
		f.sent = append(f.sent, tx.TxHash())
	}
	return f.err
}

// take returns and clears the sent txids.
func (f *fakeBroadcaster) take() []chainhash.Hash {
	s := f.sent
	f.sent = nil
	return s
}

// TestRebroadcaster follows two transactions (parent and child) through
// blocks, a confirmation, a reorganisation and Forget.
func TestRebroadcaster(t *testing.T) {
	inner := &fakeBroadcaster{err: errFake}
	r, err := NewRebroadcaster(RebroadcasterConfig{Broadcaster: inner, KeepConfirmed: 3})
	require.NoError(t, err)

	parent := spend(btcwire.OutPoint{Hash: chainhash.Hash{1}}, []byte{0x51}, 1000)
	child := spend(btcwire.OutPoint{Hash: parent.TxHash()}, []byte{0x51}, 900)
	pid, cid := parent.TxHash(), child.TxHash()

	// The first broadcast fails, but both are remembered.
	require.ErrorIs(t, r.BroadcastTransactions(context.Background(), parent, child), errFake)
	require.Equal(t, []chainhash.Hash{pid, cid}, inner.take())
	require.Equal(t, []chainhash.Hash{pid, cid}, r.Pending())
	inner.err = nil

	fc := newFakeChain()
	p := newTestPoller(t, fc, nil)
	p.AddListener(r, fc.best())

	// An empty block: both again, parent first.
	fc.mine(1)
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, []chainhash.Hash{pid, cid}, inner.take())

	// The parent confirms: only the child is re-sent.
	base := fc.tip()
	withParent := fc.addBlock(base, parent)
	fc.setTip(withParent)
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, []chainhash.Hash{cid}, inner.take())
	require.Equal(t, []chainhash.Hash{cid}, r.Pending())

	// A reorg drops the parent's block: both are pending again and re-sent
	// on the new branch's blocks.
	alt := fc.branch(base, 2)
	fc.setTip(alt[1])
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, []chainhash.Hash{pid, cid, pid, cid}, inner.take())

	// The caller gives the child up.
	r.Forget(cid)
	fc.mine(1)
	require.NoError(t, p.PollOnce(context.Background()))
	require.Equal(t, []chainhash.Hash{pid}, inner.take())

	// The parent confirms, and is forgotten KeepConfirmed blocks later:
	// disconnecting its block then no longer revives it.
	conf := fc.addBlock(fc.tip(), parent)
	fc.setTip(conf)
	fc.mine(3)
	require.NoError(t, p.PollOnce(context.Background()))
	require.Empty(t, inner.take())
	r.mu.Lock()
	require.Empty(t, r.txs)
	r.mu.Unlock()

	// Giving the same transaction twice remembers it once.
	require.NoError(t, r.BroadcastTransactions(context.Background(), child, child))
	require.Equal(t, []chainhash.Hash{cid}, r.Pending())

	_, err = NewRebroadcaster(RebroadcasterConfig{})
	require.Error(t, err)
}
