package secp

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWNAF checks the recoding recombines to its input, in both widths the
// package uses, with odd bounded digits at least width apart.
func TestWNAF(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 2000; i++ {
		width := uint(wnafWidth)
		if i%2 == 1 {
			width = wnafWidthG
		}
		v := [4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
		if i%3 == 0 {
			v[2], v[3] = 0, 0
		}
		if i < 2 {
			v = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		}
		var d [wnafMaxDigits]int8
		n := wnaf(v, width, &d)
		lastNonZero := 1 << 20
		// Recombine as big value: sum d[i]·2^i, using 5 limbs signed.
		var acc [5]uint64
		for j := n - 1; j >= 0; j-- {
			// acc = 2·acc + d[j]
			for k := 4; k > 0; k-- {
				acc[k] = acc[k]<<1 | acc[k-1]>>63
			}
			acc[0] <<= 1
			if d[j] > 0 {
				addSmall(&acc, uint64(d[j]))
			} else if d[j] < 0 {
				subSmall(&acc, uint64(-d[j]))
			}
			if d[j] != 0 {
				bound := int8(1<<(width-1) - 1)
				require.False(t, d[j]&1 == 0 || d[j] > bound || d[j] < -bound, "width %d: bad digit %d", width, d[j])
				require.GreaterOrEqual(t, lastNonZero-j, int(width), "width %d: non-zero digits %d and %d too close", width, j, lastNonZero)
				lastNonZero = j
			}
		}
		require.Equal(t, uint64(0), acc[4], "wnaf of %x recombines to %x", v, acc)
		require.Equal(t, v, [4]uint64(acc[:4]), "wnaf of %x recombines to %x", v, acc)
	}
}

func addSmall(a *[5]uint64, v uint64) {
	for i := 0; i < 5; i++ {
		s := a[i] + v
		c := s < a[i]
		a[i] = s
		if !c {
			return
		}
		v = 1
	}
}

func subSmall(a *[5]uint64, v uint64) {
	for i := 0; i < 5; i++ {
		s := a[i] - v
		b := s > a[i]
		a[i] = s
		if !b {
			return
		}
		v = 1
	}
}
