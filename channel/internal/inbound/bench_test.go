package inbound

import (
	"testing"

	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// BenchmarkCreate measures making a derived-preimage payment.
func BenchmarkCreate(b *testing.B) {
	k := testKeys(b)
	p := testParams()
	iv := testIV(1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		iv[0] = byte(i)
		if _, _, _, err := k.Create(p, iv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateForHash measures making an application-hash payment.
func BenchmarkCreateForHash(b *testing.B) {
	k := testKeys(b)
	p := testParams()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.CreateForHash(wire.PaymentHash{1}, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures verifying a derived-preimage secret.
func BenchmarkVerify(b *testing.B) {
	k := testKeys(b)
	hash, secret, _, err := k.Create(testParams(), testIV(1))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := k.Verify(hash, secret); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckFinal measures the final-hop checks of an accepted
// single-part payment.
func BenchmarkCheckFinal(b *testing.B) {
	k := testKeys(b)
	hash, secret, _, err := k.Create(testParams(), testIV(1))
	if err != nil {
		b.Fatal(err)
	}
	cltv := testHeight + 50
	h := HTLC{Amount: testInvoiceAmount, CLTVExpiry: cltv, PaymentHash: hash}
	p := &onion.HopPayload{
		AmountToForward: wire.Some(testInvoiceAmount),
		OutgoingCLTV:    wire.Some(cltv),
		PaymentData:     wire.Some(onion.PaymentData{PaymentSecret: secret, TotalMsat: testInvoiceAmount}),
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, fail := k.CheckFinal(h, p, testHeight, testNow, testKeysendDelta); fail != nil {
			b.Fatal(fail)
		}
	}
}
