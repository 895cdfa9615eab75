package inbound

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMACMatchesCryptoHMAC checks the precomputed HMAC against
// crypto/hmac for every message length it accepts and splits of it.
func TestMACMatchesCryptoHMAC(t *testing.T) {
	key := [32]byte{0xde, 0xad, 31: 0xff}
	k := newMACKey(&key)
	msg := make([]byte, maxMACInput)
	for i := range msg {
		msg[i] = byte(i * 7)
	}
	for n := 0; n <= maxMACInput; n++ {
		ref := hmac.New(sha256.New, key[:])
		ref.Write(msg[:n])
		want := ref.Sum(nil)
		for _, split := range []int{0, n / 2, n} {
			got := k.mac(msg[:split], msg[split:n])
			require.Equal(t, want, got[:], "length %d split %d", n, split)
		}
	}
}
