package keys

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDeterministicEntropy(t *testing.T) {
	a, b := NewDeterministicEntropy([32]byte{1}), NewDeterministicEntropy([32]byte{1})
	c := NewDeterministicEntropy([32]byte{2})
	for i := 0; i < 10; i++ {
		x := a.GetSecureRandomBytes()
		require.Equal(t, x, b.GetSecureRandomBytes())
		require.NotEqual(t, x, c.GetSecureRandomBytes())
	}
}

func TestDeterministicEntropyConcurrent(t *testing.T) {
	e := NewDeterministicEntropy([32]byte{3})
	const workers, each = 8, 100
	results := make(chan [32]byte, workers*each)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				results <- e.GetSecureRandomBytes()
			}
		}()
	}
	wg.Wait()
	close(results)
	seen := map[[32]byte]bool{}
	for r := range results {
		require.False(t, seen[r], "an output repeated")
		seen[r] = true
	}
	// Concurrent callers consumed exactly the first workers*each outputs.
	ref := NewDeterministicEntropy([32]byte{3})
	for i := 0; i < workers*each; i++ {
		require.True(t, seen[ref.GetSecureRandomBytes()])
	}
}

func TestCryptoEntropy(t *testing.T) {
	e := NewCryptoEntropy()
	a, b := e.GetSecureRandomBytes(), e.GetSecureRandomBytes()
	require.NotEqual(t, a, b)
	require.NotEqual(t, [32]byte{}, a)
	require.NotEqual(t, GenerateSeed(nil), GenerateSeed(nil))
}
