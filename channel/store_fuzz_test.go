package channel

import (
	"bytes"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/wire"
)

// FuzzDecodePendingFunding: the stored pending-funding entry (user channel
// id, then the funding transaction) never panics, bounds its allocation,
// and what it accepts re-encodes to the same bytes.
func FuzzDecodePendingFunding(f *testing.F) {
	tx := btcwire.NewMsgTx(2)
	tx.AddTxIn(&btcwire.TxIn{PreviousOutPoint: btcwire.OutPoint{Index: 1}, Witness: btcwire.TxWitness{{1}}})
	tx.AddTxOut(btcwire.NewTxOut(1000, []byte{0, 32, 1}))
	var b bytes.Buffer
	b.Write([]byte{0, 0, 0, 0, 0, 0, 0, 7})
	require.NoError(f, tx.Serialize(&b))
	f.Add(b.Bytes())
	f.Add([]byte{1, 2, 3})
	f.Add(append([]byte{0, 0, 0, 0, 0, 0, 0, 1}, 0xff, 0xff, 0xff, 0xff, 0xff))
	f.Fuzz(func(t *testing.T, data []byte) {
		user, tx, err := decodePendingFunding(data)
		if err != nil {
			require.ErrorIs(t, err, ErrCorruptRecord)
			return
		}
		var out bytes.Buffer
		out.Write((&core{userChannelID: user}).userChannelIDBytes())
		require.NoError(t, tx.Serialize(&out))
		again, tx2, err := decodePendingFunding(out.Bytes())
		require.NoError(t, err)
		require.Equal(t, user, again)
		require.Equal(t, tx.TxHash(), tx2.TxHash())
	})
}

// FuzzDecodeBestBlock: the stored best block is 36 bytes with a height
// that fits an int32, or a corrupt record; never a panic.
func FuzzDecodeBestBlock(f *testing.F) {
	f.Add(make([]byte, 36))
	f.Add([]byte{1, 2})
	f.Add(append(make([]byte, 32), 0xff, 0xff, 0xff, 0xff))
	f.Fuzz(func(t *testing.T, v []byte) {
		b, err := decodeBestBlock(v)
		if err != nil {
			require.ErrorIs(t, err, ErrCorruptRecord)
			return
		}
		require.GreaterOrEqual(t, b.Height, int32(0))
		require.Equal(t, v[:32], b.Hash[:])
	})
}

// FuzzDecodeClosedUpdates: the kept updates of a closed channel never
// panic, refuse what is not a list of updates with ErrCorruptRecord, and
// what they accept re-encodes to the same bytes.
func FuzzDecodeClosedUpdates(f *testing.F) {
	seed, err := encodeClosedUpdates([]*monitor.Update{
		{ID: 7, Steps: []monitor.Step{&monitor.PaymentPreimage{Preimage: wire.Preimage{1}}}},
		{ID: 8, Steps: []monitor.Step{&monitor.ChannelForceClosed{}}},
	})
	require.NoError(f, err)
	f.Add(seed)
	f.Add(seed[:len(seed)-1])
	f.Add([]byte{0, 0, 0, 9, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		us, err := decodeClosedUpdates(data)
		if err != nil {
			require.ErrorIs(t, err, ErrCorruptRecord)
			return
		}
		again, err := encodeClosedUpdates(us)
		require.NoError(t, err)
		back, err := decodeClosedUpdates(again)
		require.NoError(t, err)
		require.Equal(t, len(us), len(back))
		for i := range us {
			require.Equal(t, us[i].ID, back[i].ID)
		}
	})
}
