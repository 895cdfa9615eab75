package wallet

import (
	"context"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
	lnwire "github.com/lnkit/lnkit/wire"
)

const (
	htlcCapacity = 1_000_000
	// htlcCLTV is the cltv_expiry of the HTLC we offered, in blocks above
	// the chain's tip when the rig is built.
	htlcCLTV = 20
)

// failingStore is a store whose Apply fails while fail is set.
type failingStore struct {
	*persisttest.CrashStore
	fail bool
}

func (s *failingStore) Apply(ctx context.Context, ops []persist.Op) error {
	if s.fail {
		return errors.New("disk full")
	}
	return s.CrashStore.Apply(ctx, ops)
}

// htlcRig is our (A's) anchors commitment with an HTLC we offered and one
// we received, confirmed on a simchain, and a wallet following the chain.
type htlcRig struct {
	t        testing.TB
	c        *simchain.Chain
	cfg      Config
	store    *failingStore
	w        *Wallet
	stop     func()
	cm       *commit.Commitment
	counter  commit.Signatures // B's signatures on A's commitment
	signer   *keys.InMemorySigner
	preimage lnwire.Preimage // of the HTLC we received
}

// htlcSide returns the channel signer of seed n and its commit.Party.
func htlcSide(n byte) (*keys.InMemorySigner, commit.Party) {
	var seed keys.Seed
	for i := range seed {
		seed[i] = 50 + n + byte(i)
	}
	m := keys.NewManager(seed, keys.Config{})
	s := m.ChannelKeys(m.NewChannelKeyID())
	bp := s.Basepoints()
	return s, commit.Party{
		Basepoints: commit.Basepoints{Funding: bp.FundingKey, Revocation: bp.RevocationBasepoint,
			Payment: bp.PaymentBasepoint, DelayedPayment: bp.DelayedPaymentBasepoint, HTLC: bp.HTLCBasepoint},
		DustLimit: commit.MinDustLimit,
		CSVDelay:  144,
	}
}

func newHTLCRig(t testing.TB) *htlcRig {
	t.Helper()
	c, err := simchain.New(simchain.Config{})
	require.NoError(t, err)
	a, pa := htlcSide(1)
	b, pb := htlcSide(2)
	fundingOut, _ := commit.FundingOutput(pa.Funding, pb.Funding, htlcCapacity)
	op, err := c.Fund(fundingOut.PkScript, htlcCapacity)
	require.NoError(t, err)
	params := func(local, remote commit.Party, opener commit.Side) commit.Params {
		return commit.Params{Type: commit.AnchorsZeroFeeHTLC, FundingOutpoint: op, Capacity: htlcCapacity,
			Opener: opener, Local: local, Remote: remote}
	}
	chA, err := commit.New(params(pa, pb, commit.Local))
	require.NoError(t, err)
	chB, err := commit.New(params(pb, pa, commit.Remote))
	require.NoError(t, err)

	r := &htlcRig{t: t, c: c, signer: a}
	r.preimage[0] = 7
	pcp, err := a.PerCommitmentPoint(3)
	require.NoError(t, err)
	cltv := uint32(c.Tip().Height) + htlcCLTV
	htlcs := []commit.HTLC{
		{ID: 0, Offerer: commit.Local, Amount: 40_000_000, PaymentHash: lnwire.Preimage{9}.Hash(), CLTVExpiry: cltv},
		{ID: 1, Offerer: commit.Remote, Amount: 55_000_000, PaymentHash: r.preimage.Hash(), CLTVExpiry: cltv + 10},
	}
	st := &commit.State{Number: 3, PerCommitmentPoint: pcp, LocalBalance: 500_000_000,
		RemoteBalance: 405_000_000, FeeRate: 2500, HTLCs: htlcs}
	r.cm, err = chA.Build(commit.Local, st)
	require.NoError(t, err)
	flipped := *st
	flipped.LocalBalance, flipped.RemoteBalance = st.RemoteBalance, st.LocalBalance
	flipped.HTLCs = nil
	for _, h := range htlcs {
		h.Offerer = h.Offerer.Other()
		flipped.HTLCs = append(flipped.HTLCs, h)
	}
	theirs, err := chB.Build(commit.Remote, &flipped)
	require.NoError(t, err)
	r.counter, err = theirs.SignAsCounterparty(b)
	require.NoError(t, err)
	own, err := r.cm.SignAsOwner(a)
	require.NoError(t, err)
	tx, err := r.cm.SignedTx(own.Commitment, r.counter.Commitment)
	require.NoError(t, err)
	require.NoError(t, c.Broadcast(tx))
	c.Mine(1)

	r.store = &failingStore{CrashStore: persisttest.NewCrashStore()}
	r.cfg = Config{
		Seed: testSeed(60), Params: &chaincfg.RegressionNetParams, Store: r.store,
		Fees: fixedFees{rate: 1000}, Broadcaster: c, Birthday: c.Tip(),
		Entropy: keys.NewDeterministicEntropy([32]byte{60}),
	}
	r.open()
	return r
}

// open opens the wallet (again, from its store) and connects it to the
// chain.
func (r *htlcRig) open() {
	r.t.Helper()
	if r.stop != nil {
		r.stop()
	}
	r.store.CrashStore = r.store.Crash()
	w, err := Open(context.Background(), r.cfg)
	require.NoError(r.t, err)
	r.w = w
	r.stop = r.c.Connect(w)
}

// fund pays values to new wallet addresses in one confirmed transaction.
func (r *htlcRig) fund(values ...int64) *btcwire.MsgTx {
	r.t.Helper()
	var outs []*btcwire.TxOut
	for _, v := range values {
		addr, err := r.w.NewAddress(context.Background(), P2WPKH)
		require.NoError(r.t, err)
		script, err := txscript.PayToAddrScript(addr)
		require.NoError(r.t, err)
		outs = append(outs, btcwire.NewTxOut(v, script))
	}
	tx, err := r.c.FundOutputs(outs...)
	require.NoError(r.t, err)
	return tx
}

// request is the FundHTLCTx request of our HTLC transaction of the HTLC
// we offered (HTLC-timeout) or received (HTLC-success): our signature is
// made over the final transaction, B's is the stored one.
func (r *htlcRig) request(offered bool) spendable.HTLCTx {
	r.t.Helper()
	for j, i := range r.cm.HTLCOutputs {
		o := r.cm.Outputs[i]
		if (o.Kind == commit.OfferedHTLCOutput) != offered {
			continue
		}
		tx, err := r.cm.HTLCTx(i)
		require.NoError(r.t, err)
		counterSig := r.counter.HTLCs[j]
		weight := int64(commit.HTLCSuccessWitnessSize + commit.AnchorScriptExtra)
		if offered {
			weight = commit.HTLCTimeoutWitnessSize + commit.AnchorScriptExtra
		}
		return spendable.HTLCTx{Tx: tx, Value: o.Amount, PkScript: o.PkScript, WitnessWeight: weight,
			Witness: func(tx *btcwire.MsgTx, hashes *txscript.TxSigHashes) (btcwire.TxWitness, error) {
				h, err := txscript.CalcWitnessSigHash(o.WitnessScript, hashes, txscript.SigHashAll, tx, 0, int64(o.Amount))
				if err != nil {
					return nil, err
				}
				sig, err := r.signer.SignHTLC(r.cm.Keys.PerCommitmentPoint, lnwire.Digest(h))
				if err != nil {
					return nil, err
				}
				if offered {
					return commit.HTLCTimeoutWitness(commit.AnchorsZeroFeeHTLC, counterSig, sig, o.WitnessScript)
				}
				return commit.HTLCSuccessWitness(commit.AnchorsZeroFeeHTLC, counterSig, sig, r.preimage, o.WitnessScript)
			}}
	}
	r.t.Fatal("no such HTLC output")
	return spendable.HTLCTx{}
}

// broadcastFirst funds our HTLC-success transaction at rate from a new
// 100,000 sat coin and broadcasts it.
func (r *htlcRig) broadcastFirst(rate lnwire.FeeRate) (spendable.HTLCTx, *btcwire.MsgTx) {
	r.t.Helper()
	r.fund(100_000)
	h := r.request(false)
	tx, err := r.w.FundHTLCTx(context.Background(), h, rate)
	require.NoError(r.t, err)
	require.NoError(r.t, r.c.Broadcast(tx))
	return h, tx
}

// mineTo mines empty blocks until the tip is at height.
func (r *htlcRig) mineTo(height int32) {
	if n := int(height - r.c.Tip().Height); n > 0 {
		r.c.Mine(n)
	}
}

// valueIn is what tx's inputs are worth on the chain (confirmed or in the
// mempool's parents: here, always confirmed).
func (r *htlcRig) valueIn(tx *btcwire.MsgTx) int64 {
	r.t.Helper()
	var v int64
	for _, in := range tx.TxIn {
		out, ok := r.c.Unspent(in.PreviousOutPoint)
		require.True(r.t, ok, "%v", in.PreviousOutPoint)
		v += out.Value
	}
	return v
}

// feeOf is tx's fee.
func (r *htlcRig) feeOf(tx *btcwire.MsgTx) int64 {
	fee := r.valueIn(tx)
	for _, o := range tx.TxOut {
		fee -= o.Value
	}
	return fee
}

// checkShape checks that tx is h.Tx with wallet inputs and a change output
// added after input 0 and output 0, which are kept as signed.
func checkShape(t *testing.T, w *Wallet, h spendable.HTLCTx, tx *btcwire.MsgTx) {
	t.Helper()
	require.Equal(t, h.Tx.Version, tx.Version)
	require.Equal(t, h.Tx.LockTime, tx.LockTime, "locktime kept")
	require.Equal(t, h.Tx.TxIn[0].PreviousOutPoint, tx.TxIn[0].PreviousOutPoint)
	require.Equal(t, h.Tx.TxIn[0].Sequence, tx.TxIn[0].Sequence, "sequence kept")
	require.Equal(t, h.Tx.TxOut[0], tx.TxOut[0])
	require.GreaterOrEqual(t, len(tx.TxIn), 2, "wallet inputs")
	require.Len(t, tx.TxOut, 2)
	require.True(t, w.IsMine(tx.TxOut[1].PkScript), "change last")
}

// TestFundHTLCTx: our HTLC-success and HTLC-timeout transactions (anchors,
// built by channel/commit with B's SIGHASH_SINGLE|ANYONECANPAY signature)
// funded by the wallet are accepted by the script-validating chain at the
// rate asked, keep their locktime and sequence, and leave the wallet with
// its coin minus the fee, to the satoshi.
func TestFundHTLCTx(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offered bool
	}{{"success", false}, {"timeout", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			r := newHTLCRig(t)
			r.fund(100_000)
			h := r.request(tc.offered)
			if tc.offered {
				require.NotZero(t, h.Tx.LockTime)
				r.mineTo(int32(h.Tx.LockTime))
			}
			const rate lnwire.FeeRate = 3000
			tx, err := r.w.FundHTLCTx(ctx, h, rate)
			require.NoError(t, err)
			checkShape(t, r.w, h, tx)
			require.Empty(t, r.c.Mempool(), "not broadcast")
			fee := r.feeOf(tx)
			weight := weightOf(tx)
			require.GreaterOrEqual(t, fee*1000, int64(rate)*weight, "at least the rate")
			require.Less(t, fee*1000, int64(rate)*(weight+40), "counted with the largest signatures only")
			change := tx.TxOut[1].Value
			require.Equal(t, Balance{Unconfirmed: btcutil.Amount(change)}, r.w.Balance())
			require.Len(t, r.w.UnconfirmedTransactions(), 1)

			require.NoError(t, r.c.Broadcast(tx), "scripts valid")
			r.c.Mine(1)
			require.Positive(t, r.c.Confirmations(tx.TxHash()))
			require.Equal(t, Balance{Confirmed: btcutil.Amount(change)}, r.w.Balance())
			require.Equal(t, int64(100_000), fee+change, "the wallet spent the fee, nothing else")
			_, err = r.w.FundHTLCTx(ctx, h, rate)
			require.ErrorIs(t, err, ErrSpent)
		})
	}
}

// TestFundHTLCTxEarly: an HTLC-timeout funded before its cltv_expiry is
// refused by the chain (its locktime is not the wallet's anti-fee-sniping
// height) and accepted from the block at cltv_expiry.
func TestFundHTLCTxEarly(t *testing.T) {
	r := newHTLCRig(t)
	r.fund(100_000)
	h := r.request(true)
	tx, err := r.w.FundHTLCTx(context.Background(), h, 1000)
	require.NoError(t, err)
	require.Equal(t, h.Tx.LockTime, tx.LockTime)
	require.ErrorIs(t, r.c.Broadcast(tx), simchain.ErrNonFinal)
	r.mineTo(int32(h.Tx.LockTime) - 1)
	require.ErrorIs(t, r.c.Broadcast(tx), simchain.ErrNonFinal)
	r.c.Mine(1)
	require.NoError(t, r.c.Broadcast(tx))
}

// TestFundHTLCTxReplacement: funding the same HTLC transaction again at a
// higher rate (the monitor's fee bump) returns a BIP 125 replacement of
// the first: it spends the same coin and pays the same change address,
// the chain's mempool takes it in place of the first, the wallet counts
// only it, and after it confirms the wallet holds its coin minus the
// replacement's fee to the satoshi. The wallet restarts in between.
func TestFundHTLCTxReplacement(t *testing.T) {
	ctx := context.Background()
	r := newHTLCRig(t)
	h, first := r.broadcastFirst(2000)
	r.open() // a restart: the replacement is found from the store

	// The same rate: still a valid replacement (the rate is raised).
	second, err := r.w.FundHTLCTx(ctx, h, 2000)
	require.NoError(t, err)
	checkShape(t, r.w, h, second)
	require.Equal(t, outPoints(first)[1:], outPoints(second)[1:], "the same coin")
	require.Equal(t, first.TxOut[1].PkScript, second.TxOut[1].PkScript, "the same change address")
	require.Greater(t, r.feeOf(second), r.feeOf(first))
	require.NoError(t, r.c.Broadcast(second), "a valid replacement")
	require.False(t, r.c.InMempool(first.TxHash()))
	require.Equal(t, Balance{Unconfirmed: btcutil.Amount(second.TxOut[1].Value)}, r.w.Balance())

	third, err := r.w.FundHTLCTx(ctx, h, 2500)
	require.NoError(t, err)
	require.NoError(t, r.c.Broadcast(third))
	require.True(t, r.c.InMempool(third.TxHash()))
	require.False(t, r.c.InMempool(second.TxHash()))
	fee := r.feeOf(third)
	require.GreaterOrEqual(t, fee*1000, 2500*weightOf(third))
	require.Equal(t, Balance{Unconfirmed: btcutil.Amount(third.TxOut[1].Value)}, r.w.Balance(), "counted once")
	txs := r.w.Transactions()
	require.Len(t, txs, 2, "the funding and the last replacement")
	require.Equal(t, []*btcwire.MsgTx{third}, r.w.UnconfirmedTransactions())

	r.c.Mine(1)
	require.Positive(t, r.c.Confirmations(third.TxHash()))
	change := third.TxOut[1].Value
	require.Equal(t, Balance{Confirmed: btcutil.Amount(change)}, r.w.Balance())
	require.Equal(t, int64(100_000), fee+change)
}

// TestFundHTLCTxReleasesCoins: a replacement needing more than the coins
// of the transaction it replaces spends all of them worth spending and
// new ones; a coin no longer worth its input's fee at the higher rate is
// released, spendable again.
func TestFundHTLCTxReleasesCoins(t *testing.T) {
	ctx := context.Background()
	r, h, dummy := newShapedRig(t)
	// A coin just short of paying alone for the HTLC transaction with
	// change at 1000 sat/kw, and a small one that completes it.
	big := r.coinFor(h, shapedRate, feeFor(shapedRate, outputWeight(dummy))+dustLimit(dummy)-10)
	const small = 600
	r.fund(big, small)
	first, err := r.w.FundHTLCTx(ctx, h, shapedRate)
	require.NoError(t, err)
	require.Len(t, first.TxIn, 3, "both coins")
	require.NoError(t, r.c.Broadcast(first))

	// A new coin arrives; at 2500 sat/kw the small coin costs more than
	// it brings.
	funding := r.fund(100_000)
	second, err := r.w.FundHTLCTx(ctx, h, 2500)
	require.NoError(t, err)
	require.NoError(t, r.c.Broadcast(second))
	var smallOp, bigOp btcwire.OutPoint
	for _, in := range first.TxIn[1:] {
		out, _ := r.c.Unspent(in.PreviousOutPoint)
		if out.Value == small {
			smallOp = in.PreviousOutPoint
		} else {
			bigOp = in.PreviousOutPoint
		}
	}
	spent := map[btcwire.OutPoint]bool{}
	for _, in := range second.TxIn[1:] {
		spent[in.PreviousOutPoint] = true
	}
	require.Equal(t, map[btcwire.OutPoint]bool{bigOp: true, {Hash: funding.TxHash(), Index: 0}: true}, spent)
	require.Nil(t, r.w.utxos[smallOp].SpentBy, "released")
	require.Equal(t, Balance{Confirmed: small, Unconfirmed: btcutil.Amount(second.TxOut[1].Value)}, r.w.Balance(),
		"the small coin is released")
	require.Equal(t, big+100_000, r.feeOf(second)+second.TxOut[1].Value, "the wallet spent the fee, nothing else")
	r.c.Mine(1)
	require.Equal(t, Balance{Confirmed: btcutil.Amount(small + second.TxOut[1].Value)}, r.w.Balance())
}

// outPoints returns what tx's inputs spend.
func outPoints(tx *btcwire.MsgTx) []btcwire.OutPoint {
	ops := make([]btcwire.OutPoint, len(tx.TxIn))
	for i, in := range tx.TxIn {
		ops[i] = in.PreviousOutPoint
	}
	return ops
}

// baseFee is the fee at rate of h's transaction without wallet inputs or
// change, as the wallet estimates it.
func (r *htlcRig) baseFee(h spendable.HTLCTx, rate lnwire.FeeRate) int64 {
	return feeFor(rate, int64(txOverheadWeight)+inputBaseWeight+h.WitnessWeight+outputWeight(h.Tx.TxOut[0].PkScript))
}

// shapedRate is the first rate of the tests whose coins are shaped around
// the fee (coinFor).
const shapedRate lnwire.FeeRate = 1000

// newShapedRig is a rig with our HTLC-success request and a script of the
// wallet's change type, for tests whose coins are shaped around the fee.
func newShapedRig(t *testing.T) (*htlcRig, spendable.HTLCTx, []byte) {
	t.Helper()
	r := newHTLCRig(t)
	return r, r.request(false), r.w.dummyChangeScript()
}

// coinFor is the value of a P2WPKH coin that, spent at rate, brings
// baseFee(h, rate) plus above.
func (r *htlcRig) coinFor(h spendable.HTLCTx, rate lnwire.FeeRate, above int64) int64 {
	return r.baseFee(h, rate) + above + feeFor(rate, p2wpkhInputWeight)
}

// TestFundHTLCTxReplacesChangeless: when the transaction replaced had no
// change (its coin matched the fee, the excess going to the fee), a
// replacement asked at the same rate must still pay more than it by the
// incremental relay fee, at a higher rate: the chain takes it.
func TestFundHTLCTxReplacesChangeless(t *testing.T) {
	ctx := context.Background()
	r, h, dummy := newShapedRig(t)
	exact := r.coinFor(h, shapedRate, feeFor(shapedRate, outputWeight(dummy))+feeFor(shapedRate, inputWeightFor(dummy))-5)
	r.fund(exact, 100_000)
	first, err := r.w.FundHTLCTx(ctx, h, shapedRate)
	require.NoError(t, err)
	require.Len(t, first.TxIn, 2)
	require.Len(t, first.TxOut, 1, "no change")
	require.Equal(t, exact, r.feeOf(first))
	require.NoError(t, r.c.Broadcast(first))
	second, err := r.w.FundHTLCTx(ctx, h, shapedRate)
	require.NoError(t, err)
	require.Greater(t, r.feeOf(second), r.feeOf(first)+vsize(weightOf(second))-1)
	require.NoError(t, r.c.Broadcast(second), "a valid replacement")
	require.Equal(t, Balance{Unconfirmed: btcutil.Amount(second.TxOut[1].Value)}, r.w.Balance())
}

// TestFundHTLCTxReplacementPaysMore: at the higher rate one coin of the
// replaced transaction would pay alone without change (a smaller
// transaction, whose fee is below the replaced one's): the wallet adds the
// shortfall and the replacement, spending both coins again, is valid.
func TestFundHTLCTxReplacementPaysMore(t *testing.T) {
	ctx := context.Background()
	r, h, dummy := newShapedRig(t)
	// Just above what branch and bound matches alone at 1000 sat/kw and
	// short of paying alone with change; at 1300 sat/kw it matches.
	a := r.coinFor(h, shapedRate, 410)
	r.fund(a, 600)
	first, err := r.w.FundHTLCTx(ctx, h, shapedRate)
	require.NoError(t, err)
	require.Len(t, first.TxIn, 3)
	require.NoError(t, r.c.Broadcast(first))
	over := a - feeFor(1300, p2wpkhInputWeight) - r.baseFee(h, 1300)
	require.Positive(t, over)
	require.LessOrEqual(t, over, feeFor(1300, outputWeight(dummy))+feeFor(1300, inputWeightFor(dummy)), "the coin alone matches")
	alone := weightOf(first) - p2wpkhInputWeight - outputWeight(dummy)
	require.Less(t, a, r.feeOf(first)+vsize(alone), "but would not pay enough")

	second, err := r.w.FundHTLCTx(ctx, h, 1300)
	require.NoError(t, err)
	require.Equal(t, outPoints(first), outPoints(second))
	require.GreaterOrEqual(t, r.feeOf(second), r.feeOf(first)+vsize(weightOf(second)))
	require.NoError(t, r.c.Broadcast(second), "a valid replacement")
}

// TestFundHTLCTxReplacesDescendants: with NoMinConfirmations, a payment
// spending the change of our HTLC transaction is replaced with it, as in
// the mempool: the replacement pays for both, and the wallet forgets both.
func TestFundHTLCTxReplacesDescendants(t *testing.T) {
	ctx := context.Background()
	r := newHTLCRig(t)
	r.cfg.NoMinConfirmations = true
	r.open()
	h, first := r.broadcastFirst(2000)
	pay, err := r.w.SendOutputs(ctx, []*btcwire.TxOut{btcwire.NewTxOut(10_000, otherScript)}, chain.TargetOutputSpending)
	require.NoError(t, err)
	require.Equal(t, first.TxHash(), pay.TxIn[0].PreviousOutPoint.Hash, "spends the change")
	require.True(t, r.c.InMempool(pay.TxHash()))

	second, err := r.w.FundHTLCTx(ctx, h, 2000)
	require.NoError(t, err)
	require.NoError(t, r.c.Broadcast(second), "pays for both")
	require.False(t, r.c.InMempool(pay.TxHash()))
	require.Equal(t, []*btcwire.MsgTx{second}, r.w.UnconfirmedTransactions())
	require.Equal(t, Balance{Unconfirmed: btcutil.Amount(second.TxOut[1].Value)}, r.w.Balance())
}

// TestFundHTLCTxReplacedConfirms: when the transaction replaced confirms
// after all (the replacement never reached the miners), the wallet drops
// the replacement and counts the confirmed one's change.
func TestFundHTLCTxReplacedConfirms(t *testing.T) {
	ctx := context.Background()
	r := newHTLCRig(t)
	h, first := r.broadcastFirst(2000)
	second, err := r.w.FundHTLCTx(ctx, h, 3000)
	require.NoError(t, err)
	r.c.Mine(1)
	require.Positive(t, r.c.Confirmations(first.TxHash()))
	require.Equal(t, Balance{Confirmed: btcutil.Amount(first.TxOut[1].Value)}, r.w.Balance())
	require.Empty(t, r.w.UnconfirmedTransactions())
	_, err = r.w.FundHTLCTx(ctx, h, 4000)
	require.ErrorIs(t, err, ErrSpent, "the HTLC output is spent")
	require.NotEqual(t, first.TxHash(), second.TxHash())
}

// TestFundHTLCTxRefuses: malformed requests, an absurd rate, too little
// money, a witness heavier than announced or one that does not verify are
// refused, and nothing is recorded.
func TestFundHTLCTxRefuses(t *testing.T) {
	ctx := context.Background()
	r := newHTLCRig(t)
	coin := r.fund(100_000)
	good := r.request(false)
	edit := func(fn func(h *spendable.HTLCTx)) spendable.HTLCTx {
		h := good
		h.Tx = good.Tx.Copy()
		fn(&h)
		return h
	}
	walletCoin := btcwire.OutPoint{Hash: coin.TxHash(), Index: 0}
	other := r.request(true)
	tests := []struct {
		name string
		h    spendable.HTLCTx
		rate lnwire.FeeRate
		err  error
	}{
		{"no transaction", edit(func(h *spendable.HTLCTx) { h.Tx = nil }), 1000, ErrInvalidHTLCTx},
		{"nil input", edit(func(h *spendable.HTLCTx) { h.Tx.TxIn[0] = nil }), 1000, ErrInvalidHTLCTx},
		{"version 1", edit(func(h *spendable.HTLCTx) { h.Tx.Version = 1 }), 1000, ErrInvalidHTLCTx},
		{"two inputs", edit(func(h *spendable.HTLCTx) { h.Tx.AddTxIn(btcwire.NewTxIn(&walletCoin, nil, nil)) }), 1000, ErrInvalidHTLCTx},
		{"no output", edit(func(h *spendable.HTLCTx) { h.Tx.TxOut = nil }), 1000, ErrInvalidHTLCTx},
		{"two outputs", edit(func(h *spendable.HTLCTx) { h.Tx.AddTxOut(btcwire.NewTxOut(1000, otherScript)) }), 1000, ErrInvalidHTLCTx},
		{"signed", edit(func(h *spendable.HTLCTx) { h.Tx.TxIn[0].Witness = btcwire.TxWitness{{1}} }), 1000, ErrInvalidHTLCTx},
		{"zero value", edit(func(h *spendable.HTLCTx) { h.Value = 0 }), 1000, ErrInvalidHTLCTx},
		{"value too big", edit(func(h *spendable.HTLCTx) { h.Value = btcMaxSatoshi + 1 }), 1000, ErrInvalidHTLCTx},
		{"output above the HTLC", edit(func(h *spendable.HTLCTx) { h.Value = lnwire.Satoshi(h.Tx.TxOut[0].Value - 1) }), 1000, ErrInvalidHTLCTx},
		{"dust output", edit(func(h *spendable.HTLCTx) { h.Tx.TxOut[0].Value = 100 }), 1000, ErrInvalidHTLCTx},
		{"not P2WSH", edit(func(h *spendable.HTLCTx) { h.PkScript = otherScript }), 1000, ErrInvalidHTLCTx},
		{"no witness weight", edit(func(h *spendable.HTLCTx) { h.WitnessWeight = 0 }), 1000, ErrInvalidHTLCTx},
		{"huge witness weight", edit(func(h *spendable.HTLCTx) { h.WitnessWeight = 1 << 40 }), 1000, ErrInvalidHTLCTx},
		{"no Witness", edit(func(h *spendable.HTLCTx) { h.Witness = nil }), 1000, ErrInvalidHTLCTx},
		{"spends a wallet coin", edit(func(h *spendable.HTLCTx) { h.Tx.TxIn[0].PreviousOutPoint = walletCoin }), 1000, ErrInvalidHTLCTx},
		{"witness heavier than announced", edit(func(h *spendable.HTLCTx) { h.WitnessWeight = 100 }), 20_000, ErrInvalidHTLCTx},
		{"another HTLC's witness", edit(func(h *spendable.HTLCTx) { h.Witness = other.Witness }), 1000, ErrSigning},
		{"sequence changed", edit(func(h *spendable.HTLCTx) { h.Tx.TxIn[0].Sequence = 0 }), 1000, ErrSigning},
		{"witness error", edit(func(h *spendable.HTLCTx) {
			h.Witness = func(*btcwire.MsgTx, *txscript.TxSigHashes) (btcwire.TxWitness, error) { return nil, errDenied }
		}), 1000, errDenied},
		{"absurd rate", good, DefaultMaxFeeRate + 1, ErrAbsurdFee},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.w.FundHTLCTx(ctx, tc.h, tc.rate)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, Balance{Confirmed: 100_000}, r.w.Balance())
			require.Len(t, r.w.Transactions(), 1, "only the funding")
		})
	}
	// Input 0 spent by a wallet transaction of another shape (here: our
	// HTLC-success transaction, with the timeout's output).
	_, err := r.w.FundHTLCTx(ctx, good, 1000)
	require.NoError(t, err)
	mixed := other
	mixed.Tx = other.Tx.Copy()
	mixed.Tx.TxIn[0].PreviousOutPoint = good.Tx.TxIn[0].PreviousOutPoint
	_, err = r.w.FundHTLCTx(ctx, mixed, 2000)
	require.ErrorIs(t, err, ErrInvalidHTLCTx)

	// Too little money: a coin worth less than the fee.
	poor := newHTLCRig(t)
	poor.fund(1000)
	_, err = poor.w.FundHTLCTx(ctx, poor.request(false), 2000)
	var ife *InsufficientFundsError
	require.ErrorAs(t, err, &ife)
	require.Positive(t, int64(ife.Missing()))
	require.Equal(t, Balance{Confirmed: 1000}, poor.w.Balance())
}

// errDenied is a signer's refusal.
var errDenied = errors.New("signer: denied")

// TestFundHTLCTxStoreFailure: when the replacement cannot be persisted,
// FundHTLCTx fails and the wallet still counts the transaction it was to
// replace (which may be in mempools); a later bump works.
func TestFundHTLCTxStoreFailure(t *testing.T) {
	ctx := context.Background()
	r := newHTLCRig(t)
	h, first := r.broadcastFirst(2000)
	want := Balance{Unconfirmed: btcutil.Amount(first.TxOut[1].Value)}
	require.Equal(t, want, r.w.Balance())
	r.store.fail = true
	_, err := r.w.FundHTLCTx(ctx, h, 3000)
	require.ErrorContains(t, err, "disk full")
	require.Equal(t, want, r.w.Balance())
	require.Equal(t, []*btcwire.MsgTx{first}, r.w.UnconfirmedTransactions())
	r.store.fail = false
	second, err := r.w.FundHTLCTx(ctx, h, 3000)
	require.NoError(t, err)
	require.NoError(t, r.c.Broadcast(second))
	r.open()
	unconfirmed := r.w.UnconfirmedTransactions()
	require.Len(t, unconfirmed, 1)
	require.Equal(t, second.TxHash(), unconfirmed[0].TxHash(), "durable")
}

// TestSelectReusingProperties: a replacement's selection spends the coins
// of the transaction it replaces first: a subset of them when they
// suffice, else every one worth spending and more; its change and excess
// add up; it is refused only when all coins together fall short.
func TestSelectReusingProperties(t *testing.T) {
	r := newRand(t)
	for iter := 0; iter < 2000; iter++ {
		coins := randomCoins(r, 2+r.IntN(30))
		split := 1 + r.IntN(len(coins)-1)
		reused, others := coins[:split], coins[split:]
		rate := lnwire.FeeRate(253 + r.IntN(20_000))
		req := selectRequest{
			Target:            r.Int64N(3 * 100_000_000),
			Rate:              rate,
			ChangeWeight:      outputWeight(otherScript),
			ChangeSpendWeight: p2wpkhInputWeight,
			Dust:              dustLimit(otherScript),
			ForceChange:       r.IntN(4) == 0,
		}
		sel, available, ok := selectReusing(reused, others, req)
		var all int64
		for _, c := range coins {
			all += max(effective(c, rate), 0)
		}
		if !ok {
			require.Equal(t, all, available, "iter %d", iter)
			require.Less(t, available, req.Target+feeFor(rate, req.ChangeWeight)+req.Dust, "iter %d: refused while enough was available", iter)
			continue
		}
		isReused := map[btcwire.OutPoint]bool{}
		for _, c := range reused {
			isReused[c.OutPoint] = true
		}
		chosen := map[btcwire.OutPoint]bool{}
		var eff int64
		onlyReused := true
		for _, c := range sel.Coins {
			require.False(t, chosen[c.OutPoint], "iter %d: coin selected twice", iter)
			chosen[c.OutPoint] = true
			eff += effective(c, rate)
			onlyReused = onlyReused && isReused[c.OutPoint]
		}
		if !onlyReused {
			for _, c := range reused {
				if effective(c, rate) > 0 {
					require.True(t, chosen[c.OutPoint], "iter %d: a reused coin left out while others are spent", iter)
				}
			}
		}
		if sel.Change > 0 {
			require.GreaterOrEqual(t, sel.Change, req.Dust, "iter %d", iter)
			require.Equal(t, eff-req.Target-feeFor(rate, req.ChangeWeight), sel.Change, "iter %d", iter)
		} else {
			require.False(t, req.ForceChange, "iter %d", iter)
			require.Equal(t, eff-req.Target, sel.Excess, "iter %d", iter)
			require.GreaterOrEqual(t, sel.Excess, int64(0), "iter %d", iter)
		}
	}
}

// BenchmarkFundHTLCTx funds, signs (both inputs verified by the script
// engine), records and abandons our HTLC-success transaction.
func BenchmarkFundHTLCTx(b *testing.B) {
	ctx := context.Background()
	r := newHTLCRig(b)
	r.fund(100_000)
	h := r.request(false)
	b.ReportAllocs()
	for b.Loop() {
		tx, err := r.w.FundHTLCTx(ctx, h, 2000)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.w.AbandonTransaction(ctx, tx.TxHash()); err != nil {
			b.Fatal(err)
		}
	}
}
