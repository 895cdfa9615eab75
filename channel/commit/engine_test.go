package commit

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// randPriv returns a private key from the deterministic test RNG.
func randPriv(rng *rand.Rand) *btcec.PrivateKey {
	var b [32]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	k, _ := btcec.PrivKeyFromBytes(b[:])
	return k
}

func randSigner(rng *rand.Rand) *testSigner {
	return &testSigner{
		funding: randPriv(rng), payment: randPriv(rng), delayedBase: randPriv(rng),
		htlcBase: randPriv(rng), revocationBase: randPriv(rng),
	}
}

// testChannel is a channel whose every secret the test knows.
type testChannel struct {
	ch            *Channel
	local, remote *testSigner
}

func (tc *testChannel) signer(s Side) *testSigner {
	if s == Local {
		return tc.local
	}
	return tc.remote
}

func randChannel(t testing.TB, rng *rand.Rand, typ ChannelType, capacity wire.Satoshi) *testChannel {
	t.Helper()
	local, remote := randSigner(rng), randSigner(rng)
	var txid chainhash.Hash
	for i := range txid {
		txid[i] = byte(rng.Uint32())
	}
	ch, err := New(Params{
		Type:            typ,
		FundingOutpoint: btcwire.OutPoint{Hash: txid, Index: rng.Uint32N(4)},
		Capacity:        capacity,
		Opener:          Side(rng.UintN(2)),
		Local:           Party{Basepoints: local.basepoints(), DustLimit: wire.Satoshi(354 + rng.UintN(1000)), CSVDelay: uint16(1 + rng.UintN(2016))},
		Remote:          Party{Basepoints: remote.basepoints(), DustLimit: wire.Satoshi(354 + rng.UintN(1000)), CSVDelay: uint16(1 + rng.UintN(2016))},
	})
	require.NoError(t, err)
	return &testChannel{ch: ch, local: local, remote: remote}
}

// randState spreads the capacity over two balances and n HTLCs, some of
// them dust, and returns the preimages by payment hash.
func randState(rng *rand.Rand, ch *Channel, n int, pcp *btcec.PublicKey) (*State, map[wire.PaymentHash]wire.Preimage) {
	capMsat := uint64(ch.Params().Capacity) * 1000
	st := &State{
		Number:             rng.Uint64N(MaxCommitmentNumber + 1),
		PerCommitmentPoint: pcp,
		FeeRate:            wire.FeeRate(253 + rng.UintN(5000)),
	}
	preimages := map[wire.PaymentHash]wire.Preimage{}
	remaining := capMsat
	for range n {
		var amt uint64
		if rng.UintN(3) == 0 {
			amt = 1 + rng.Uint64N(3_000_000) // often trimmed
		} else {
			amt = 1 + rng.Uint64N(capMsat/uint64(4*n+4))
		}
		if amt > remaining {
			break
		}
		remaining -= amt
		var p wire.Preimage
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		preimages[p.Hash()] = p
		st.HTLCs = append(st.HTLCs, HTLC{
			ID:          uint64(len(st.HTLCs)),
			Offerer:     Side(rng.UintN(2)),
			Amount:      wire.MilliSatoshi(amt),
			PaymentHash: p.Hash(),
			CLTVExpiry:  uint32(500_000 + rng.UintN(100_000)),
		})
	}
	st.LocalBalance = wire.MilliSatoshi(rng.Uint64N(remaining + 1))
	st.RemoteBalance = wire.MilliSatoshi(remaining) - st.LocalBalance
	return st, preimages
}

// spend is a one-input transaction spending prev.
func spend(prev btcwire.OutPoint, sequence, lockTime uint32) *btcwire.MsgTx {
	tx := btcwire.NewMsgTx(2)
	tx.LockTime = lockTime
	tx.AddTxIn(&btcwire.TxIn{PreviousOutPoint: prev, Sequence: sequence})
	tx.AddTxOut(btcwire.NewTxOut(1000, []byte{txscript.OP_0, txscript.OP_DATA_20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}))
	return tx
}

// sigHash is the SIGHASH_ALL digest of input 0 of tx.
func sigHash(t testing.TB, tx *btcwire.MsgTx, script []byte, pkScript []byte, amount wire.Satoshi) wire.Digest {
	t.Helper()
	fetcher := txscript.NewCannedPrevOutputFetcher(pkScript, int64(amount))
	h, err := txscript.CalcWitnessSigHash(script, txscript.NewTxSigHashes(tx, fetcher), txscript.SigHashAll, tx, 0, int64(amount))
	require.NoError(t, err)
	return wire.Digest(h)
}

// spendCase is one spend path checked by the engine, with an optional
// variant that must fail (too early, wrong key).
type spendCase struct {
	name    string
	prev    btcwire.OutPoint
	pk      []byte
	amount  wire.Satoshi
	build   func(tx *btcwire.MsgTx) btcwire.TxWitness
	seq     uint32
	lock    uint32
	badSeq  *uint32
	badLock *uint32
	// mustFail marks a spend the engine must reject.
	mustFail bool
}

func (c spendCase) run(t *testing.T) {
	t.Helper()
	tx := spend(c.prev, c.seq, c.lock)
	tx.TxIn[0].Witness = c.build(tx)
	err := engineErr(tx, 0, c.pk, int64(c.amount))
	if c.mustFail {
		require.Error(t, err, "%s: accepted", c.name)
		return
	}
	require.NoError(t, err, "%s", c.name)
	if c.badSeq != nil || c.badLock != nil {
		seq, lock := c.seq, c.lock
		if c.badSeq != nil {
			seq = *c.badSeq
		}
		if c.badLock != nil {
			lock = *c.badLock
		}
		bad := spend(c.prev, seq, lock)
		bad.TxIn[0].Witness = c.build(bad)
		require.Error(t, engineErr(bad, 0, c.pk, int64(c.amount)), "%s: spend accepted with sequence %d locktime %d", c.name, seq, lock)
	}
}

func u32(v uint32) *uint32 { return &v }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestScriptEngineAllPaths builds random commitments of both formats for
// both owners and has btcd's script engine validate the commitment, every
// HTLC transaction and every spend path of every output.
func TestScriptEngineAllPaths(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'e', 'n', 'g', 'i', 'n', 'e'}))
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		seen := map[string]bool{}
		for iter := range 3 {
			tc := randChannel(t, rng, typ, wire.Satoshi(1_000_000+rng.Uint64N(20_000_000)))
			for _, owner := range []Side{Local, Remote} {
				t.Run(fmt.Sprintf("%v/%d/%v", typ, iter, owner), func(t *testing.T) {
					for _, name := range checkAllPaths(t, rng, tc, owner, 4+int(rng.UintN(12))) {
						seen[name] = true
					}
				})
			}
		}
		want := []string{
			"to_local delayed", "to_local revocation", "to_local revocation with a wrong key",
			"to_local delayed with the revocation key", "to_remote (p2wpkh)",
			"offered_htlc revocation", "received_htlc revocation",
			"offered htlc claimed by counterparty with preimage", "received htlc timed out by counterparty",
			"second stage delayed", "second stage revocation",
		}
		if typ.HasAnchors() {
			want = append(want[:4:4], "to_remote (anchors)", "to_local_anchor by owner", "to_local_anchor by anyone",
				"to_remote_anchor by owner", "to_remote_anchor by anyone")
			want = append(want, "offered_htlc revocation", "received_htlc revocation",
				"offered htlc claimed by counterparty with preimage", "received htlc timed out by counterparty",
				"second stage delayed", "second stage revocation")
		}
		for _, name := range want {
			require.True(t, seen[name], "%v: spend path %q never exercised", typ, name)
		}
	}
}

// checkAllPaths checks one random commitment and returns the names of the
// spend paths it exercised.
func checkAllPaths(t *testing.T, rng *rand.Rand, tc *testChannel, owner Side, n int) []string {
	t.Helper()
	ch := tc.ch
	anchors := ch.Type().HasAnchors()
	ownerS, cpS := tc.signer(owner), tc.signer(owner.Other())
	secret := randPriv(rng)
	st, preimages := randState(rng, ch, n, secret.PubKey())
	cm, err := ch.Build(owner, st)
	require.NoError(t, err)
	k := cm.Keys

	// The commitment spends the funding output.
	cpSigs := must(cm.SignAsCounterparty(cpS))
	require.NoError(t, cm.VerifyCounterparty(cpSigs))
	ownSigs := must(cm.SignAsOwner(ownerS))
	signed := must(cm.SignedTx(ownSigs.Commitment, cpSigs.Commitment))
	runEngine(t, signed, 0, ch.FundingPkScript(), int64(ch.Params().Capacity))
	// Swapped signatures must fail.
	swapped := must(cm.SignedTx(cpSigs.Commitment, ownSigs.Commitment))
	require.Error(t, engineErr(swapped, 0, ch.FundingPkScript(), int64(ch.Params().Capacity)), "commitment with swapped signatures accepted")

	ownDelay := ch.party(owner).CSVDelay
	delayedKey := keys.DerivePrivKey(ownerS.delayedBase, k.PerCommitmentPoint)
	revKey := keys.DeriveRevocationPrivKey(cpS.revocationBase, secret)
	require.True(t, revKey.PubKey().IsEqual(k.Revocation), "derived private keys do not match the commitment keys")
	require.True(t, delayedKey.PubKey().IsEqual(k.LocalDelayed), "derived private keys do not match the commitment keys")
	cpHTLCKey := keys.DerivePrivKey(cpS.htlcBase, k.PerCommitmentPoint)
	wrongKey := randPriv(rng)
	var cpSeq uint32 // counterparty's HTLC branches and to_remote need 1 with anchors
	if anchors {
		cpSeq = 1
	}

	txid := cm.TxID()
	var cases []spendCase
	for i, o := range cm.Outputs {
		prev := btcwire.OutPoint{Hash: txid, Index: uint32(i)}
		script := o.WitnessScript
		switch o.Kind {
		case ToLocalOutput:
			cases = append(cases,
				spendCase{name: "to_local delayed", prev: prev, pk: o.PkScript, amount: o.Amount, seq: uint32(ownDelay), badSeq: u32(uint32(ownDelay) - 1),
					build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
						return must(ToLocalDelayedWitness(signWith(delayedKey, sigHash(t, tx, script, o.PkScript, o.Amount)), script))
					}},
				spendCase{name: "to_local revocation", prev: prev, pk: o.PkScript, amount: o.Amount,
					build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
						return must(ToLocalRevokeWitness(must(cpS.SignRevocation(secret, sigHash(t, tx, script, o.PkScript, o.Amount))), script))
					}},
				spendCase{name: "to_local revocation with a wrong key", prev: prev, pk: o.PkScript, amount: o.Amount, mustFail: true,
					build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
						return must(ToLocalRevokeWitness(signWith(wrongKey, sigHash(t, tx, script, o.PkScript, o.Amount)), script))
					}},
				spendCase{name: "to_local delayed with the revocation key", prev: prev, pk: o.PkScript, amount: o.Amount, seq: uint32(ownDelay), mustFail: true,
					build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
						return must(ToLocalDelayedWitness(must(cpS.SignRevocation(secret, sigHash(t, tx, script, o.PkScript, o.Amount))), script))
					}},
			)
		case ToRemoteOutput:
			if anchors {
				cases = append(cases, spendCase{name: "to_remote (anchors)", prev: prev, pk: o.PkScript, amount: o.Amount, seq: 1, badSeq: u32(0),
					build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
						return must(ToRemoteAnchorWitness(must(cpS.SignPayment(sigHash(t, tx, script, o.PkScript, o.Amount))), script))
					}})
			} else {
				cases = append(cases, spendCase{name: "to_remote (p2wpkh)", prev: prev, pk: o.PkScript, amount: o.Amount,
					build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
						return must(ToRemoteWitness(must(cpS.SignPayment(sigHash(t, tx, o.PkScript, o.PkScript, o.Amount))), k.RemotePayment))
					}})
			}
		case LocalAnchorOutput, RemoteAnchorOutput:
			fundingKey := ownerS.funding
			if o.Kind == RemoteAnchorOutput {
				fundingKey = cpS.funding
			}
			cases = append(cases,
				spendCase{name: o.Kind.String() + " by owner", prev: prev, pk: o.PkScript, amount: o.Amount,
					build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
						return must(AnchorWitness(signWith(fundingKey, sigHash(t, tx, script, o.PkScript, o.Amount)), script))
					}},
				spendCase{name: o.Kind.String() + " by anyone", prev: prev, pk: o.PkScript, amount: o.Amount, seq: 16, badSeq: u32(15),
					build: func(tx *btcwire.MsgTx) btcwire.TxWitness { return AnchorSweepWitness(script) }},
			)
		case OfferedHTLCOutput, ReceivedHTLCOutput:
			cases = append(cases, spendCase{name: o.Kind.String() + " revocation", prev: prev, pk: o.PkScript, amount: o.Amount,
				build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
					return must(HTLCRevokeWitness(must(cpS.SignRevocation(secret, sigHash(t, tx, script, o.PkScript, o.Amount))), k.Revocation, script))
				}})
			if o.Kind == OfferedHTLCOutput {
				p := preimages[o.HTLC.PaymentHash]
				c := spendCase{name: "offered htlc claimed by counterparty with preimage", prev: prev, pk: o.PkScript, amount: o.Amount, seq: cpSeq,
					build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
						return must(OfferedHTLCPreimageWitness(signWith(cpHTLCKey, sigHash(t, tx, script, o.PkScript, o.Amount)), p, script))
					}}
				if anchors {
					c.badSeq = u32(0)
				}
				cases = append(cases, c)
			} else {
				c := spendCase{name: "received htlc timed out by counterparty", prev: prev, pk: o.PkScript, amount: o.Amount, seq: cpSeq,
					lock: o.HTLC.CLTVExpiry, badLock: u32(o.HTLC.CLTVExpiry - 1),
					build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
						return must(ReceivedHTLCTimeoutWitness(signWith(cpHTLCKey, sigHash(t, tx, script, o.PkScript, o.Amount)), script))
					}}
				cases = append(cases, c)
			}
		}
	}

	// Second stage: each HTLC transaction spends its output, and its own
	// output can be spent after the delay or with the revocation key.
	for j, i := range cm.HTLCOutputs {
		o := cm.Outputs[i]
		var pre *wire.Preimage
		if o.Kind == ReceivedHTLCOutput {
			p := preimages[o.HTLC.PaymentHash]
			pre = &p
		}
		htx, err := cm.SignedHTLCTx(i, ownSigs.HTLCs[j], cpSigs.HTLCs[j], pre)
		require.NoError(t, err)
		runEngine(t, htx, 0, o.PkScript, int64(o.Amount))
		if o.Kind == ReceivedHTLCOutput {
			// Without the right preimage there is no HTLC-success.
			var wrong wire.Preimage
			_, err := cm.SignedHTLCTx(i, ownSigs.HTLCs[j], cpSigs.HTLCs[j], &wrong)
			require.Error(t, err, "htlc-success built with a wrong preimage")
		}
		// Each signature is bound to its own HTLC transaction.
		if len(cm.HTLCOutputs) > 1 {
			other := (j + 1) % len(cm.HTLCOutputs)
			bad, err := cm.SignedHTLCTx(i, ownSigs.HTLCs[other], cpSigs.HTLCs[j], pre)
			accepted := err == nil && engineErr(bad, 0, o.PkScript, int64(o.Amount)) == nil
			require.False(t, accepted && ownSigs.HTLCs[other] != ownSigs.HTLCs[j], "htlc tx accepted another htlc's signature")
		}
		second := cm.SecondStageScript()
		out := htx.TxOut[0]
		prev := btcwire.OutPoint{Hash: htx.TxHash(), Index: 0}
		amt := wire.Satoshi(out.Value)
		cases = append(cases,
			spendCase{name: "second stage delayed", prev: prev, pk: out.PkScript, amount: amt, seq: uint32(ownDelay), badSeq: u32(uint32(ownDelay) - 1),
				build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
					return must(ToLocalDelayedWitness(must(ownerS.SignDelayedPayment(k.PerCommitmentPoint, sigHash(t, tx, second, out.PkScript, amt))), second))
				}},
			spendCase{name: "second stage revocation", prev: prev, pk: out.PkScript, amount: amt,
				build: func(tx *btcwire.MsgTx) btcwire.TxWitness {
					return must(ToLocalRevokeWitness(must(cpS.SignRevocation(secret, sigHash(t, tx, second, out.PkScript, amt))), second))
				}},
		)
	}

	names := make([]string, 0, len(cases))
	for _, c := range cases {
		c.run(t)
		names = append(names, c.name)
	}
	t.Logf("%d outputs, %d htlc outputs, %d spend paths checked", len(cm.Outputs), len(cm.HTLCOutputs), len(cases))
	return names
}

// TestClosingTxEngine signs legacy and simple closing transactions and runs
// them through the engine.
func TestClosingTxEngine(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'c', 'l', 'o', 's', 'e'}))
	tc := randChannel(t, rng, AnchorsZeroFeeHTLC, 2_000_000)
	ch := tc.ch
	localPk := P2WPKH(randPriv(rng).PubKey())
	h := sha256.Sum256([]byte("remote"))
	remotePk := append([]byte{txscript.OP_0, txscript.OP_DATA_32}, h[:]...)
	tx, err := ch.LegacyClosingTx(LegacyClosing{
		LocalScript: localPk, RemoteScript: remotePk,
		LocalBalance: 1_500_000_000, RemoteBalance: 500_000_000,
		Fee: 1000, Signer: Local,
	})
	require.NoError(t, err)
	require.Len(t, tx.TxOut, 2, "closing tx %+v", tx)
	require.Equal(t, LegacyClosingSequence, tx.TxIn[0].Sequence, "closing tx %+v", tx)
	require.Equal(t, uint32(0), tx.LockTime, "closing tx %+v", tx)
	require.LessOrEqual(t, tx.TxOut[0].Value, tx.TxOut[1].Value, "outputs not in BIP69 order")
	digest := must(ch.ClosingSigHash(tx))
	w := must(ch.FundingWitness(must(tc.local.SignFunding(digest)), must(tc.remote.SignFunding(digest))))
	tx.TxIn[0].Witness = w
	runEngine(t, tx, 0, ch.FundingPkScript(), int64(ch.Params().Capacity))

	// Simple close with an OP_RETURN closee output.
	stx, err := ch.SimpleClosingTx(SimpleClosing{
		Closer: Remote, LocalScript: []byte{txscript.OP_RETURN, txscript.OP_DATA_1, 7}, RemoteScript: remotePk,
		LocalBalance: 100_000, RemoteBalance: 1_999_900_000, Fee: 700, LockTime: 800_000,
	})
	require.NoError(t, err)
	require.Len(t, stx.TxOut, 2, "simple closing tx outputs %v %v", stx.TxOut[0], stx.TxOut[1])
	require.Equal(t, int64(0), stx.TxOut[0].Value, "simple closing tx outputs %v %v", stx.TxOut[0], stx.TxOut[1])
	require.Equal(t, int64(1_999_900-700), stx.TxOut[1].Value, "simple closing tx outputs %v %v", stx.TxOut[0], stx.TxOut[1])
	require.Equal(t, SimpleClosingSequence, stx.TxIn[0].Sequence, "simple closing tx outputs %v %v", stx.TxOut[0], stx.TxOut[1])
	require.Equal(t, uint32(800_000), stx.LockTime, "simple closing tx outputs %v %v", stx.TxOut[0], stx.TxOut[1])
	digest = must(ch.ClosingSigHash(stx))
	stx.TxIn[0].Witness = must(ch.FundingWitness(must(tc.local.SignFunding(digest)), must(tc.remote.SignFunding(digest))))
	runEngine(t, stx, 0, ch.FundingPkScript(), int64(ch.Params().Capacity))
}
