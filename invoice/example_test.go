package invoice_test

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/wire"
)

func ExampleDecode() {
	// The first example of BOLT 11.
	inv, err := invoice.Decode("lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap9us6v52vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp5h2tztugp9lfyql")
	if err != nil {
		fmt.Println(err)
		return
	}
	desc, _ := inv.Description()
	_, hasAmount := inv.Amount()
	fmt.Println(inv.Network().Name, hasAmount, desc)
	fmt.Println(inv.Payee())
	fmt.Println(inv.CheckPayable(inv.Timestamp()))
	fmt.Println(inv.CheckPayable(inv.ExpiresAt().Add(time.Second)) != nil)
	// Output:
	// mainnet false Please consider supporting this project
	// 03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad
	// <nil>
	// true
}

// rawKeySigner signs with a private key held in memory; keys.Manager plays
// this part in a node.
type rawKeySigner struct{ key *btcec.PrivateKey }

func (s rawKeySigner) SignInvoice(hash wire.Digest) (wire.Signature, byte, error) {
	compact := ecdsa.SignCompact(s.key, hash[:], true)
	var sig wire.Signature
	copy(sig[:], compact[1:])
	return sig, compact[0] - 31, nil
}

func ExampleBuilder() {
	key, _ := btcec.PrivKeyFromBytes(sha256.New().Sum([]byte("example key"))[:32])
	preimage := wire.Preimage{1, 2, 3}
	inv, err := invoice.NewBuilder(&chaincfg.RegressionNetParams, time.Unix(1_700_000_000, 0)).
		Amount(250_000).
		PaymentHash(preimage.Hash()).
		PaymentSecret(wire.PaymentSecret{4, 5, 6}). // or RandomPaymentSecret(entropy)
		Description("1 cup coffee").
		Expiry(10 * time.Minute).
		MinFinalCLTVExpiryDelta(40).
		Build(rawKeySigner{key})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.HumanReadablePart(), inv.Expiry(), inv.MinFinalCLTVExpiryDelta())
	fmt.Println(inv.Payee() == wire.NewNodeID(key.PubKey()))
	// Output:
	// lnbcrt2500n 10m0s 40
	// true
}
