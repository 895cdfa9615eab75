package outbound

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// Test constants: the payment's amount, each forwarding hop's fee and
// cltv delta, and the payee's final expiry.
const (
	testAmount   wire.MilliSatoshi = 1_000_000
	testHopFee   wire.MilliSatoshi = 1_000
	testDelta                      = 40
	testFinalExp                   = 800_144
)

// testKey returns a deterministic private key named by label.
func testKey(label string) *btcec.PrivateKey {
	h := sha256.Sum256([]byte(label))
	k, _ := btcec.PrivKeyFromBytes(h[:])
	return k
}

// testSession returns a deterministic session key.
func testSession(i int) SessionKey {
	return SessionKey(testKey(fmt.Sprintf("session %d", i)).Key.Bytes())
}

// testRoute returns a route of n hops delivering amt, the hops' private
// keys named by tag, each forwarding hop charging testHopFee.
func testRoute(t testing.TB, tag string, n int, amt wire.MilliSatoshi) (*router.Route, []*btcec.PrivateKey) {
	t.Helper()
	keys := make([]*btcec.PrivateKey, n)
	r := &router.Route{Payer: wire.NewNodeID(testKey("payer").PubKey()), Hops: make([]router.Hop, n)}
	amount, cltv := amt, uint32(testFinalExp)
	for i := n - 1; i >= 0; i-- {
		keys[i] = testKey(fmt.Sprintf("%s node %d", tag, i))
		h := &r.Hops[i]
		h.NodeID = wire.NewNodeID(keys[i].PubKey())
		h.ShortChannelID = wire.ShortChannelID{BlockHeight: 700_000 + uint32(i), TxIndex: uint32(len(tag)), OutputIndex: uint16(i)}
		h.AmountToForward, h.OutgoingCLTV = amount, cltv
		if i < n-1 {
			h.Fee, h.CLTVExpiryDelta = testHopFee, testDelta
			amount += testHopFee
			cltv += testDelta
		}
	}
	r.TotalAmount, r.TotalFee, r.TotalCLTV = amount, amount-amt, cltv
	return r, keys
}

// testPayment returns a pending payment of testAmount with a secret and
// metadata.
func testPayment(t testing.TB) *Payment {
	t.Helper()
	p, err := NewPayment(Request{
		ID: PaymentID{1}, Hash: testPreimage().Hash(), Secret: wire.Some(wire.PaymentSecret{7}),
		Metadata: []byte("meta"), Amount: testAmount, Height: 800_000,
	})
	require.NoError(t, err)
	return p
}

// testPreimage is the preimage of testPayment.
func testPreimage() wire.Preimage { return wire.Preimage{0x42} }

// addTestAttempt adds an attempt of n hops delivering amt with session
// key i and returns its index.
func addTestAttempt(t testing.TB, p *Payment, i, n int, amt wire.MilliSatoshi) int {
	t.Helper()
	r, _ := testRoute(t, "route", n, amt)
	idx, err := p.AddAttempt(Attempt{SessionKey: testSession(i), Route: *r})
	require.NoError(t, err)
	return idx
}
