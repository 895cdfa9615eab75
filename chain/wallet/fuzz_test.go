package wallet

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
)

func FuzzDecodeMeta(f *testing.F) {
	m := meta{Birthday: chain.BestBlock{Hash: chainhash.Hash{1}, Height: 7}, Best: chain.BestBlock{Hash: chainhash.Hash{2}, Height: 900}}
	m.Next[1], m.Used[3] = 5, 9
	f.Add(encodeMeta(&m))
	f.Add([]byte{1})
	f.Add([]byte{2, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeMeta(data)
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		require.Equal(t, data, encodeMeta(got))
	})
}

func FuzzDecodeCoin(f *testing.F) {
	spent := chainhash.Hash{9}
	f.Add(encodeCoin(&utxo{Value: 5000, PkScript: otherScript, Key: keyRef{Branch: branchTRChange, Index: 3}, Height: 12, Coinbase: true}))
	f.Add(encodeCoin(&utxo{Value: 1, PkScript: nil, SpentBy: &spent}))
	f.Add([]byte{1, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		op := btcwire.OutPoint{Index: 1}
		got, err := decodeCoin(op, data)
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		require.Equal(t, data, encodeCoin(got))
	})
}

func FuzzDecodeTx(f *testing.F) {
	tx := payTx(3, otherScript, 1000, 2000)
	tx.TxIn[0].Witness = btcwire.TxWitness{{1, 2}, {3}}
	for _, rec := range []*txRecord{
		{Tx: tx, Status: txConfirmed, Own: true, Height: 100, BlockHash: chainhash.Hash{4}, Index: 2, Credit: 1000, Debit: 5000, Fee: 300},
		{Tx: payTx(4, otherScript, 1), Status: txLocked},
	} {
		data, err := encodeTx(rec)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte{1, 3, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeTx(data)
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		again, err := encodeTx(got)
		require.NoError(t, err)
		back, err := decodeTx(again)
		require.NoError(t, err)
		require.Equal(t, got.TxID, back.TxID)
		require.Equal(t, got.Status, back.Status)
		require.Equal(t, got.Height, back.Height)
		require.Equal(t, got.Fee, back.Fee)
	})
}

func FuzzParseOutPointKey(f *testing.F) {
	f.Add(outPointKey(btcwire.OutPoint{Hash: chainhash.Hash{1}, Index: 7}))
	f.Add("x-1")
	f.Fuzz(func(t *testing.T, key string) {
		op, err := parseOutPointKey(key)
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		_, err = parseOutPointKey(outPointKey(op))
		require.NoError(t, err)
	})
}
