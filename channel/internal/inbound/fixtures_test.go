package inbound

import (
	"testing"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// testSeed is the seed of the test node.
var testSeed = keys.Seed{7, 7, 7, 1, 2, 3}

// testManager returns the test node's key manager.
func testManager(t testing.TB) *keys.Manager {
	t.Helper()
	return keys.NewManager(testSeed, keys.Config{})
}

// testKeys returns the test node's inbound keys.
func testKeys(t testing.TB) *Keys {
	t.Helper()
	return NewKeys(testManager(t).InboundPaymentKey())
}

// testIV returns a deterministic iv numbered n.
func testIV(n byte) [16]byte {
	return [16]byte{n, 0xa5, n ^ 0x5a, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, n}
}

// testParams are the invoice parameters most tests use.
func testParams() Params {
	return Params{
		Amount:                  wire.Some[wire.MilliSatoshi](100_000),
		Expiry:                  1_700_003_600,
		MinFinalCLTVExpiryDelta: 40,
	}
}
