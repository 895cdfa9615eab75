package wallet

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
)

func TestFundingLocks(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 12)
	fund := payTx(1, f.script(P2WPKH), 1_000_000)
	f.mine(fund)
	signer := keys.NewManager(testSeed(12), keys.Config{}).ChannelKeys([32]byte{1})
	other := keys.NewManager(testSeed(13), keys.Config{}).ChannelKeys([32]byte{1})
	out, _ := commit.FundingOutput(signer.Basepoints().FundingKey, other.Basepoints().FundingKey, 400_000)

	tx, err := f.w.FundingTransaction(ctx, out.PkScript, 400_000, chain.TargetNonAnchorChannelFee)
	require.NoError(t, err)
	verifyTx(t, tx, prevOutsOf(fund))
	require.Empty(t, f.bc.txs, "a funding transaction is not broadcast by the wallet")
	paid := 0
	for _, o := range tx.TxOut {
		if bytes.Equal(o.PkScript, out.PkScript) {
			require.EqualValues(t, 400_000, o.Value)
			paid++
		}
	}
	require.Equal(t, 1, paid)
	require.Equal(t, Balance{Locked: 1_000_000}, f.w.Balance())

	// Locked coins are not spent by anything else, and the locks survive
	// a restart.
	_, err = f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(10_000, otherScript)}, chain.TargetOutputSpending)
	require.ErrorIs(t, err, ErrInsufficientFunds)
	f.reopen()
	require.Equal(t, Balance{Locked: 1_000_000}, f.w.Balance())
	require.True(t, f.w.Transactions()[1].Locked)

	// Unlock: the funding was discarded.
	require.NoError(t, f.w.Unlock(ctx, tx.TxHash()))
	require.Equal(t, Balance{Confirmed: 1_000_000}, f.w.Balance())
	require.ErrorIs(t, f.w.Unlock(ctx, tx.TxHash()), ErrUnknownOutput)

	// Again, reported pending this time: the change is unconfirmed until
	// the funding confirms.
	tx, err = f.w.FundingTransaction(ctx, out.PkScript, 400_000, chain.TargetNonAnchorChannelFee)
	require.NoError(t, err)
	require.NoError(t, f.w.FundingPending(ctx, tx.TxHash()))
	require.ErrorIs(t, f.w.Unlock(ctx, tx.TxHash()), ErrLocked)
	var change int64
	for _, o := range tx.TxOut {
		if f.w.IsMine(o.PkScript) {
			change += o.Value
		}
	}
	require.Equal(t, Balance{Unconfirmed: btcutil.Amount(change)}, f.w.Balance())
	f.mine(tx)
	require.Equal(t, Balance{Confirmed: btcutil.Amount(change)}, f.w.Balance())
}

func TestFundingConfirmedWhileLocked(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 14)
	fund := payTx(1, f.script(P2TR), 1_000_000)
	f.mine(fund)
	tx, err := f.w.FundingTransaction(ctx, otherScript, 400_000, chain.TargetNonAnchorChannelFee)
	require.NoError(t, err)
	// The channel manager broadcast it and it confirmed before the wallet
	// heard of it: the lock turns into a spend.
	f.mine(tx)
	b := f.w.Balance()
	require.Zero(t, b.Locked)
	require.Positive(t, b.Confirmed)
	require.ErrorIs(t, f.w.Unlock(ctx, tx.TxHash()), ErrLocked)
}

// errStoreDown is the failure the store is told to give.
var errStoreDown = errors.New("test: store down")

func TestStoreFailureBroadcastsNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 15)
	f.mine(payTx(1, f.script(P2WPKH), 100_000))
	f.store.FailWrites(errStoreDown)
	_, err := f.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(10_000, otherScript)}, chain.TargetOutputSpending)
	require.ErrorIs(t, err, errStoreDown)
	f.store.FailWrites(nil)
	require.Empty(t, f.bc.txs)
	require.Equal(t, Balance{Confirmed: 100_000}, f.w.Balance())
	// A block while the store is down is kept in memory and written by
	// the next flush.
	script := f.script(P2WPKH)
	f.store.FailWrites(errStoreDown)
	f.mine(payTx(2, script, 5_000))
	f.store.FailWrites(nil)
	f.mine()
	f.reopen()
	require.Equal(t, Balance{Confirmed: 105_000}, f.w.Balance())
	require.Equal(t, int32(3), f.w.BestBlock().Height)
}
