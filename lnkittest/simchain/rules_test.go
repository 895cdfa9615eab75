package simchain_test

import (
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	lnwire "github.com/lnkit/lnkit/wire"
)

// toSelfDelay is the CSV delay of the to_local outputs of the tests.
const toSelfDelay = 144

// htlcExpiry is the cltv_expiry of the HTLC outputs of the tests.
const htlcExpiry = 200

// channelKeys are the keys of one commitment of a channel between a local
// and a remote signer.
type channelKeys struct {
	local, remote *keys.InMemorySigner
	point         *btcec.PublicKey // local per-commitment point 0
}

func newChannelKeys(t testing.TB) channelKeys {
	t.Helper()
	local := testSigner(1)
	point, err := local.PerCommitmentPoint(0)
	require.NoError(t, err)
	return channelKeys{local: local, remote: testSigner(2), point: point}
}

// toLocalScript is the witness script of the local to_local output.
func (k channelKeys) toLocalScript() []byte {
	rev := keys.DeriveRevocationPubKey(k.remote.Basepoints().RevocationBasepoint, k.point)
	delayed := keys.DerivePubKey(k.local.Basepoints().DelayedPaymentBasepoint, k.point)
	return commit.ToLocalScript(rev, delayed, toSelfDelay)
}

// receivedHTLCScript is the witness script of an HTLC offered to the local
// side, which the remote side takes back after htlcExpiry.
func (k channelKeys) receivedHTLCScript() []byte {
	rev := keys.DeriveRevocationPubKey(k.remote.Basepoints().RevocationBasepoint, k.point)
	localHTLC := keys.DerivePubKey(k.local.Basepoints().HTLCBasepoint, k.point)
	remoteHTLC := keys.DerivePubKey(k.remote.Basepoints().HTLCBasepoint, k.point)
	return commit.ReceivedHTLCScript(rev, localHTLC, remoteHTLC, lnwire.PaymentHash(sha256.Sum256([]byte("preimage"))), htlcExpiry, false)
}

// sweepToLocal spends a to_local output after the delay, with the given
// sequence and version.
func (k channelKeys) sweepToLocal(t testing.TB, prev prevOut, sequence uint32, version int32) *btcwire.MsgTx {
	t.Helper()
	script := k.toLocalScript()
	tx := newSpend([]prevOut{prev}, prev.out.Value-1_000)
	tx.Version = version
	tx.TxIn[0].Sequence = sequence
	sig, err := k.local.SignDelayedPayment(k.point, digest(t, tx, 0, []prevOut{prev}, script))
	require.NoError(t, err)
	tx.TxIn[0].Witness, err = commit.ToLocalDelayedWitness(sig, script)
	require.NoError(t, err)
	return tx
}

// timeoutHTLC takes a received HTLC output back to the remote side, with
// the given locktime.
func (k channelKeys) timeoutHTLC(t testing.TB, prev prevOut, lockTime uint32) *btcwire.MsgTx {
	t.Helper()
	script := k.receivedHTLCScript()
	tx := newSpend([]prevOut{prev}, prev.out.Value-1_000)
	tx.LockTime = lockTime
	tx.TxIn[0].Sequence = 0
	sig, err := k.remote.SignHTLC(k.point, digest(t, tx, 0, []prevOut{prev}, script))
	require.NoError(t, err)
	tx.TxIn[0].Witness, err = commit.ReceivedHTLCTimeoutWitness(sig, script)
	require.NoError(t, err)
	return tx
}

// TestRules checks each consensus and policy rule with a transaction built
// and signed for it: refused by the mempool with a typed error naming the
// input; refused the same way by MineTx unless the rule is policy only;
// and, for the timelocks and maturity, refused until exactly the block
// where it becomes valid.
func TestRules(t *testing.T) {
	s := testSigner(1)
	k := newChannelKeys(t)
	tests := []struct {
		name  string
		build func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx
		kind  error // nil: valid
		input int   // the input at fault, -1 for none
		// policy: a relay rule, MineTx accepts the transaction.
		policy bool
		// until: blocks after which the transaction becomes valid, 0
		// for never.
		until int
	}{{
		name: "p2wpkh signed by keys' signer",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prev := fund(t, c, paymentScript(s), 100_000)
			tx := newSpend([]prevOut{prev}, 99_000)
			signPayment(t, tx, 0, []prevOut{prev}, s)
			return tx
		},
	}, {
		name: "p2wpkh signature of another transaction",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prev := fund(t, c, paymentScript(s), 100_000)
			tx := newSpend([]prevOut{prev}, 99_000)
			signPayment(t, tx, 0, []prevOut{prev}, s)
			tx.TxOut[0].Value = 90_000
			return tx
		},
		kind: simchain.ErrScript, input: 0,
	}, {
		name: "second input signed by the wrong key",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prevs := []prevOut{fund(t, c, paymentScript(s), 50_000), fund(t, c, paymentScript(s), 50_000)}
			tx := newSpend(prevs, 99_000)
			signPayment(t, tx, 0, prevs, s)
			sig, err := testSigner(9).SignPayment(digest(t, tx, 1, prevs, prevs[1].out.PkScript))
			require.NoError(t, err)
			tx.TxIn[1].Witness, err = commit.ToRemoteWitness(sig, s.Basepoints().PaymentBasepoint)
			require.NoError(t, err)
			return tx
		},
		kind: simchain.ErrScript, input: 1,
	}, {
		name: "input never created",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prev := fund(t, c, trueScript, 100_000)
			prev.op.Hash[0] ^= 1
			return spendTrue([]prevOut{prev}, 99_000)
		},
		kind: simchain.ErrMissingInput, input: 0,
	}, {
		name: "output index past the outputs",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prevs := []prevOut{fund(t, c, trueScript, 100_000), fund(t, c, trueScript, 100_000)}
			prevs[1].op.Index = 1
			return spendTrue(prevs, 99_000)
		},
		kind: simchain.ErrMissingInput, input: 1,
	}, {
		name: "double spend of a confirmed spend",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prev := fund(t, c, trueScript, 100_000)
			_, err := c.MineTx(spendTrue([]prevOut{prev}, 99_000))
			require.NoError(t, err)
			return spendTrue([]prevOut{prev}, 98_000)
		},
		kind: simchain.ErrDoubleSpend, input: 0,
	}, {
		name: "coinbase spent before 100 blocks",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			c.Mine(1)
			block, _ := c.BlockAt(1)
			cb := block.Transactions[0]
			tx := newSpend([]prevOut{outputOf(cb, 0)}, cb.TxOut[0].Value-10_000)
			return tx // OP_TRUE: no signature
		},
		kind: simchain.ErrImmature, input: 0, until: 99,
	}, {
		name: "to_local (CSV) before to_self_delay blocks",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prev := fund(t, c, commit.P2WSH(k.toLocalScript()), 100_000)
			return k.sweepToLocal(t, prev, toSelfDelay, 2)
		},
		kind: simchain.ErrSequenceLock, input: 0, until: toSelfDelay - 1,
	}, {
		name: "to_local with a sequence below to_self_delay",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prev := fund(t, c, commit.P2WSH(k.toLocalScript()), 100_000)
			c.Mine(toSelfDelay)
			return k.sweepToLocal(t, prev, toSelfDelay-1, 2)
		},
		kind: simchain.ErrScript, input: 0,
	}, {
		name: "to_local in a version 1 transaction",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prev := fund(t, c, commit.P2WSH(k.toLocalScript()), 100_000)
			c.Mine(toSelfDelay)
			return k.sweepToLocal(t, prev, toSelfDelay, 1)
		},
		kind: simchain.ErrScript, input: 0,
	}, {
		name: "HTLC timeout (CLTV) before cltv_expiry",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prev := fund(t, c, commit.P2WSH(k.receivedHTLCScript()), 100_000)
			return k.timeoutHTLC(t, prev, htlcExpiry)
		},
		kind: simchain.ErrNonFinal, input: -1, until: htlcExpiry - 1,
	}, {
		name: "HTLC timeout with a locktime below cltv_expiry",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prev := fund(t, c, commit.P2WSH(k.receivedHTLCScript()), 100_000)
			c.Mine(htlcExpiry)
			return k.timeoutHTLC(t, prev, htlcExpiry-1)
		},
		kind: simchain.ErrScript, input: 0,
	}, {
		name: "locktime in time, against median time past",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			c.Mine(20)
			prev := fund(t, c, trueScript, 100_000) // tip 21
			tx := spendTrue([]prevOut{prev}, 99_000)
			tx.LockTime = uint32(c.MedianTimePast(30).Unix()) // final once the tip is 31
			return tx
		},
		kind: simchain.ErrNonFinal, input: -1, until: 10,
	}, {
		name: "relative locktime in time (BIP 68)",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			c.Mine(20)
			prev := fund(t, c, trueScript, 100_000) // height 21
			tx := spendTrue([]prevOut{prev}, 99_000)
			tx.TxIn[0].Sequence = 1<<22 | 4 // 2,048 s: 4 blocks of median time
			return tx
		},
		kind: simchain.ErrSequenceLock, input: 0, until: 3,
	}, {
		name: "locktime ignored when every sequence is final",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			tx := spendTrue([]prevOut{fund(t, c, trueScript, 100_000)}, 99_000)
			tx.LockTime = 1_000
			tx.TxIn[0].Sequence = btcwire.MaxTxInSequenceNum
			return tx
		},
	}, {
		name: "fee below the relay fee rate",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			return spendTrue([]prevOut{fund(t, c, trueScript, 100_000)}, 99_950)
		},
		kind: simchain.ErrFeeTooLow, input: -1, policy: true,
	}, {
		name: "dust output",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			return spendTrue([]prevOut{fund(t, c, trueScript, 100_000)}, 98_000, 329)
		},
		kind: simchain.ErrDust, input: -1, policy: true,
	}, {
		name: "outputs above the inputs",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			return spendTrue([]prevOut{fund(t, c, trueScript, 100_000)}, 100_001)
		},
		kind: simchain.ErrInsufficientInput, input: -1,
	}, {
		name: "no inputs",
		build: func(*testing.T, *simchain.Chain) *btcwire.MsgTx {
			return spendTrue(nil, 1_000)
		},
		kind: simchain.ErrMalformed, input: -1,
	}, {
		name: "no outputs",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			return spendTrue([]prevOut{fund(t, c, trueScript, 100_000)})
		},
		kind: simchain.ErrMalformed, input: -1,
	}, {
		name: "negative output",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			return spendTrue([]prevOut{fund(t, c, trueScript, 100_000)}, 1_000, -1)
		},
		kind: simchain.ErrMalformed, input: -1,
	}, {
		name: "the same input twice",
		build: func(t *testing.T, c *simchain.Chain) *btcwire.MsgTx {
			prev := fund(t, c, trueScript, 100_000)
			return spendTrue([]prevOut{prev, prev}, 99_000)
		},
		kind: simchain.ErrMalformed, input: 1,
	}, {
		name: "a coinbase input",
		build: func(*testing.T, *simchain.Chain) *btcwire.MsgTx {
			null := prevOut{op: btcwire.OutPoint{Index: btcwire.MaxPrevOutIndex}, out: btcwire.NewTxOut(0, nil)}
			return spendTrue([]prevOut{null}, 1_000)
		},
		kind: simchain.ErrMalformed, input: 0,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t)
			tx := tt.build(t, c)
			err := c.Broadcast(tx)
			if tt.kind == nil {
				require.NoError(t, err)
				c.Mine(1)
				require.EqualValues(t, 1, c.Confirmations(tx.TxHash()))
				return
			}
			te := requireTxError(t, err, tt.kind, tt.input)
			require.Equal(t, tx.TxHash(), te.TxID)
			require.Empty(t, c.Mempool())
			if tt.kind == simchain.ErrScript {
				var se txscript.Error
				require.ErrorAs(t, err, &se, "the engine's error is the cause")
			}

			tip := c.Tip()
			_, err = c.MineTx(tx)
			if tt.policy {
				require.NoError(t, err, "MineTx applies no relay policy")
				return
			}
			requireTxError(t, err, tt.kind, tt.input)
			require.Equal(t, tip, c.Tip(), "no block on failure")
			if tt.until == 0 {
				return
			}
			c.Mine(tt.until - 1)
			requireTxError(t, c.Broadcast(tx), tt.kind, tt.input)
			c.Mine(1)
			require.NoError(t, c.Broadcast(tx), "valid after %d blocks", tt.until)
			c.Mine(1)
			require.EqualValues(t, 1, c.Confirmations(tx.TxHash()))
		})
	}
}

// TestTxErrorMessage checks the message and matching of a TxError.
func TestTxErrorMessage(t *testing.T) {
	cause := errors.New("boom")
	err := &simchain.TxError{TxID: chainhash.Hash{1}, Input: 2, Kind: simchain.ErrScript, Cause: cause}
	require.Equal(t, "simchain: tx "+chainhash.Hash{1}.String()+" input 2: script failure: boom", err.Error())
	require.ErrorIs(t, err, cause)
	require.NotErrorIs(t, err, simchain.ErrDoubleSpend)
	rbf := &simchain.TxError{Input: -1, Kind: simchain.ErrReplacement, Detail: "pays less"}
	require.ErrorIs(t, rbf, simchain.ErrDoubleSpend, "a refused replacement is a double spend")
	require.Equal(t, "simchain: tx "+chainhash.Hash{}.String()+": replacement refused: pays less", rbf.Error())
}
