package lnkittest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/persist"
)

func TestCheckpointCodec(t *testing.T) {
	for _, b := range []chain.BestBlock{{}, {Hash: [32]byte{1, 2, 3}, Height: 7}, {Hash: [32]byte{0xff}, Height: 1<<31 - 1}} {
		got, err := decodeCheckpoint(encodeCheckpoint(b))
		require.NoError(t, err)
		require.Equal(t, b, got)
	}
	for _, v := range [][]byte{nil, make([]byte, checkpointLen-1), make([]byte, checkpointLen+1),
		append(make([]byte, checkpointLen-4), 0x80, 0, 0, 0)} {
		_, err := decodeCheckpoint(v)
		require.ErrorIs(t, err, errCheckpoint)
		require.ErrorIs(t, err, persist.ErrCorrupt)
	}
}

// FuzzDecodeCheckpoint: any stored bytes decode to a checkpoint that
// encodes back to them, or to an error; never a panic.
func FuzzDecodeCheckpoint(f *testing.F) {
	f.Add(encodeCheckpoint(chain.BestBlock{Hash: [32]byte{9}, Height: 144}))
	f.Add([]byte{})
	f.Add(make([]byte, checkpointLen+1))
	f.Fuzz(func(t *testing.T, v []byte) {
		b, err := decodeCheckpoint(v)
		if err != nil {
			require.ErrorIs(t, err, persist.ErrCorrupt)
			return
		}
		require.Equal(t, v, encodeCheckpoint(b))
	})
}
