package fsstore

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

func FuzzDecodeValue(f *testing.F) {
	ns := persist.Namespace{Primary: "p", Secondary: "s"}
	f.Add(encodeValue(ns, "k", []byte("value")))
	f.Add(encodeValue(ns, "k", nil))
	f.Add([]byte("LNKV\x01\x00\x00\x00\x00\x00\x00\x05"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeValue(ns, "k", b)
		if err != nil {
			require.ErrorIs(t, err, persist.ErrCorrupt)
			return
		}
		require.Equal(t, b, encodeValue(ns, "k", v))
	})
}

func FuzzDecodeBatch(f *testing.F) {
	ns := persist.Namespace{Primary: "p"}
	f.Add(encodeBatch([]persist.Op{persist.WriteOp(ns, "a", []byte("1")), persist.RemoveOp(persist.Namespace{}, "b")}))
	f.Add(encodeBatch(nil))
	f.Add([]byte("LNKB\x01\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00"))
	check := func(t *testing.T, b []byte) {
		ops, err := decodeBatch(b)
		if err != nil {
			require.ErrorIs(t, err, persist.ErrCorrupt)
			return
		}
		for _, o := range ops {
			require.NoError(t, persist.ValidateOp(o))
		}
		require.Equal(t, b, encodeBatch(ops))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check(t, b)
		// Most inputs fail the checksum: parse each again as a body with
		// its right checksum, so the fuzzer reaches the op parser.
		check(t, binary.BigEndian.AppendUint32(slices.Clip(b), crc32.Checksum(b, castagnoli)))
	})
}

func TestBatchRoundTrip(t *testing.T) {
	ops := []persist.Op{
		persist.WriteOp(persist.Namespace{Primary: "p", Secondary: "s"}, "a", []byte("1")),
		persist.RemoveOp(persist.Namespace{}, "b"),
		persist.WriteOp(persist.Namespace{}, "c", nil),
	}
	got, err := decodeBatch(encodeBatch(ops))
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Equal(t, ops[0], got[0])
	require.Equal(t, ops[1], got[1])
	require.Empty(t, got[2].Value)
	require.False(t, got[2].Remove)
}
