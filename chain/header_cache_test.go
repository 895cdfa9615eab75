package chain

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"
)

// TestHeaderCacheBounded checks LRU eviction.
func TestHeaderCacheBounded(t *testing.T) {
	c := newHeaderCache(3)
	hd := func(i byte) *HeaderData { return &HeaderData{Hash: chainhash.Hash{i}, Height: int32(i)} }
	for i := byte(1); i <= 3; i++ {
		c.put(hd(i))
	}
	_, ok := c.get(chainhash.Hash{1}) // 1 is now most recent
	require.True(t, ok)
	c.put(hd(4)) // evicts 2
	_, ok = c.get(chainhash.Hash{2})
	require.False(t, ok)
	for _, i := range []byte{1, 3, 4} {
		_, ok := c.get(chainhash.Hash{i})
		require.True(t, ok, "header %d", i)
	}
	c.put(hd(4))
	require.Equal(t, 3, c.len())
}
