package wallet

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	lnwire "github.com/lnkit/lnkit/wire"
)

// closeFixture is a made-up commitment transaction with one output of each
// kind the wallet sweeps, owned by channel key id 42 of the fixture's seed.
type closeFixture struct {
	parent *btcwire.MsgTx
	descs  []spendable.Output // static remote, anchor to_remote, to_local, anchor
}

func newCloseFixture(t *testing.T, seed keys.Seed) *closeFixture {
	t.Helper()
	signer := keys.NewManager(seed, keys.Config{}).ChannelKeys([32]byte{42})
	bp := signer.Basepoints()
	pcp, err := signer.PerCommitmentPoint(5)
	require.NoError(t, err)
	revKey, err := btcec.NewPrivateKey()
	require.NoError(t, err)
	rev := revKey.PubKey()
	toLocal := commit.ToLocalScript(rev, keys.DerivePubKey(bp.DelayedPaymentBasepoint, pcp), 144)
	parent := payTx(77, commit.P2WPKH(bp.PaymentBasepoint), 60_000)
	parent.AddTxOut(btcwire.NewTxOut(70_000, commit.P2WSH(commit.ToRemoteAnchorScript(bp.PaymentBasepoint))))
	parent.AddTxOut(btcwire.NewTxOut(80_000, commit.P2WSH(toLocal)))
	parent.AddTxOut(btcwire.NewTxOut(330, commit.P2WSH(commit.AnchorScript(bp.FundingKey))))
	h := parent.TxHash()
	desc := func(i int, kind spendable.Kind) spendable.Output {
		return spendable.Output{Kind: kind, OutPoint: btcwire.OutPoint{Hash: h, Index: uint32(i)},
			Value: lnwire.Satoshi(parent.TxOut[i].Value), PkScript: parent.TxOut[i].PkScript, ChannelKeyID: [32]byte{42}}
	}
	local := desc(2, spendable.ToLocalDelayed)
	local.PerCommitmentPoint, local.RevocationPubKey, local.ToSelfDelay = pcp, rev, 144
	return &closeFixture{parent: parent, descs: []spendable.Output{
		desc(0, spendable.StaticRemote), desc(1, spendable.AnchorToRemote), local, desc(3, spendable.Anchor)}}
}

func TestSweep(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 8)
	cf := newCloseFixture(t, testSeed(8))
	for i, d := range cf.descs[:3] {
		t.Run(d.Kind.String(), func(t *testing.T) {
			tx, err := f.w.Sweep(ctx, []spendable.Output{d}, chain.TargetOutputSpending)
			require.NoError(t, err)
			verifyTx(t, tx, prevOutsOf(cf.parent))
			require.Len(t, tx.TxOut, 1)
			require.True(t, f.w.IsMine(tx.TxOut[0].PkScript))
			wantSeq := []uint32{sequenceRBF, 1, 144}[i]
			require.Equal(t, wantSeq, tx.TxIn[0].Sequence)
			weight := int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
			fee := int64(d.Value) - tx.TxOut[0].Value
			require.GreaterOrEqual(t, fee*1000, 1000*weight)
			require.NoError(t, f.w.AbandonTransaction(ctx, tx.TxHash()))
		})
	}
	// All three at once; the sweep is counted as unconfirmed, then
	// confirmed.
	tx, err := f.w.Sweep(ctx, cf.descs[:3], chain.TargetOutputSpending)
	require.NoError(t, err)
	verifyTx(t, tx, prevOutsOf(cf.parent))
	require.Equal(t, Balance{Unconfirmed: btcutil.Amount(tx.TxOut[0].Value)}, f.w.Balance())
	f.mine(cf.parent, tx)
	require.Equal(t, Balance{Confirmed: btcutil.Amount(tx.TxOut[0].Value)}, f.w.Balance())
}

func TestSweepRefusesBadDescriptors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 9)
	cf := newCloseFixture(t, testSeed(9))
	other := newCloseFixture(t, testSeed(10)) // someone else's outputs
	edit := func(i int, fn func(*spendable.Output)) spendable.Output {
		d := cf.descs[i]
		fn(&d)
		return d
	}
	tests := []struct {
		name string
		d    spendable.Output
		err  error
	}{
		{"foreign static remote", other.descs[0], ErrInvalidDescriptor},
		{"foreign to_local", other.descs[2], ErrInvalidDescriptor},
		{"script of another kind", edit(0, func(d *spendable.Output) { d.Kind = spendable.AnchorToRemote }), ErrInvalidDescriptor},
		{"wrong delay", edit(2, func(d *spendable.Output) { d.ToSelfDelay = 143 }), ErrInvalidDescriptor},
		{"no per-commitment point", edit(2, func(d *spendable.Output) { d.PerCommitmentPoint = nil }), ErrInvalidDescriptor},
		{"unknown kind", edit(0, func(d *spendable.Output) { d.Kind = 99 }), ErrInvalidDescriptor},
		{"zero value", edit(0, func(d *spendable.Output) { d.Value = 0 }), ErrInvalidDescriptor},
		{"dust", edit(3, func(d *spendable.Output) {}), ErrDust},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.w.Sweep(ctx, []spendable.Output{tc.d}, chain.TargetOutputSpending)
			require.ErrorIs(t, err, tc.err)
		})
	}
	_, err := f.w.Sweep(ctx, []spendable.Output{cf.descs[0], cf.descs[0]}, chain.TargetOutputSpending)
	require.ErrorIs(t, err, ErrInvalidDescriptor)
	_, err = f.w.Sweep(ctx, nil, chain.TargetOutputSpending)
	require.ErrorIs(t, err, ErrInvalidDescriptor)
	f.w.cfg.Signers = nil
	_, err = f.w.Sweep(ctx, cf.descs[:1], chain.TargetOutputSpending)
	require.ErrorIs(t, err, ErrNoSigner)
	require.Empty(t, f.bc.txs, "nothing was broadcast")
	require.Empty(t, f.w.Transactions())
}

func TestBumpFee(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 11)
	fund := payTx(1, f.script(P2TR), 100_000)
	f.mine(fund)
	cf := newCloseFixture(t, testSeed(11))
	const parentFee = 300
	const rate lnwire.FeeRate = 5000
	child, err := f.w.BumpFee(ctx, BumpRequest{Parent: cf.parent, ParentFee: parentFee, Anchor: cf.descs[3], FeeRate: rate})
	require.NoError(t, err)
	verifyTx(t, child, prevOutsOf(cf.parent, fund))
	require.Equal(t, []*btcwire.MsgTx{cf.parent, child}, f.bc.txs, "parent broadcast first")
	require.Len(t, child.TxIn, 2)
	require.Len(t, child.TxOut, 1)
	childFee := 100_000 + 330 - child.TxOut[0].Value
	weight := func(tx *btcwire.MsgTx) int64 { return int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize()) }
	pkgWeight := weight(cf.parent) + weight(child)
	require.GreaterOrEqual(t, (childFee+parentFee)*1000, int64(rate)*pkgWeight, "package reaches the rate")
	require.Less(t, (childFee+parentFee)*1000, int64(rate)*(pkgWeight+200), "and not much more")
	require.Equal(t, Balance{Unconfirmed: btcutil.Amount(child.TxOut[0].Value)}, f.w.Balance())

	// Hostile requests.
	bad := cf.descs[3]
	bad.OutPoint.Index = 0
	_, err = f.w.BumpFee(ctx, BumpRequest{Parent: cf.parent, Anchor: bad, FeeRate: rate})
	require.ErrorIs(t, err, ErrInvalidDescriptor)
	_, err = f.w.BumpFee(ctx, BumpRequest{Parent: cf.parent, Anchor: cf.descs[3], FeeRate: DefaultMaxFeeRate + 1})
	require.ErrorIs(t, err, ErrAbsurdFee)
	_, err = f.w.BumpFee(ctx, BumpRequest{Parent: cf.parent, Anchor: cf.descs[3], FeeRate: rate})
	require.ErrorIs(t, err, ErrInsufficientFunds, "the only coin is spent by the first child")
}

// TestRivalSpendEvictsChild: when someone else's transaction takes the
// anchor our fee-bump child spends (anyone may, after 16 blocks), the child
// can never confirm: the wallet forgets it and its wallet coin is
// spendable again.
func TestRivalSpendEvictsChild(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 12)
	fund := payTx(1, f.script(P2TR), 100_000)
	f.mine(fund)
	cf := newCloseFixture(t, testSeed(12))
	child, err := f.w.BumpFee(ctx, BumpRequest{Parent: cf.parent, ParentFee: 300, Anchor: cf.descs[3], FeeRate: 5000})
	require.NoError(t, err)
	require.Equal(t, Balance{Unconfirmed: btcutil.Amount(child.TxOut[0].Value)}, f.w.Balance())

	rival := btcwire.NewMsgTx(2)
	rival.AddTxIn(btcwire.NewTxIn(&cf.descs[3].OutPoint, nil, nil))
	rival.AddTxOut(btcwire.NewTxOut(300, otherScript))
	f.mine(cf.parent, rival)
	require.Equal(t, Balance{Confirmed: 100_000}, f.w.Balance(), "the child is gone, its coin is back")
	_, err = f.w.BumpFee(ctx, BumpRequest{Parent: cf.parent, ParentFee: 300, Anchor: cf.descs[3], FeeRate: 5000})
	require.NoError(t, err, "the coin can fund again")
}
