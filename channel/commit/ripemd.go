package commit

//lint:ignore SA1019 RIPEMD-160 is deprecated for new designs but Bitcoin Script requires it.
import "golang.org/x/crypto/ripemd160"

// ripemd160Sum returns RIPEMD160(b), the hash HTLC scripts compare payment
// hashes with.
func ripemd160Sum(b []byte) []byte {
	h := ripemd160.New()
	h.Write(b)
	return h.Sum(nil)
}
