package invoice_test

import (
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// keys.Manager is the signer nodes use; an invoice it signs must decode with
// the manager's node id as payee.
var _ invoice.Signer = (*keys.Manager)(nil)

func TestKeysManagerSignsInvoices(t *testing.T) {
	var seed keys.Seed
	seed[0] = 7
	km := keys.NewManager(seed, keys.Config{})
	preimage := wire.Preimage{1, 2, 3}
	inv, err := invoice.NewBuilder(&chaincfg.RegressionNetParams, time.Unix(1700000000, 0)).
		PaymentHash(preimage.Hash()).
		PaymentSecret(wire.PaymentSecret{9}).
		Description("coffee").
		Build(km)
	require.NoError(t, err, "build")
	got, err := invoice.Decode(inv.String())
	require.NoError(t, err, "decode")
	require.Equal(t, km.NodeID(), got.Payee(), "payee %s, want node id %s", got.Payee(), km.NodeID())
}
