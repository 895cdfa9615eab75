package simchain_test

import (
	"bytes"
	"errors"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/lnkittest/simchain"
)

// FuzzBroadcast hands arbitrary transactions to a chain holding a few
// coins anyone can spend: no panic, every refusal a *TxError, and the
// mempool and the block rules agree (a transaction the mempool accepts is
// mined by Mine; one refused by a consensus rule is refused by MineTx
// too).
func FuzzBroadcast(f *testing.F) {
	c := newChain(f)
	var coins []prevOut
	for range 3 {
		coins = append(coins, fund(f, c, trueScript, 100_000))
	}
	seed := func(tx *btcwire.MsgTx) {
		var buf bytes.Buffer
		require.NoError(f, tx.Serialize(&buf))
		f.Add(buf.Bytes())
	}
	seed(spendTrue(coins[:1], 99_000))
	seed(spendTrue(coins[1:], 150_000, 49_000))
	seed(spendTrue(coins[:1], 100_001))
	bad := spendTrue(coins[2:], 99_000)
	bad.TxIn[0].Witness = btcwire.TxWitness{{0x00}}
	seed(bad)
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		var tx btcwire.MsgTx
		if tx.Deserialize(bytes.NewReader(data)) != nil {
			return
		}
		c := newChain(t)
		for range 3 {
			fund(t, c, trueScript, 100_000)
		}
		err := c.Broadcast(&tx)
		if err == nil {
			c.Mine(1)
			require.EqualValues(t, 1, c.Confirmations(tx.TxHash()))
			return
		}
		var te *simchain.TxError
		require.ErrorAs(t, err, &te)
		_, mineErr := c.MineTx(&tx)
		if errors.Is(err, simchain.ErrFeeTooLow) || errors.Is(err, simchain.ErrDust) {
			return
		}
		require.Error(t, mineErr, "mempool refused with %v", err)
	})
}

// TestHostileShapes checks transactions that cannot even be serialized:
// refused as malformed by the mempool and by MineTx, never a panic.
func TestHostileShapes(t *testing.T) {
	c := newChain(t)
	prev := fund(t, c, trueScript, 100_000)
	nilIn := spendTrue([]prevOut{prev}, 99_000)
	nilIn.TxIn = append(nilIn.TxIn, nil)
	nilOut := spendTrue([]prevOut{prev}, 99_000)
	nilOut.TxOut = append([]*btcwire.TxOut{nil}, nilOut.TxOut...)
	for _, tx := range []*btcwire.MsgTx{nil, nilIn, nilOut} {
		requireMalformed := func(err error) {
			t.Helper()
			require.ErrorIs(t, err, simchain.ErrMalformed)
		}
		requireMalformed(c.Broadcast(tx))
		_, err := c.MineTx(spendTrue([]prevOut{prev}, 99_000), tx)
		requireMalformed(err)
		_, err = c.ReorgBlocks(0, []*btcwire.MsgTx{tx})
		requireMalformed(err)
	}
	require.Empty(t, c.Mempool())
	require.EqualValues(t, 1, c.Tip().Height)
	_, ok := c.Spender(prev.op)
	require.False(t, ok, "the valid transaction before the malformed one was rolled back")
	_, err := c.FundOutputs(nil)
	require.ErrorIs(t, err, simchain.ErrMalformed)
	_, err = c.FundOutputs()
	require.ErrorIs(t, err, simchain.ErrMalformed)
	_, err = c.Fund(trueScript, 0)
	require.ErrorIs(t, err, simchain.ErrMalformed)
}
