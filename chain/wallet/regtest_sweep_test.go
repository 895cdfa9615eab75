package wallet

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/persist/persisttest"
	lnwire "github.com/lnkit/lnkit/wire"
)

// TestRegtestSweepAndBump: btcd accepts the wallet's sweeps of the three
// output kinds (the to_local one only after its delay) and a CPFP child of
// an anchor.
func TestRegtestSweepAndBump(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	ctx := context.Background()
	b := regtest.StartBtcd(t, regtest.BtcdOptions{})
	b.ActivateSegwit(t)
	nd := startNode(t, b, 33, persisttest.NewCrashStore())
	mgr := keys.NewManager(testSeed(33), keys.Config{})
	nd.cfg.Signers = func(id [32]byte) (spendable.Signer, error) { return mgr.ChannelKeys(id), nil }
	nd.restart()
	signer := mgr.ChannelKeys([32]byte{7})
	bp := signer.Basepoints()

	// Outputs as a closed channel would leave them.
	pcp, err := signer.PerCommitmentPoint(3)
	require.NoError(t, err)
	revKey, err := btcec.NewPrivateKey()
	require.NoError(t, err)
	const delay = 5
	toLocal := commit.ToLocalScript(revKey.PubKey(), keys.DerivePubKey(bp.DelayedPaymentBasepoint, pcp), delay)
	outputs := []struct {
		kind   spendable.Kind
		script []byte
	}{
		{spendable.StaticRemote, commit.P2WPKH(bp.PaymentBasepoint)},
		{spendable.AnchorToRemote, commit.P2WSH(commit.ToRemoteAnchorScript(bp.PaymentBasepoint))},
		{spendable.ToLocalDelayed, commit.P2WSH(toLocal)},
	}
	descs := make([]spendable.Output, len(outputs))
	for i, o := range outputs {
		tx := b.SendTo(t, o.script, 1_000_000)
		descs[i] = spendable.Output{Kind: o.kind, OutPoint: btcwire.OutPoint{Hash: tx.TxHash()}, Value: 1_000_000,
			PkScript: o.script, ChannelKeyID: [32]byte{7}}
	}
	descs[2].PerCommitmentPoint, descs[2].RevocationPubKey, descs[2].ToSelfDelay = pcp, revKey.PubKey(), delay
	b.Generate(t, 1)
	nd.sync(b)

	var swept btcutil.Amount
	for _, d := range descs[:2] {
		tx, err := nd.w.Sweep(ctx, []spendable.Output{d}, chain.TargetOutputSpending)
		require.NoError(t, err, d.Kind)
		b.WaitMempoolTx(t, tx.TxHash())
		swept += btcutil.Amount(tx.TxOut[0].Value)
	}
	// to_local before its delay: btcd refuses it; the wallet keeps it
	// until abandoned.
	tx, err := nd.w.Sweep(ctx, descs[2:], chain.TargetOutputSpending)
	require.Error(t, err)
	require.NoError(t, nd.w.AbandonTransaction(ctx, tx.TxHash()))
	b.Generate(t, delay-1)
	tx, err = nd.w.Sweep(ctx, descs[2:], chain.TargetOutputSpending)
	require.NoError(t, err)
	b.WaitMempoolTx(t, tx.TxHash())
	swept += btcutil.Amount(tx.TxOut[0].Value)
	b.Generate(t, 1)
	nd.sync(b)
	require.Equal(t, Balance{Confirmed: swept}, nd.w.Balance())

	// A parent paying about 1.6 sat/vbyte with our anchor; the wallet bumps it.
	key, err := btcec.NewPrivateKey()
	require.NoError(t, err)
	keyScript := commit.P2WPKH(key.PubKey())
	funding := b.SendTo(t, keyScript, 100_000)
	b.Generate(t, 1)
	anchorScript := commit.P2WSH(commit.AnchorScript(bp.FundingKey))
	parent := btcwire.NewMsgTx(2)
	parent.AddTxIn(btcwire.NewTxIn(&btcwire.OutPoint{Hash: funding.TxHash()}, nil, nil))
	parent.AddTxOut(btcwire.NewTxOut(330, anchorScript))
	parent.AddTxOut(btcwire.NewTxOut(100_000-330-250, otherScript))
	wit, err := txscript.WitnessSignature(parent, txscript.NewTxSigHashes(parent, txscript.NewCannedPrevOutputFetcher(keyScript, 100_000)),
		0, 100_000, keyScript, txscript.SigHashAll, key, true)
	require.NoError(t, err)
	parent.TxIn[0].Witness = wit
	anchor := spendable.Output{Kind: spendable.Anchor, OutPoint: btcwire.OutPoint{Hash: parent.TxHash()}, Value: 330,
		PkScript: anchorScript, ChannelKeyID: [32]byte{7}}
	child, err := nd.w.BumpFee(ctx, BumpRequest{Parent: parent, ParentFee: 250, Anchor: anchor, FeeRate: lnwire.FeeRateFromSatPerVByte(10)})
	require.NoError(t, err)
	b.WaitMempoolTx(t, parent.TxHash())
	b.WaitMempoolTx(t, child.TxHash())
	b.Generate(t, 1)
	nd.sync(b)
	require.EqualValues(t, 1, b.TxConfirmations(t, child.TxHash()))
	txs := nd.w.Transactions()
	last := txs[len(txs)-1]
	require.Equal(t, child.TxHash(), last.TxID)
	// The child spent a swept coin and paid its change back.
	require.Equal(t, Balance{Confirmed: swept + last.Amount}, nd.w.Balance())
	require.Equal(t, last.Fee-330, -last.Amount, "the wallet paid the child's fee less the anchor's value")
}
