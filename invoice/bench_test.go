package invoice

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// BenchmarkDecode decodes the BOLT 11 examples in turn, signature check
// (public-key recovery) included.
func BenchmarkDecode(b *testing.B) {
	vf := loadVectors(b)
	invs := make([]string, len(vf.Valid))
	for i, v := range vf.Valid {
		invs[i] = v.Invoice
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Decode(invs[i%len(invs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeWithPayeeField decodes an invoice with an n field, whose
// signature is verified against it instead of recovering the key.
func BenchmarkDecodeWithPayeeField(b *testing.B) {
	vf := loadVectors(b)
	key := vectorKey(b, vf.PrivateKey)
	inv, err := NewBuilder(&chaincfg.MainNetParams, vectorTimestamp).
		PaymentHash(wire.PaymentHash{1}).PaymentSecret(wire.PaymentSecret{2}).
		Description("coffee").PayeeNodeID(wire.NewNodeID(key.PubKey())).
		Build(keySigner{key})
	require.NoError(b, err)
	s := inv.String()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Decode(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild builds and signs a typical invoice.
func BenchmarkBuild(b *testing.B) {
	key, _ := btcec.NewPrivateKey()
	signer := keySigner{key}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, err := NewBuilder(&chaincfg.MainNetParams, vectorTimestamp).
			Amount(250_000_000).PaymentHash(wire.PaymentHash{1}).PaymentSecret(wire.PaymentSecret{2}).
			Description("1 cup coffee").Expiry(60e9).
			Build(signer)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeNoSignature measures lnkit's own work in Decode: bech32,
// human-readable part and tagged fields, without the signature check.
func BenchmarkDecodeNoSignature(b *testing.B) {
	vf := loadVectors(b)
	invs := make([]string, len(vf.Valid))
	for i, v := range vf.Valid {
		invs[i] = v.Invoice
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hrp, data, upper, err := decodeBech32(invs[i%len(invs)])
		if err != nil {
			b.Fatal(err)
		}
		net, amt, _ := splitPrefix(hrp)
		inv := &Invoice{hrp: hrp, upper: upper, data: data, network: net}
		if amt != "" {
			if inv.amount, err = parseAmount(amt); err != nil {
				b.Fatal(err)
			}
		}
		if err := inv.parseData(); err != nil {
			b.Fatal(err)
		}
	}
}
